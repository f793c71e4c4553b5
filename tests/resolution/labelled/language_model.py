"""A word-level language model on a text corpus, trained with truncated backprop.

The script keeps its corpus helpers in a sibling module called ``data``, and then names
its own parameters ``data`` too: inside the functions the parameter wins.
"""

import argparse
import math
import os
import time

import data
import torch
import torch.nn as nn
import torch.nn.functional as F
from model import Transformer

parser = argparse.ArgumentParser(description="word-level language model")
parser.add_argument("--data", type=str, default="./corpus")
parser.add_argument("--bptt", type=int, default=35)
parser.add_argument("--lr", type=float, default=20.0)
parser.add_argument("--clip", type=float, default=0.25)
args = parser.parse_args()

device = torch.device("cuda" if torch.cuda.is_available() else "cpu")  # none none
corpus = data.Corpus(os.path.join(args.data, "wiki"))  # none none


def batchify(data, bsz):
    nbatch = data.size(0) // bsz  # note
    data = data.narrow(0, 0, nbatch * bsz)  # note
    data = data.view(bsz, -1).t().contiguous()  # note note note
    return data.to(device)  # note


def get_batch(source, i):
    seq_len = min(args.bptt, len(source) - 1 - i)
    chunk = source[i : i + seq_len]
    target = source[i + 1 : i + 1 + seq_len].reshape(-1)  # note
    return chunk, target


class RNNModel(nn.Module):
    def __init__(self, ntoken, ninp, nhid, nlayers, dropout=0.5):
        super().__init__()
        self.drop = nn.Dropout(dropout)
        self.encoder = nn.Embedding(ntoken, ninp)
        self.rnn = nn.LSTM(ninp, nhid, nlayers, dropout=dropout)
        self.decoder = nn.Linear(nhid, ntoken)
        self.nhid, self.nlayers = nhid, nlayers
        self.init_weights()

    def init_weights(self):
        initrange = 0.1
        nn.init.uniform_(self.encoder.weight, -initrange, initrange)  # none
        nn.init.zeros_(self.decoder.bias)  # none
        self.decoder.weight.data.uniform_(-initrange, initrange)  # note

    def forward(self, input, hidden):
        emb = self.drop(self.encoder(input))
        output, hidden = self.rnn(emb, hidden)
        output = self.drop(output)
        decoded = self.decoder(output)
        decoded = decoded.view(-1, decoded.size(-1))  # note note
        return F.log_softmax(decoded, dim=1), hidden  # none

    def init_hidden(self, bsz):
        weight = next(self.parameters())  # note
        return (
            weight.new_zeros(self.nlayers, bsz, self.nhid),  # note
            weight.new_zeros(self.nlayers, bsz, self.nhid),  # note
        )


def repackage_hidden(h):
    if isinstance(h, torch.Tensor):
        return h.detach()  # note
    return tuple(repackage_hidden(v) for v in h)


train_data = batchify(corpus.train, 20)
val_data = batchify(corpus.valid, 10)
ntokens = len(corpus.dictionary)
model = RNNModel(ntokens, 200, 200, 2).to(device)  # note
criterion = nn.NLLLoss()


def evaluate(data_source):
    model.eval()  # note
    total_loss = 0.0
    hidden = model.init_hidden(10)
    with torch.no_grad():
        for i in range(0, data_source.size(0) - 1, args.bptt):  # note
            data, targets = get_batch(data_source, i)
            output, hidden = model(data, hidden)
            hidden = repackage_hidden(hidden)
            total_loss += len(data) * criterion(output, targets).item()  # note
    return total_loss / (len(data_source) - 1)


def train(epoch):
    model.train()  # note
    total_loss = 0.0
    start = time.time()
    hidden = model.init_hidden(20)
    for batch, i in enumerate(range(0, train_data.size(0) - 1, args.bptt)):  # note
        data, targets = get_batch(train_data, i)
        hidden = repackage_hidden(hidden)
        model.zero_grad()  # note
        output, hidden = model(data, hidden)
        loss = criterion(output, targets)
        loss.backward()  # note
        torch.nn.utils.clip_grad_norm_(model.parameters(), args.clip)  # none note
        for p in model.parameters():  # note
            p.data.add_(p.grad, alpha=-args.lr)  # note
        total_loss += loss.item()  # note
        if batch % 200 == 0 and batch > 0:
            cur_loss = total_loss / 200
            elapsed = time.time() - start  # none
            print(f"| epoch {epoch} | loss {cur_loss:5.2f} | ppl {math.exp(cur_loss):8.2f}")  # none
            total_loss = 0.0


def train_transformer(steps):
    net = Transformer(args)
    optimizer = torch.optim.Adam(net.parameters(), lr=1e-3)  # none note
    for step in range(steps):
        chunk, target = get_batch(train_data, step)
        logits = net(chunk)
        loss = F.cross_entropy(logits.view(-1, logits.size(-1)), target)  # none note note
        optimizer.zero_grad()  # note
        loss.backward()  # note
        optimizer.step()  # note
        summed = net(chunk).sum()  # note
        summed.backward()  # note


best_val_loss = None
for epoch in range(1, 4):
    train(epoch)
    val_loss = evaluate(val_data)
    if best_val_loss is None or val_loss < best_val_loss:
        with open("model.pt", "wb") as f:
            torch.save(model.state_dict(), f)  # none note
        best_val_loss = val_loss
