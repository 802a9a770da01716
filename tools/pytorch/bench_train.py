#!/usr/bin/python3
"""PyTorch baseline of `swarm bench train`: trains the same network as Swarm's zoo with Adam on random 28x28
images and prints the training throughput per wall-clock second (`img_per_s=`, last line) and per CPU second of
the process (`img_per_cpu_s=`).

Models (the same definitions as Swarm.Learning/Training/Zoo):
  smallcnn  conv3x3 32 -> ReLU -> max-pool -> conv3x3 64 -> ReLU -> max-pool -> fc 128 -> ReLU -> fc classes (1x28x28)
  resnet18  MedMNIST's ResNet-18: 3x3 stem, stride 1, no max-pool, BasicBlocks [2,2,2,2], BatchNorm (3x28x28)

Usage: /usr/bin/python3 tools/pytorch/bench_train.py --model smallcnn --threads 2 --batch 128 --images 2560 --epochs 3
"""
import argparse
import time

import torch
from torch import nn
import torch.nn.functional as F


class SmallCnn(nn.Module):
    def __init__(self, channels: int, classes: int) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(channels, 32, 3, padding=1)
        self.conv2 = nn.Conv2d(32, 64, 3, padding=1)
        self.fc1 = nn.Linear(64 * 7 * 7, 128)
        self.fc2 = nn.Linear(128, classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = F.relu(self.fc1(torch.flatten(x, 1)))
        return self.fc2(x)


class BasicBlock(nn.Module):
    def __init__(self, in_planes: int, planes: int, stride: int) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(in_planes, planes, 3, stride, 1, bias=False)
        self.norm1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, 1, 1, bias=False)
        self.norm2 = nn.BatchNorm2d(planes)
        self.shortcut = nn.Sequential()
        if stride != 1 or in_planes != planes:
            self.shortcut = nn.Sequential(nn.Conv2d(in_planes, planes, 1, stride, bias=False), nn.BatchNorm2d(planes))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = F.relu(self.norm1(self.conv1(x)))
        out = self.norm2(self.conv2(out))
        return F.relu(out + self.shortcut(x))


class ResNet18(nn.Module):
    def __init__(self, channels: int, classes: int) -> None:
        super().__init__()
        self.stem = nn.Conv2d(channels, 64, 3, 1, 1, bias=False)
        self.stem_norm = nn.BatchNorm2d(64)
        blocks, in_planes = [], 64
        for stage, planes in enumerate([64, 128, 256, 512]):
            for index in range(2):
                blocks.append(BasicBlock(in_planes, planes, 2 if stage > 0 and index == 0 else 1))
                in_planes = planes
        self.blocks = nn.Sequential(*blocks)
        self.fc = nn.Linear(512, classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = F.relu(self.stem_norm(self.stem(x)))
        x = F.adaptive_avg_pool2d(self.blocks(x), 1)
        return self.fc(torch.flatten(x, 1))


def epoch(model, optimizer, images, labels, batch, generator) -> None:
    order = torch.randperm(images.shape[0], generator=generator)
    for start in range(0, images.shape[0], batch):
        index = order[start:start + batch]
        optimizer.zero_grad()
        loss = F.cross_entropy(model(images[index]), labels[index])
        loss.backward()
        optimizer.step()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", choices=["smallcnn", "resnet18"], default="smallcnn")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--images", type=int, default=2560)
    parser.add_argument("--epochs", type=int, default=3)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.set_num_interop_threads(1)
    torch.manual_seed(1)
    channels = 1 if args.model == "smallcnn" else 3
    generator = torch.Generator().manual_seed(1)
    images = torch.randn(args.images, channels, 28, 28, generator=generator)
    labels = torch.randint(0, 2, (args.images,), generator=generator)
    model = SmallCnn(channels, 2) if args.model == "smallcnn" else ResNet18(channels, 2)
    model.train()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    epoch(model, optimizer, images, labels, args.batch, generator)  # warm-up
    start, start_cpu = time.perf_counter(), time.process_time()
    for _ in range(args.epochs):
        epoch(model, optimizer, images, labels, args.batch, generator)
    seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - start_cpu
    print(f"torch {torch.__version__}, {args.model}, {args.threads} threads, batch {args.batch}")
    print(f"img_per_cpu_s={args.images * args.epochs / cpu_seconds:.1f}")
    print(f"img_per_s={args.images * args.epochs / seconds:.1f}")


if __name__ == "__main__":
    main()
