// One fuzz input: the bytes of an image file (overlay or qcow2), opened,
// read, written (overlays) and checked. Corrupt input must end in a
// BlockError, never a crash, a hang or a huge allocation.
#pragma once

#include <cstddef>
#include <cstdint>

namespace sandpc {

// Returns true when the input opened as an image.
bool fuzz_image_input(const uint8_t* data, size_t size);

}  // namespace sandpc
