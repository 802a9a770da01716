#!/usr/bin/env bash
# Makes TorchSharp-cpu (LibTorch 2.10) load on Debian 12.
#
# TorchSharp 0.107's libLibTorchSharp.so needs GLIBCXX_3.4.32 for one symbol, std::ios_base_library_init()
# (new in GCC 13's libstdc++); Debian 12 ships GCC 12's. When the system libstdc++ lacks that version, this step
#   1. builds native/glibcxx-bridge (that one symbol, unversioned) into .build/torchsharp/, which the
#      Swarm.Learning project copies beside libLibTorchSharp.so in every build output;
#   2. in the restored package (NuGet's global packages folder), marks the GLIBCXX_3.4.32 requirement of
#      libLibTorchSharp.so weak and adds the bridge to its DT_NEEDED list (patchelf). The original file is kept
#      beside it as libLibTorchSharp.so.orig. Idempotent; a newer libstdc++ needs none of it.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
out="$root/.build/torchsharp"
bridge="$out/libswarm_glibcxx_bridge.so"
mkdir -p "$out"

fail() { echo "[swarm] TorchSharp set-up: $*" >&2; exit 1; }

if [ ! -f "$bridge" ] || [ "$root/native/glibcxx-bridge/glibcxx_bridge.cpp" -nt "$bridge" ]; then
  g++ -shared -fPIC -O2 -Wl,-soname,libswarm_glibcxx_bridge.so -o "$bridge" "$root/native/glibcxx-bridge/glibcxx_bridge.cpp" \
    || fail "could not build the libstdc++ bridge (g++ is installed by scripts/setup/10-torchsharp.sh)"
fi

version="$(grep -o 'Include="TorchSharp-cpu" Version="[^"]*"' "$root/Directory.Packages.props" | grep -o 'Version="[^"]*"' | cut -d'"' -f2)"
[ -n "$version" ] || fail "Directory.Packages.props names no TorchSharp-cpu version"
dotnet restore "$root/Swarm.sln" -nologo -v q >/dev/null || fail "NuGet restore failed"
packages="${NUGET_PACKAGES:-$(dotnet nuget locals global-packages --list | sed 's/^global-packages: //')}"
lib="${packages%/}/torchsharp/$version/runtimes/linux-x64/native/libLibTorchSharp.so"
[ -f "$lib" ] || fail "$lib is missing after the restore"

stdcxx="$(g++ -print-file-name=libstdc++.so.6)"
if grep -qa 'GLIBCXX_3\.4\.32' "$stdcxx"; then
  exit 0  # this libstdc++ is new enough
fi
if readelf -d "$lib" | grep -q 'libswarm_glibcxx_bridge\.so'; then
  exit 0  # patched already
fi
echo "[swarm] bridging libLibTorchSharp.so to this system's libstdc++ ($lib)" >&2
[ -f "$lib.orig" ] || cp -p "$lib" "$lib.orig"
work="$(mktemp "$lib.XXXXXX")"
cp "$lib.orig" "$work"
python3 "$root/scripts/build/elf_weak_version.py" "$work" GLIBCXX_3.4.32 || fail "could not mark GLIBCXX_3.4.32 weak in $lib"
patchelf --add-needed libswarm_glibcxx_bridge.so "$work" || fail "patchelf could not add the bridge to $lib"
chmod --reference="$lib.orig" "$work"
mv -f "$work" "$lib"
