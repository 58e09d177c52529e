// Opens a disk image of any supported format with its whole base chain:
// the format is probed from the file's magic (never from its name), bases
// are resolved relative to the image naming them, and every base is opened
// read-only.
#pragma once

#include <string>

#include "devices/storage/block_backend.h"

namespace sandpc {

enum class ImageFormat { raw, overlay, qcow2 };

const char* format_name(ImageFormat format);
ImageFormat probe_format(const std::string& path);

struct ImageOpenOptions {
    bool writable = false;  // only the top image; bases are always read-only
    bool verify_base = true;
    unsigned max_chain_depth = 16;
};

BlockBackendPtr open_image(const std::string& path, const ImageOpenOptions& options = {});

// `-snapshot`: opens `path` (and its chain) read-only under a temporary overlay
// in $TMPDIR (or /tmp). Writes succeed and are visible to reads but vanish
// when the backend is destroyed; the image itself is never written.
BlockBackendPtr open_image_snapshot(const std::string& path);
BlockBackendPtr make_snapshot(BlockBackendPtr base);

// Where a base named `name` inside the image at `image_path` lives:
// absolute names as they are, relative ones beside the image.
std::string resolve_base_path(const std::string& image_path, const std::string& name);

}  // namespace sandpc
