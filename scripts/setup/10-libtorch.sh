#!/usr/bin/env bash
# libtorch 1.13.1 from Debian (headers, CMake config, shared objects), the compiler and CMake that build the shim,
# and python3-torch for the TorchScript fixture script and the PyTorch baseline of `swarm bench train`.
set -euo pipefail
# shellcheck source=../lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
apt_install libtorch-dev cmake g++ python3-torch
