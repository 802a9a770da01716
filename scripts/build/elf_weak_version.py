#!/usr/bin/env python3
"""Marks one version requirement of an ELF64 shared object weak (VER_FLG_WEAK in its .gnu.version_r entry).

Usage: elf_weak_version.py LIBRARY VERSION

The dynamic loader refuses to load a library that needs a symbol version its dependency does not define, unless
the requirement is weak; then it only looks the symbol up, and an unversioned definition of it (from a library
on the DT_NEEDED list) satisfies the reference. Exit 0 when the flag is set (or already was); 1 when the library
does not need that version.
"""
import struct
import sys

VER_FLG_WEAK = 0x2
SHT_GNU_VERNEED = 0x6FFFFFFE


def main() -> int:
    path, version = sys.argv[1], sys.argv[2].encode()
    data = bytearray(open(path, "rb").read())
    if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        print(f"{path}: not a little-endian ELF64 file", file=sys.stderr)
        return 1
    shoff, = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum = struct.unpack_from("<HH", data, 0x3A)
    sections = [struct.unpack_from("<IIQQQQIIQQ", data, shoff + i * shentsize) for i in range(shnum)]
    found = False
    for (_, kind, _, _, offset, _, link, count, _, _) in sections:
        if kind != SHT_GNU_VERNEED:
            continue
        strings = sections[link][4]
        need = offset
        for _ in range(count):
            _, aux_count, _, aux, next_need = struct.unpack_from("<HHIII", data, need)
            entry = need + aux
            for _ in range(aux_count):
                _, flags, _, name, next_aux = struct.unpack_from("<IHHII", data, entry)
                end = data.index(b"\0", strings + name)
                if bytes(data[strings + name:end]) == version:
                    found = True
                    struct.pack_into("<H", data, entry + 4, flags | VER_FLG_WEAK)
                entry += next_aux
            need += next_need
    if not found:
        print(f"{path}: needs no version {version.decode()}", file=sys.stderr)
        return 1
    with open(path, "wb") as out:
        out.write(data)
    return 0


if __name__ == "__main__":
    sys.exit(main())
