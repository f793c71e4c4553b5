"""A DCGAN on image folders: two networks, two optimizers, and labels refilled in place."""

import random

import torch
import torch.nn as nn
import torch.optim as optim
import torchvision.datasets as dset
import torchvision.transforms as transforms
import torchvision.utils as vutils

nz, ngf, ndf = 100, 64, 64
manual_seed = random.randint(1, 10000)  # none
random.seed(manual_seed)  # none
torch.manual_seed(manual_seed)  # none


def weights_init(m):
    classname = m.__class__.__name__
    if classname.find("Conv") != -1:  # none
        m.weight.data.normal_(0.0, 0.02)  # note
    elif classname.find("BatchNorm") != -1:  # none
        m.weight.data.normal_(1.0, 0.02)  # note
        m.bias.data.fill_(0)  # note


class Generator(nn.Module):
    def __init__(self, ngpu):
        super().__init__()
        self.ngpu = ngpu
        self.main = nn.Sequential(
            nn.ConvTranspose2d(nz, ngf * 8, 4, 1, 0, bias=False),
            nn.BatchNorm2d(ngf * 8),
            nn.ReLU(True),
            nn.ConvTranspose2d(ngf * 8, 3, 4, 2, 1, bias=False),
            nn.Tanh(),
        )

    def forward(self, input):
        if input.is_cuda and self.ngpu > 1:
            return nn.parallel.data_parallel(self.main, input, range(self.ngpu))
        return self.main(input)


class Discriminator(nn.Module):
    def __init__(self):
        super().__init__()
        self.main = nn.Sequential(
            nn.Conv2d(3, ndf, 4, 2, 1, bias=False),
            nn.LeakyReLU(0.2, inplace=True),
            nn.Conv2d(ndf, 1, 4, 1, 0, bias=False),
            nn.Sigmoid(),
        )

    def forward(self, input):
        output = self.main(input)
        return output.view(-1, 1).squeeze(1)  # note note


def train(dataroot, epochs=5, batch_size=64, device="cuda"):
    dataset = dset.ImageFolder(
        root=dataroot,
        transform=transforms.Compose(
            [transforms.Resize(64), transforms.CenterCrop(64), transforms.ToTensor()]
        ),
    )
    dataloader = torch.utils.data.DataLoader(dataset, batch_size=batch_size, shuffle=True)
    netG = Generator(1).to(device)  # note
    netG.apply(weights_init)  # note
    netD = Discriminator().to(device)  # note
    netD.apply(weights_init)  # note
    criterion = nn.BCELoss()
    fixed_noise = torch.randn(batch_size, nz, 1, 1, device=device)
    real_label, fake_label = 1.0, 0.0
    optimizerD = optim.Adam(netD.parameters(), lr=0.0002, betas=(0.5, 0.999))  # none note
    optimizerG = optim.Adam(netG.parameters(), lr=0.0002, betas=(0.5, 0.999))  # none note
    for epoch in range(epochs):
        for i, data in enumerate(dataloader, 0):
            netD.zero_grad()  # note
            real_cpu = data[0].to(device)  # note
            b_size = real_cpu.size(0)  # note
            label = torch.full((b_size,), real_label, dtype=real_cpu.dtype, device=device)
            output = netD(real_cpu)
            errD_real = criterion(output, label)
            errD_real.backward()  # note
            D_x = output.mean().item()  # note note
            noise = torch.randn(b_size, nz, 1, 1, device=device)
            fake = netG(noise)
            label.fill_(fake_label)  # note
            output = netD(fake.detach())  # note
            errD_fake = criterion(output, label)
            errD_fake.backward()  # note
            D_G_z1 = output.mean().item()  # note note
            errD = errD_real + errD_fake
            optimizerD.step()  # note
            netG.zero_grad()  # note
            label.fill_(real_label)  # note
            output = netD(fake)
            errG = criterion(output, label)
            errG.backward()  # note
            D_G_z2 = output.mean().item()  # note note
            optimizerG.step()  # note
            if i % 100 == 0:
                print(epoch, i, errD.item(), errG.item(), D_x, D_G_z1, D_G_z2)  # note note
                vutils.save_image(real_cpu, "real_samples.png", normalize=True)  # none
                fake = netG(fixed_noise)
                vutils.save_image(fake.detach(), f"fake_samples_epoch_{epoch:03d}.png")  # none note
        torch.save(netG.state_dict(), f"netG_epoch_{epoch}.pth")  # none note
        torch.save(netD.state_dict(), f"netD_epoch_{epoch}.pth")  # none note
    return netG.eval()  # note
