"""Mistakes the notes describe, as they appear in real code: run ``torch-notes check`` on it.

Each marked line is flagged by a rule (``torch-notes check examples/common_mistakes.py``)
and the editor offers a quick fix; the unmarked lines are the correct spellings, which
stay quiet. This script is meant to be read and checked, not run: the typos raise.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn
from torchvision import models


def flatten_channels_last(images: torch.Tensor) -> torch.Tensor:
    channels_last = images.permute(0, 2, 3, 1)
    ok = channels_last.contiguous().view(images.size(0), -1)
    assert ok.shape == channels_last.reshape(images.size(0), -1).shape
    return images.permute(0, 2, 3, 1).view(images.size(0), -1)  # view-after-transpose


def build() -> nn.Module:
    backbone = models.resnet18(pretrained=True)  # deprecated-api
    head = nn.Conv2D(512, 10, kernel_size=1)  # unknown-torch-attr
    return nn.Sequential(backbone, head)


def statistics() -> None:
    steps = torch.arrange(10)  # unknown-torch-attr
    weights = torch.rand(10, 3)
    scores = F.rellu(weights @ weights.T)  # unknown-torch-attr
    tiled = torch.rand(2, 3).repeate(2, 1)  # tensor-method-typo
    total = torch.norm(weights, p=2, dim=1)  # deprecated-api
    print(steps, scores.shape, tiled.shape, total)
