// Whole-image operations behind `sandpc-img`: create, inspect, check,
// commit, convert and discard.
#pragma once

#include <string>
#include <vector>

#include "devices/storage/overlay_format.h"

namespace sandpc {

struct CreateOverlayOptions {
    uint32_t cluster_bits = overlay::kDefaultClusterBits;
    overlay::BaseHashKind hash_kind = overlay::BaseHashKind::sampled;
};

// A new overlay at `overlay_path` over the image at `base_path` (any format;
// its chain must open). The base is named relative to the overlay's folder.
void create_overlay(const std::string& overlay_path, const std::string& base_path,
                    const CreateOverlayOptions& options = {});
void create_raw_image(const std::string& path, uint64_t size);

// Human-readable facts: format, sizes, chain, allocation.
std::string image_info(const std::string& path);

struct CheckReport {
    std::vector<std::string> errors;  // corruption: the image must not be trusted
    std::vector<std::string> notes;   // harmless, e.g. space leaked by a crash
    bool ok() const { return errors.empty(); }
};
// Throws BlockError only when the file itself cannot be read.
CheckReport check_image(const std::string& path);

// Writes every cluster of the overlay into its base (which is opened
// writable for this), then empties the overlay and re-binds it to the
// changed base. Other overlays over the same base become invalid.
void commit_overlay(const std::string& overlay_path);
// Writes the disk `in_path` shows (any format, whole chain) to a new sparse
// raw image.
void convert_to_raw(const std::string& in_path, const std::string& out_path);
// Drops everything written to the overlay: it reads like its base again.
void discard_overlay(const std::string& overlay_path);

}  // namespace sandpc
