"""Fit a small regression model on synthetic tabular data: NumPy in, tensors out.

A second realistic script for torch-notes, without torchvision: data prepared
in NumPy, wrapped in a TensorDataset, split, batched, trained, evaluated with
inference mode, and post-processed with indexing tricks.

    python examples/tabular_regression.py
"""

from __future__ import annotations

import numpy as np
import torch as th
from torch import nn
from torch.utils.data import DataLoader, TensorDataset, random_split

FEATURES = 8


def make_data(n: int, seed: int = 0) -> tuple[th.Tensor, th.Tensor]:
    """Features from NumPy and a noisy linear target, as float32 tensors."""
    rng = np.random.default_rng(seed)
    x_np = rng.normal(size=(n, FEATURES)).astype(np.float32)
    weights = np.linspace(-1.0, 1.0, FEATURES, dtype=np.float32)
    y_np = x_np @ weights + 0.1 * rng.normal(size=n).astype(np.float32)
    x = th.from_numpy(x_np)  # shares memory with x_np
    y = th.as_tensor(y_np).unsqueeze(1)  # (n,) -> (n, 1) to match the model output
    return x, y


class Regressor(nn.Module):
    def __init__(self, hidden: int = 32) -> None:
        super().__init__()
        self.net = nn.Sequential(nn.Linear(FEATURES, hidden), nn.ReLU(), nn.Linear(hidden, 1))

    def forward(self, x: th.Tensor) -> th.Tensor:
        return self.net(x)


def fit(model: nn.Module, loader: DataLoader, epochs: int) -> list[float]:
    optimizer = th.optim.AdamW(model.parameters(), lr=1e-2, weight_decay=1e-4)
    loss_fn = nn.MSELoss()
    history = []
    for _ in range(epochs):
        model.train()
        running = 0.0
        for xb, yb in loader:
            optimizer.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            optimizer.step()
            running += loss.item() * xb.size(0)
        history.append(running / len(loader.dataset))
    return history


def report(model: nn.Module, x: th.Tensor, y: th.Tensor) -> None:
    """Predictions in inference mode, then a few indexing and reshaping idioms."""
    model.eval()
    with th.inference_mode():
        pred = model(x)
    errors = (pred - y).abs().squeeze(1)
    worst = th.topk(errors, k=3).indices
    print("worst rows:", worst.tolist())
    picked = x.index_select(0, worst)
    clipped = th.where(errors > 0.5, th.ones_like(errors), errors)
    masked = errors.masked_fill(errors < 0.05, 0.0)
    print("picked", tuple(picked.shape), "max", clipped.max().item(), masked.count_nonzero())
    halves = th.chunk(pred, 2, dim=0)
    stacked = th.cat(halves, dim=0)
    assert th.equal(stacked, pred)
    grid = pred[:6].reshape(2, 3).t().contiguous()
    print("grid:", grid.view(-1).numpy().round(2))
    tiled = pred[:2].expand(2, 4).clone()
    print("tiled shape:", tuple(tiled.shape), "repeated:", tuple(pred[:2].repeat(1, 3).shape))


def main() -> None:
    th.manual_seed(0)
    x, y = make_data(512)
    dataset = TensorDataset(x, y)
    train_set, test_set = random_split(dataset, [448, 64])
    loader = DataLoader(train_set, batch_size=32, shuffle=True)
    model = Regressor()
    history = fit(model, loader, epochs=5)
    print("loss per epoch:", [round(v, 4) for v in history])
    test_x = th.stack([test_set[i][0] for i in range(len(test_set))])
    test_y = th.stack([test_set[i][1] for i in range(len(test_set))])
    report(model, test_x, test_y)
    for name, param in model.named_parameters():
        if name.startswith("net.0"):
            param.requires_grad_(False)
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    print("trainable parameters after freezing the first layer:", trainable)


if __name__ == "__main__":
    main()
