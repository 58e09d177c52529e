#!/usr/bin/env python3
"""Copies a FAT12 floppy image, replacing AUTOEXEC.BAT's content (which must
fit in the file's first cluster)."""
import struct
import sys

src, dst, text = sys.argv[1], sys.argv[2], sys.argv[3].encode("latin-1")
img = bytearray(open(src, "rb").read())
bps, spc, reserved, fats, root_entries = struct.unpack_from("<HBHBH", img, 11)
fat_sectors = struct.unpack_from("<H", img, 22)[0]
root = (reserved + fats * fat_sectors) * bps
data = root + root_entries * 32
for i in range(root_entries):
    entry = root + i * 32
    if img[entry:entry + 11] == b"AUTOEXECBAT":
        cluster = struct.unpack_from("<H", img, entry + 26)[0]
        if len(text) > spc * bps:
            sys.exit("new AUTOEXEC.BAT does not fit in one cluster")
        start = data + (cluster - 2) * spc * bps
        img[start:start + len(text)] = text
        struct.pack_into("<I", img, entry + 28, len(text))
        open(dst, "wb").write(img)
        sys.exit(0)
sys.exit("AUTOEXEC.BAT not found in the root directory")
