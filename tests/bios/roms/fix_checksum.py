#!/usr/bin/env python3
"""Writes an option ROM with a correct 8-bit checksum (last byte of the
declared length) and a copy whose checksum is off by one.
Usage: fix_checksum.py IN GOOD_OUT BAD_OUT"""
import sys

rom = bytearray(open(sys.argv[1], "rb").read())
length = rom[2] * 512
rom[length - 1] = 0
rom[length - 1] = (-sum(rom[:length])) & 0xFF
open(sys.argv[2], "wb").write(rom)
rom[length - 1] = (rom[length - 1] + 1) & 0xFF
open(sys.argv[3], "wb").write(rom)
