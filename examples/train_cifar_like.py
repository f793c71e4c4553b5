"""Train a small CNN on CIFAR-shaped fake images, end to end, on the CPU in seconds.

A realistic training script for trying torch-notes: open it in your editor and
hover the torch calls, or run ``torch-notes explain examples/train_cifar_like.py``
to list every place where a note applies. ``FakeData`` stands in for CIFAR-10,
so nothing is downloaded.

    python examples/train_cifar_like.py --epochs 2
"""

from __future__ import annotations

import argparse
import time

import torch
import torch.nn.functional as F
from torch import nn
from torch.optim import SGD
from torch.utils.data import DataLoader, random_split
from torchvision import datasets, transforms

NUM_CLASSES = 10


class SmallConvNet(nn.Module):
    """Two conv blocks and a linear head for 3x32x32 images."""

    def __init__(self, num_classes: int = NUM_CLASSES) -> None:
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 16, kernel_size=3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(16, 32, kernel_size=3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),
        )
        self.flatten = nn.Flatten()
        self.head = nn.Linear(32 * 8 * 8, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.features(x)
        x = self.flatten(x)  # (N, 32, 8, 8) -> (N, 2048), batch dimension kept
        return self.head(x)


def make_loaders(batch_size: int, size: int) -> tuple[DataLoader, DataLoader]:
    """Augmented training images and plain validation images, 90/10."""
    train_tf = transforms.Compose(
        [
            transforms.RandomCrop(32, padding=4),
            transforms.RandomHorizontalFlip(),
            transforms.ToTensor(),
        ]
    )
    full = datasets.FakeData(
        size=size, image_size=(3, 32, 32), num_classes=NUM_CLASSES, transform=train_tf
    )
    n_val = size // 10
    generator = torch.Generator().manual_seed(0)
    train_set, val_set = random_split(full, [size - n_val, n_val], generator=generator)
    train_loader = DataLoader(train_set, batch_size=batch_size, shuffle=True, num_workers=0)
    val_loader = DataLoader(val_set, batch_size=batch_size, shuffle=False)
    return train_loader, val_loader


def train_one_epoch(model, loader, optimizer, device) -> float:
    """One pass over ``loader``; returns the mean training loss."""
    model.train()
    total, count = 0.0, 0
    for images, labels in loader:
        images, labels = images.to(device), labels.to(device)
        optimizer.zero_grad()
        logits = model(images)
        loss = F.cross_entropy(logits, labels)
        loss.backward()
        optimizer.step()
        total += loss.item() * labels.size(0)
        count += labels.size(0)
    return total / max(count, 1)


@torch.no_grad()
def evaluate(model, loader, device) -> float:
    """Accuracy on ``loader`` with dropout/batch-norm in inference mode."""
    model.eval()
    correct, seen = 0, 0
    predictions = []
    for images, labels in loader:
        images, labels = images.to(device), labels.to(device)
        logits = model(images)
        predicted = logits.argmax(dim=1)
        predictions.append(predicted)
        correct += (predicted == labels).sum().item()
        seen += labels.size(0)
    if predictions:
        everything = torch.cat(predictions)
        assert everything.dim() == 1
    return correct / max(seen, 1)


def inspect_batch(loader) -> None:
    """Shapes and layouts of one batch: the views and copies the notes talk about."""
    images, _ = next(iter(loader))
    print("batch:", tuple(images.shape), images.dtype)
    channels_last = images.permute(0, 2, 3, 1)  # (N, H, W, C): a view, not contiguous
    print("permuted is contiguous:", channels_last.is_contiguous())
    flat = channels_last.contiguous().view(images.size(0), -1)
    same = channels_last.reshape(images.size(0), -1)
    assert torch.equal(flat, same)
    first = images[0].unsqueeze(0)  # keep a batch dimension of 1
    assert first.squeeze(0).shape == images[0].shape
    pairs = torch.stack([images[0], images[1]])
    print("stacked:", tuple(pairs.shape), "flattened:", tuple(images.flatten(1).shape))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--size", type=int, default=640, help="number of fake images")
    parser.add_argument("--lr", type=float, default=0.05)
    args = parser.parse_args()

    torch.manual_seed(0)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    train_loader, val_loader = make_loaders(args.batch_size, args.size)
    inspect_batch(train_loader)

    model = SmallConvNet().to(device)
    optimizer = SGD(model.parameters(), lr=args.lr, momentum=0.9, weight_decay=5e-4)

    for epoch in range(args.epochs):
        start = time.perf_counter()
        loss = train_one_epoch(model, train_loader, optimizer, device)
        accuracy = evaluate(model, val_loader, device)
        elapsed = time.perf_counter() - start
        print(f"epoch {epoch + 1}: loss {loss:.3f}, val acc {accuracy:.1%} ({elapsed:.1f} s)")

    # Fine-tune only the head: freeze the convolutional features.
    for name, param in model.named_parameters():
        param.requires_grad_(name.startswith("head"))
    head_optimizer = SGD((p for p in model.parameters() if p.requires_grad), lr=args.lr / 10)
    train_one_epoch(model, train_loader, head_optimizer, device)
    print("after fine-tuning the head:", f"{evaluate(model, val_loader, device):.1%}")

    state = {key: value.clone() for key, value in model.state_dict().items()}
    restored = SmallConvNet()
    restored.load_state_dict(state)
    restored.eval()
    sample = torch.rand(2, 3, 32, 32)
    with torch.no_grad():
        assert torch.allclose(restored(sample), model.cpu().eval()(sample))
    print("state_dict round trip ok")


if __name__ == "__main__":
    main()
