"""Code in the middle of being typed: unclosed brackets, a dangling dot, a missing colon.

What can still be resolved must be; nothing else may be guessed.
"""

import numpy as np
import torch
import torch.nn.functional as F


def features(x, weight
    h = x.transpose(0, 1).contiguous(  # note note
    h = F.linear(h, weight  # none
    for i in range(3
        h = h.view(h.size(0), -1  # note note
    return h.unsqueeze(  # note


def scores(logits, labels)
    probs = logits.softmax(dim=-1)  # note
    top = probs.topk(5  # note
    arr = np.asarray(labels)  # none
    return arr.reshape(-1), top.values.  # none


def partial_loop(model, loader, optimizer):
    model.train()  # note
    for x, y in loader
        optimizer.zero_grad()  # note
        loss = F.cross_entropy(model(x), y  # none
        loss.backward()  # note
        optimizer.step()  # note
    text = "x.view(-1).contiguous()"
    name = text.split(".")[0].upper(  # none none
    return name
