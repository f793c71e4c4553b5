"""An autoencoder as a LightningModule, with manual optimisation for the adversarial part.

``self`` is a module (LightningModule derives from ``nn.Module``); ``self.log``,
``trainer.fit`` and ``fabric``-style helpers are the library's own.
"""

import lightning as L
import torch
import torch.nn.functional as F
import torchmetrics
from torch import nn
from torch.utils.data import DataLoader, random_split
from torchvision.datasets import MNIST
from torchvision.transforms import ToTensor


class LitAutoEncoder(L.LightningModule):
    def __init__(self, hidden=64, lr=1e-3):
        super().__init__()
        self.save_hyperparameters()
        self.encoder = nn.Sequential(nn.Linear(28 * 28, hidden), nn.ReLU(), nn.Linear(hidden, 3))
        self.decoder = nn.Sequential(nn.Linear(3, hidden), nn.ReLU(), nn.Linear(hidden, 28 * 28))
        self.critic = nn.Linear(28 * 28, 1)
        self.mae = torchmetrics.MeanAbsoluteError()
        self.automatic_optimization = False

    def forward(self, x):
        return self.encoder(x.view(x.size(0), -1))  # none note note

    def training_step(self, batch, batch_idx):
        opt_ae, opt_critic = self.optimizers()
        x, _ = batch
        x = x.view(x.size(0), -1)  # note note
        z = self.encoder(x)
        x_hat = self.decoder(z)
        loss = F.mse_loss(x_hat, x)
        opt_ae.zero_grad()  # note
        self.manual_backward(loss)
        opt_ae.step()  # note
        score = self.critic(x_hat.detach()).mean()  # none note note
        opt_critic.zero_grad()  # note
        self.manual_backward(-score)
        opt_critic.step()  # note
        self.log("train_loss", loss, prog_bar=True)  # none
        self.log("critic", score.item())  # none note
        return loss

    def validation_step(self, batch, batch_idx):
        x, _ = batch
        x = x.view(x.size(0), -1)  # note note
        x_hat = self.decoder(self.encoder(x))
        self.mae.update(x_hat, x)
        self.log("val_mae", self.mae, on_epoch=True)  # none

    def configure_optimizers(self):
        ae = torch.optim.Adam(
            list(self.encoder.parameters()) + list(self.decoder.parameters()),  # note note
            lr=self.hparams.lr,
        )
        critic = torch.optim.SGD(self.critic.parameters(), lr=self.hparams.lr)  # none note
        return ae, critic

    def on_train_epoch_end(self):
        norms = [p.grad.norm() for p in self.parameters() if p.grad is not None]  # note note
        if norms:
            self.log("grad_norm", torch.stack(norms).max())  # none none note
        self.mae.reset()


def main():
    dataset = MNIST(".", download=True, transform=ToTensor())
    train_set, val_set = random_split(dataset, [55000, 5000])
    model = LitAutoEncoder()
    trainer = L.Trainer(max_epochs=3, accelerator="auto")
    trainer.fit(model, DataLoader(train_set, batch_size=64), DataLoader(val_set, batch_size=64))
    model.eval()  # note
    with torch.no_grad():
        codes = model(torch.rand(4, 1, 28, 28))  # none
    print(codes.shape, codes.norm(dim=1).tolist())  # note note
    trainer.save_checkpoint("autoencoder.ckpt")
    restored = LitAutoEncoder.load_from_checkpoint("autoencoder.ckpt")
    restored.freeze()
    return restored.encoder.state_dict()  # note
