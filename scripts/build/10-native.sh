#!/usr/bin/env bash
# Builds the native libtorch shim (native/ -> native/build/libswarm_torch.so) with CMake, Release, out of tree.
# Incremental: CMake/make only recompile and relink what changed. Two jobs: libtorch headers are memory hungry.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
build="$root/native/build"
mkdir -p "$build"
if [ ! -f "$build/CMakeCache.txt" ]; then
  cmake -S "$root/native" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
fi
cmake --build "$build" -- -j2 --no-print-directory >/dev/null
