// One entry point per parser that takes untrusted bytes. Each has the
// libFuzzer contract: any input, return 0, and a crash, a sanitizer report or
// a __builtin_trap() (a broken invariant) is a finding. Expected rejections
// (StateError, BlockError, CheckpointError) are caught inside.
#pragma once

#include <cstddef>
#include <cstdint>

namespace sandpc::fuzz {

// The instruction decoder and disassembler over the bytes, in 16- and 32-bit
// mode, at every offset.
int decoder(const uint8_t* data, size_t size);
// The first byte picks the reader: a generic walk over the sections with
// StateReader, Cpu::load (then a few instructions run), or Pit8254::load
// (then its ports are read).
int state_stream(const uint8_t* data, size_t size);
// The bytes as a sandpc overlay file, opened from a temporary file over a
// zero base, then read at offsets derived from the input.
int overlay(const uint8_t* data, size_t size);
// The bytes as a qcow2 file, opened from a temporary file without a backing
// image, then read the same way.
int qcow2(const uint8_t* data, size_t size);
// The bytes after the first as a machine checkpoint file: opened (which
// validates it all), then every memory region up to 16 MiB restored. An odd
// first byte recomputes the file's checksums first, so mutations get past
// them to the structural checks.
int checkpoint(const uint8_t* data, size_t size);

}  // namespace sandpc::fuzz
