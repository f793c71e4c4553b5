"""A convolutional digit classifier: the training and test loops take everything as
parameters, and ``main`` decides what those are."""

import argparse

import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim
from torch.optim.lr_scheduler import StepLR
from torchvision import datasets, transforms


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 3, 1)
        self.conv2 = nn.Conv2d(32, 64, 3, 1)
        self.dropout1 = nn.Dropout(0.25)
        self.fc1 = nn.Linear(9216, 128)
        self.fc2 = nn.Linear(128, 10)

    def forward(self, x):
        x = self.conv1(x)
        x = F.relu(x)  # none
        x = F.max_pool2d(self.conv2(x), 2)
        x = self.dropout1(x)
        x = torch.flatten(x, 1)  # none
        x = F.relu(self.fc1(x))  # none none
        output = F.log_softmax(self.fc2(x), dim=1)  # none none
        return output


def train(args, model, device, train_loader, optimizer, epoch):
    model.train()  # note
    for batch_idx, (data, target) in enumerate(train_loader):
        data, target = data.to(device), target.to(device)  # note note
        optimizer.zero_grad()  # note
        output = model(data)
        loss = F.nll_loss(output, target)
        loss.backward()  # note
        optimizer.step()  # note
        if batch_idx % args.log_interval == 0:
            print(f"epoch {epoch} [{batch_idx * len(data)}/{len(train_loader.dataset)}] loss {loss.item():.6f}")  # note
            if args.dry_run:
                break


def test(model, device, test_loader):
    model.eval()  # note
    test_loss = 0
    correct = 0
    with torch.no_grad():
        for data, target in test_loader:
            data, target = data.to(device), target.to(device)  # note note
            output = model(data)
            test_loss += F.nll_loss(output, target, reduction="sum").item()  # none note
            pred = output.argmax(dim=1, keepdim=True)  # note
            correct += pred.eq(target.view_as(pred)).sum().item()  # note note note note
    test_loss /= len(test_loader.dataset)
    accuracy = 100.0 * correct / len(test_loader.dataset)
    print(f"test: average loss {test_loss:.4f}, accuracy {accuracy:.0f}%")
    return accuracy


def confusion(model, device, loader, classes=10):
    matrix = torch.zeros(classes, classes, dtype=torch.long)
    for images, labels in loader:
        predicted = model(images.to(device)).argmax(1).cpu()  # note note note
        for t, p in zip(labels.view(-1), predicted.view(-1)):  # note note
            matrix[t.long(), p.long()] += 1  # note note
    per_class = matrix.diag().float() / matrix.sum(1).float()  # note note note note
    return per_class.tolist()  # note


def main():
    parser = argparse.ArgumentParser(description="digits")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--epochs", type=int, default=14)
    parser.add_argument("--lr", type=float, default=1.0)
    parser.add_argument("--gamma", type=float, default=0.7)
    parser.add_argument("--log-interval", type=int, default=10)
    parser.add_argument("--dry-run", action="store_true")
    parser.add_argument("--save-model", action="store_true")
    args = parser.parse_args()
    use_cuda = torch.cuda.is_available()
    torch.manual_seed(1)
    device = torch.device("cuda" if use_cuda else "cpu")  # none
    transform = transforms.Compose(
        [transforms.ToTensor(), transforms.Normalize((0.1307,), (0.3081,))]
    )
    dataset1 = datasets.MNIST("../data", train=True, download=True, transform=transform)
    dataset2 = datasets.MNIST("../data", train=False, transform=transform)
    train_loader = torch.utils.data.DataLoader(dataset1, batch_size=args.batch_size)
    test_loader = torch.utils.data.DataLoader(dataset2, batch_size=1000)
    model = Net().to(device)  # note
    optimizer = optim.Adadelta(model.parameters(), lr=args.lr)  # none note
    scheduler = StepLR(optimizer, step_size=1, gamma=args.gamma)
    for epoch in range(1, args.epochs + 1):
        train(args, model, device, train_loader, optimizer, epoch)
        test(model, device, test_loader)
        scheduler.step()  # none
    print(confusion(model, device, test_loader))
    state = {"model": model.state_dict(), "optimizer": optimizer.state_dict()}  # note note
    state["scheduler"] = scheduler.state_dict()  # none
    if args.save_model:
        torch.save(state, "mnist_cnn.pt")
    checkpoint = torch.load("mnist_cnn.pt")
    model.load_state_dict(checkpoint["model"])  # note
    optimizer.load_state_dict(checkpoint["optimizer"])  # note
    scheduler.load_state_dict(checkpoint["scheduler"])  # none


if __name__ == "__main__":
    main()
