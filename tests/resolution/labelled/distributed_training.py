"""Data-parallel training with process groups, and a parameter-server variant over RPC.

``backward`` and ``step`` here are not always a tensor's or an optimizer's: distributed
autograd and the distributed optimizer have functions and methods of those names.
"""

import os

import numpy as np
import torch
import torch.distributed as dist
import torch.distributed.autograd as dist_autograd
import torch.distributed.rpc as rpc
import torch.multiprocessing as mp
import torch.nn as nn
from model import Transformer
from torch.distributed.optim import DistributedOptimizer
from torch.nn.parallel import DistributedDataParallel as DDP


def setup(rank, world_size):
    os.environ["MASTER_ADDR"] = "localhost"
    os.environ.setdefault("MASTER_PORT", "12355")  # none
    dist.init_process_group("gloo", rank=rank, world_size=world_size)  # none


def average_gradients(model):
    size = float(dist.get_world_size())  # none
    for param in model.parameters():  # note
        dist.all_reduce(param.grad.data, op=dist.ReduceOp.SUM)  # none
        param.grad.data.div_(size)  # note


def reduce_mean(value, world_size):
    total = value.clone()  # note
    dist.all_reduce(total)  # none
    return total.div(world_size)  # note


def run_worker(rank, world_size, steps=10):
    setup(rank, world_size)
    model = Transformer(vocab=1000).to(rank)  # note
    ddp_model = DDP(model, device_ids=[rank])
    loss_fn = nn.MSELoss()
    optimizer = torch.optim.SGD(ddp_model.parameters(), lr=0.001)  # none note
    for step in range(steps):
        optimizer.zero_grad()  # note
        outputs = ddp_model(torch.randn(20, 10))  # none
        labels = torch.randn(20, 5).to(rank)  # none note
        loss = loss_fn(outputs, labels)
        loss.backward()  # note
        optimizer.step()  # note
        mean = reduce_mean(loss.detach(), world_size)  # note
        if rank == 0:
            print(step, mean.item())  # note
    if rank == 0:
        torch.save(ddp_model.module.state_dict(), "checkpoint.pt")  # none note
    dist.barrier()  # none
    model.load_state_dict(torch.load("checkpoint.pt", map_location={"cuda:0": f"cuda:{rank}"}))  # note none
    dist.destroy_process_group()  # none


def transformer_step(args, batch):
    model = Transformer(args)
    loss = model(batch).sum()  # note
    loss.backward()  # note
    return loss.item()  # note


class ParameterServer(nn.Module):
    def __init__(self):
        super().__init__()
        self.model = nn.Linear(10, 5)

    def forward(self, x):
        return self.model(x)

    def get_param_rrefs(self):
        return [rpc.RRef(param) for param in self.model.parameters()]  # none note


def train_with_rpc(server_rref, data_loader):
    opt = DistributedOptimizer(
        torch.optim.SGD, server_rref.rpc_sync().get_param_rrefs(), lr=0.05  # none none
    )
    loss_fn = nn.CrossEntropyLoss()
    for inputs, targets in data_loader:
        with dist_autograd.context() as context_id:  # none
            outputs = server_rref.rpc_sync().forward(inputs)  # none none
            loss = loss_fn(outputs, targets)
            dist_autograd.backward(context_id, [loss])  # none
            opt.step(context_id)  # none
            grads = dist_autograd.get_gradients(context_id)  # none
            print(len(grads), loss.item())  # note


def shard_indices(num_samples, world_size, rank):
    indices = np.arange(num_samples)  # none
    padded = np.concatenate([indices, indices[: world_size - num_samples % world_size]])  # none
    grid = padded.reshape(world_size, -1)  # none
    return np.transpose(grid)[:, rank].tolist()  # none none


if __name__ == "__main__":
    world_size = torch.cuda.device_count()  # none
    mp.spawn(run_worker, args=(world_size,), nprocs=world_size, join=True)  # none
