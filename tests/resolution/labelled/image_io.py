"""Moving images between PIL, NumPy and torch, in both directions.

The same method names (``transpose``, ``view``, ``reshape``, ``resize``, ``copy``) mean
different things on each side.
"""

import io

import numpy as np
import torch
from PIL import Image, ImageOps

MEAN = np.array([0.485, 0.456, 0.406], dtype=np.float32)  # none
STD = np.array([0.229, 0.224, 0.225], dtype=np.float32)  # none


def read(path, size=224):
    img = Image.open(path)  # none
    img = ImageOps.exif_transpose(img).convert("RGB")  # none none
    img = img.resize((size, size))  # none
    if size > 512:
        img = img.transpose(Image.Transpose.FLIP_LEFT_RIGHT)  # none
    return img


def to_array(img):
    arr = np.asarray(img, dtype=np.float32) / 255.0  # none
    arr = (arr - MEAN) / STD
    arr = arr.transpose(2, 0, 1).copy()  # none none
    return arr


def to_tensor(img):
    arr = to_array(img)
    tensor = torch.from_numpy(arr)  # none
    return tensor.unsqueeze(0).contiguous()  # note note


def from_tensor(tensor):
    arr = tensor.detach().squeeze(0).permute(1, 2, 0).cpu().numpy()  # note note note note note
    arr = arr * STD + MEAN
    arr = (arr.clip(0.0, 1.0) * 255).round().astype(np.uint8)  # none none none
    return Image.fromarray(arr)  # none


def raw_bytes(img):
    arr = np.asarray(img)  # none
    flat = arr.view(np.uint8).reshape(-1)  # none none
    buffer = io.BytesIO()  # none
    img.save(buffer, format="PNG")  # none
    return flat.tobytes(), buffer.getvalue()  # none none


def batch(paths):
    images = [to_tensor(read(p)) for p in paths]
    x = torch.cat(images, dim=0)  # none
    x = x.to(torch.float16)  # note
    means = x.mean(dim=(2, 3))  # note
    flipped = torch.flip(x, dims=[3])  # none
    tiles = flipped.unfold(2, 16, 16).unfold(3, 16, 16)  # note note
    return means.tolist(), tiles.reshape(x.size(0), -1, 3, 16, 16)  # note note note


def thumbnails(paths, size=(64, 64)):
    out = []
    for p in paths:
        img = read(p)
        img.thumbnail(size)  # none
        w, h = img.size
        canvas = Image.new("RGB", size)  # none
        canvas.paste(img, ((size[0] - w) // 2, (size[1] - h) // 2))  # none
        out.append(np.array(canvas).sum(axis=2).max())  # none none none none
    return np.stack(out).mean()  # none none


def grid(tensors, nrow=8):
    stacked = torch.stack(tensors)  # none
    b, c, h, w = stacked.shape
    rows = stacked.view(b // nrow, nrow, c, h, w).permute(2, 0, 3, 1, 4)  # note note
    return rows.reshape(c, (b // nrow) * h, nrow * w)  # note
