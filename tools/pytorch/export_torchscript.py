#!/usr/bin/python3
"""Writes the TorchScript fixture Swarm.Tests/Fixtures/tiny_cnn.pt with Debian's python3-torch.

A tiny CNN for 1x8x8 images and 2 classes (conv 4 -> ReLU -> max-pool -> linear), scripted so that Swarm's engine
loads it with torch.jit.load (TorchSharp) and trains it like a zoo model; LibTorch 2.10 reads PyTorch 1.13's format. Run: /usr/bin/python3 tools/pytorch/export_torchscript.py
"""
import os
import sys

import torch
from torch import nn


class TinyCnn(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(1, 4, kernel_size=3, padding=1)
        self.fc = nn.Linear(4 * 4 * 4, 2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = torch.max_pool2d(torch.relu(self.conv(x)), 2)
        return self.fc(torch.flatten(h, 1))


def main() -> None:
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    target = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, "Swarm.Tests", "Fixtures", "tiny_cnn.pt")
    torch.manual_seed(7)
    module = torch.jit.script(TinyCnn())
    os.makedirs(os.path.dirname(target), exist_ok=True)
    module.save(target)
    print(f"wrote {target}")


if __name__ == "__main__":
    main()
