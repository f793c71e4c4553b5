"""Attention and normalisation blocks of a small GPT-style model, and a dataset wrapper.

Several attributes of ``self`` come from base classes or from other modules of the
project, so nothing in this file says what they hold.
"""

import math

import torch
import torch.nn as nn
from config import ModelConfig
from layers import FeedForward, RotaryEmbedding
from torch.nn import functional as F


class LayerNorm(nn.Module):
    """LayerNorm with an optional bias (the weight and bias are parameters)."""

    def __init__(self, ndim, bias):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(ndim))  # none none
        self.bias = nn.Parameter(torch.zeros(ndim)) if bias else None  # none none

    def forward(self, x):
        return F.layer_norm(x, self.weight.shape, self.weight, self.bias, 1e-5)  # none


class BiasedLinear(nn.Linear):
    """A linear layer whose bias is broadcast over a leading batch dimension."""

    def forward(self, x):
        out = x.matmul(self.weight.t())  # note note
        return out + self.bias.unsqueeze(0)  # note


class CausalSelfAttention(nn.Module):
    def __init__(self, config: ModelConfig):
        super().__init__()
        self.c_attn = nn.Linear(config.n_embd, 3 * config.n_embd)
        self.c_proj = nn.Linear(config.n_embd, config.n_embd)
        self.attn_dropout = nn.Dropout(config.dropout)
        self.n_head = config.n_head
        self.n_embd = config.n_embd
        self.rotary = RotaryEmbedding(config.n_embd // config.n_head)
        self.register_buffer(  # note
            "mask",
            torch.tril(torch.ones(config.block_size, config.block_size)).view(  # none none note
                1, 1, config.block_size, config.block_size
            ),
        )

    def forward(self, x):
        B, T, C = x.size()  # note
        q, k, v = self.c_attn(x).split(self.n_embd, dim=2)  # none note
        k = k.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)  # note note
        q = q.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)  # note note
        v = v.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)  # note note
        q, k = self.rotary(q), self.rotary(k)
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(k.size(-1)))  # note none note
        att = att.masked_fill(self.mask[:, :, :T, :T] == 0, float("-inf"))  # note
        att = F.softmax(att, dim=-1)  # none
        att = self.attn_dropout(att)
        y = att @ v
        y = y.transpose(1, 2).contiguous().view(B, T, C)  # note note note
        return self.c_proj(y)


class Block(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.ln_1 = LayerNorm(config.n_embd, bias=True)
        self.attn = CausalSelfAttention(config)
        self.ln_2 = LayerNorm(config.n_embd, bias=True)
        self.mlp = FeedForward(config)

    def forward(self, x):
        x = x + self.attn(self.ln_1(x))
        x = x + self.mlp(self.ln_2(x))
        return x


class GPT(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.config = config
        self.wte = nn.Embedding(config.vocab_size, config.n_embd)
        self.wpe = nn.Embedding(config.block_size, config.n_embd)
        self.blocks = nn.ModuleList([Block(config) for _ in range(config.n_layer)])
        self.ln_f = LayerNorm(config.n_embd, bias=True)
        self.lm_head = nn.Linear(config.n_embd, config.vocab_size, bias=False)
        self.wte.weight = self.lm_head.weight
        self.apply(self._init_weights)  # note
        for pn, p in self.named_parameters():  # note
            if pn.endswith("c_proj.weight"):  # none
                torch.nn.init.normal_(p, mean=0.0, std=0.02 / math.sqrt(2 * config.n_layer))  # none none

    def _init_weights(self, module):
        if isinstance(module, nn.Linear):
            torch.nn.init.normal_(module.weight, mean=0.0, std=0.02)  # none
            if module.bias is not None:
                torch.nn.init.zeros_(module.bias)  # none

    def num_params(self):
        n_params = sum(p.numel() for p in self.parameters())  # note note
        return n_params - self.wpe.weight.numel()  # note

    def forward(self, idx, targets=None):
        device = idx.device
        b, t = idx.size()  # note
        pos = torch.arange(0, t, dtype=torch.long, device=device).unsqueeze(0)  # none note
        x = self.wte(idx) + self.wpe(pos)
        for block in self.blocks:
            x = block(x)
        x = self.ln_f(x)
        logits = self.lm_head(x)
        loss = None
        if targets is not None:
            loss = F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1), ignore_index=-1)  # none note note note
        return logits, loss

    @torch.no_grad()
    def generate(self, idx, max_new_tokens, temperature=1.0, top_k=None):
        for _ in range(max_new_tokens):
            idx_cond = idx if idx.size(1) <= self.config.block_size else idx[:, -self.config.block_size :]  # note
            logits, _ = self(idx_cond)
            logits = logits[:, -1, :] / temperature
            if top_k is not None:
                v, _ = torch.topk(logits, min(top_k, logits.size(-1)))  # none note
                logits[logits < v[:, [-1]]] = -float("Inf")
            probs = F.softmax(logits, dim=-1)  # none
            idx_next = torch.multinomial(probs, num_samples=1)  # none
            idx = torch.cat((idx, idx_next), dim=1)
        return idx


class PairDataset(torch.utils.data.Dataset):
    """Pairs each sample of a wrapped dataset with a shifted copy of itself."""

    def __init__(self, dataset, shift=1):
        self.dataset = dataset
        self.shift = shift

    def __len__(self):
        return len(self.dataset)

    def targets(self):
        return self.dataset.data.unsqueeze(1).clone()  # note note

    def __getitem__(self, i):
        x, y = self.dataset[i]
        return x, y, self.dataset.data[(i + self.shift) % len(self)]


def configure_optimizers(model, weight_decay, learning_rate):
    param_dict = {pn: p for pn, p in model.named_parameters() if p.requires_grad}  # note
    decay = [p for p in param_dict.values() if p.dim() >= 2]  # none note
    nodecay = [p for p in param_dict.values() if p.dim() < 2]  # none note
    groups = [
        {"params": decay, "weight_decay": weight_decay},
        {"params": nodecay, "weight_decay": 0.0},
    ]
    return torch.optim.AdamW(groups, lr=learning_rate, betas=(0.9, 0.95))
