#!/usr/bin/env bash
# What the TorchSharp engine's set-up needs (scripts/build/10-torchsharp.sh): g++ for the libstdc++ bridge,
# patchelf and python3 to patch libLibTorchSharp.so; and Debian's python3-torch, the PyTorch 1.13 baseline of
# `swarm bench train` and the script that wrote the TorchScript test fixture (no test or command needs it).
set -euo pipefail
# shellcheck source=../lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
apt_install g++ patchelf python3 python3-torch
