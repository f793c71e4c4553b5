"""A tabular regression pipeline: pandas for the data, NumPy for the splits, torch to fit.

Most calls here are *not* torch's: frames, arrays, strings, dicts and lists share method
names with tensors (``sum``, ``mean``, ``max``, ``reshape``, ``view``, ``split``, ``values``).
"""

import json
import os
import random
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


def read_table(root):
    path = os.path.join(root, "housing.csv")  # none
    frame = pd.read_csv(path)  # none
    frame = frame.dropna().reset_index(drop=True)  # none none
    frame["rooms_per_house"] = frame["total_rooms"] / frame["households"]
    print(frame.describe(), frame.shape)  # none
    totals = frame.sum(numeric_only=True)  # none
    print(totals.max(), frame["median_income"].mean())  # none none
    labels = frame.pop("median_house_value")  # none
    return frame, labels


def split_indices(n, fraction=0.8, seed=0):
    rng = np.random.default_rng(seed)  # none
    order = rng.permutation(n)  # none
    cut = int(fraction * n)
    return order[:cut], order[cut:]


def parse_header(line):
    names = line.strip().split(",")  # none none
    return [name.lower().replace(" ", "_") for name in names]  # none none


def standardise(array):
    mean = array.mean(axis=0)  # none
    std = array.std(axis=0) + 1e-8  # none
    scaled = (array - mean) / std
    return scaled.astype(np.float32), mean, std  # none


def to_tensors(frame, labels):
    features = frame.select_dtypes("number").to_numpy()  # none none
    features, mean, std = standardise(features)
    x = torch.from_numpy(features)  # none
    y = torch.tensor(labels.values, dtype=torch.float32).view(-1, 1)  # none note
    print(x.size(), y.size(), mean.round(2))  # note note none
    return x, y


def build_model(width):
    return nn.Sequential(nn.Linear(width, 64), nn.ReLU(), nn.Linear(64, 1))


def fit(x, y, epochs=5):
    train_idx, test_idx = split_indices(len(x))
    train_set = TensorDataset(x[train_idx], y[train_idx])
    loader = DataLoader(train_set, batch_size=64, shuffle=True)
    model = build_model(x.size(1))  # note
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)  # none note
    loss_fn = nn.MSELoss()
    history = {"train": [], "test": []}
    for epoch in range(epochs):
        model.train()  # note
        running = []
        for xb, yb in loader:
            optimizer.zero_grad()  # note
            loss = loss_fn(model(xb), yb)
            loss.backward()  # note
            optimizer.step()  # note
            running.append(loss.item())  # none note
        history["train"].append(sum(running) / len(running))
        model.eval()  # note
        with torch.no_grad():
            pred = model(x[test_idx])
            test_loss = loss_fn(pred, y[test_idx]).item()  # note
        history["test"].append(test_loss)
        worst = (pred - y[test_idx]).abs().flatten().topk(3)  # note note note
        print(epoch, worst.values.tolist(), history.get("train")[-1])  # note none
    return model, history


def summarise(history, out_dir):
    best = min(history["test"])
    keys = sorted(history.keys())  # none
    for name, values in history.items():  # none
        print(name, max(values), values.index(best) if best in values else -1)  # none
    record = {"best": best, "keys": keys, "seed": random.randint(0, 99)}  # none
    text = json.dumps(record, indent=2)  # none
    Path(out_dir).mkdir(exist_ok=True)  # none
    (Path(out_dir) / "history.json").write_text(text)  # none
    lines = text.split("\n")  # none
    return "\n".join(line.strip() for line in lines)  # none none


def export(model, x, out_dir):
    scripted = torch.jit.trace(model, x[:1])  # none
    example = x[:4].numpy().round(3)  # note none
    np.save(os.path.join(out_dir, "example.npy"), example.reshape(4, -1))  # none none none
    weights = {name: tensor.numpy() for name, tensor in model.state_dict().items()}  # note note none
    shapes = {name: array.shape for name, array in weights.items()}  # none
    scripted.save(os.path.join(out_dir, "model.pt"))  # none none
    return shapes


if __name__ == "__main__":
    frame, labels = read_table("data")
    header = parse_header(", ".join(frame.columns))  # none
    x, y = to_tensors(frame, labels)
    model, history = fit(x, y)
    summarise(history, "out")
    export(model, x, "out")
    frame.values.sum(axis=1).max()  # none none
    labels.to_numpy().reshape(-1, 1).transpose(1, 0)  # none none none
