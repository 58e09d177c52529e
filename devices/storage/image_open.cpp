#include "devices/storage/image_open.h"

#include <cstdlib>
#include <filesystem>
#include <vector>

#include "devices/storage/host_file.h"
#include "devices/storage/overlay_backend.h"
#include "devices/storage/qcow2_backend.h"
#include "devices/storage/raw_backend.h"

namespace sandpc {
namespace {

namespace fs = std::filesystem;

ImageFormat format_from_name(const std::string& name, const std::string& image) {
    if (name == "raw") return ImageFormat::raw;
    if (name == "qcow2") return ImageFormat::qcow2;
    if (name == "sandpc-overlay") return ImageFormat::overlay;
    throw BlockError(image + ": backing format '" + name + "' is not supported");
}

ImageFormat format_from_overlay(overlay::BaseFormat f, const std::string& path) {
    switch (f) {
        case overlay::BaseFormat::raw: return ImageFormat::raw;
        case overlay::BaseFormat::overlay: return ImageFormat::overlay;
        case overlay::BaseFormat::qcow2: return ImageFormat::qcow2;
        case overlay::BaseFormat::probe: break;
    }
    return probe_format(path);
}

class ChainOpener {
  public:
    explicit ChainOpener(const ImageOpenOptions& options) : options_(options) {}

    BlockBackendPtr open(const std::string& path, ImageFormat format, bool writable) {
        std::error_code ec;
        fs::path canonical = fs::weakly_canonical(path, ec);
        std::string key = ec ? path : canonical.string();
        for (const std::string& seen : chain_)
            if (seen == key) throw BlockError(path + ": loop in the chain of base images");
        if (chain_.size() >= options_.max_chain_depth)
            throw BlockError(path + ": chain of base images is deeper than " +
                             std::to_string(options_.max_chain_depth));
        chain_.push_back(key);
        BlockBackendPtr result = open_one(path, format, writable);
        chain_.pop_back();
        return result;
    }

  private:
    BlockBackendPtr open_one(const std::string& path, ImageFormat format, bool writable) {
        switch (format) {
            case ImageFormat::raw: return RawBackend::open(path, writable);
            case ImageFormat::qcow2: {
                if (writable)
                    throw BlockError(path +
                                     ": qcow2 images are opened read-only; "
                                     "create an overlay over it to write");
                return Qcow2Backend::open(path, [&](const std::string& name,
                                                    const std::string& fmt) {
                    std::string base = resolve_base_path(path, name);
                    ImageFormat f = fmt.empty() ? probe_format(base) : format_from_name(fmt, path);
                    return open(base, f, false);
                });
            }
            case ImageFormat::overlay: {
                overlay::Header h = OverlayBackend::read_header(path);
                std::string base_path = resolve_base_path(path, h.base_hint);
                BlockBackendPtr base =
                    open(base_path, format_from_overlay(h.base_format, base_path), false);
                OverlayOpenOptions o;
                o.writable = writable;
                o.verify_base = options_.verify_base;
                return OverlayBackend::open(path, std::move(base), o);
            }
        }
        throw BlockError(path + ": unknown image format");
    }

    const ImageOpenOptions& options_;
    std::vector<std::string> chain_;
};

}  // namespace

const char* format_name(ImageFormat format) {
    switch (format) {
        case ImageFormat::raw: return "raw";
        case ImageFormat::overlay: return "sandpc-overlay";
        case ImageFormat::qcow2: return "qcow2";
    }
    return "?";
}

ImageFormat probe_format(const std::string& path) {
    HostFile file(path, HostFile::Mode::read_only);
    uint8_t magic[8] = {};
    file.read_at(0, magic);
    if (overlay::has_magic(magic)) return ImageFormat::overlay;
    if (Qcow2Backend::has_magic(magic)) return ImageFormat::qcow2;
    return ImageFormat::raw;
}

std::string resolve_base_path(const std::string& image_path, const std::string& name) {
    if (name.empty()) throw BlockError(image_path + ": image names no base");
    fs::path p(name);
    if (p.is_absolute()) return name;
    return (fs::path(image_path).parent_path() / p).string();
}

BlockBackendPtr open_image(const std::string& path, const ImageOpenOptions& options) {
    ChainOpener opener(options);
    return opener.open(path, probe_format(path), options.writable);
}

BlockBackendPtr make_snapshot(BlockBackendPtr base) {
    const char* tmp = std::getenv("TMPDIR");
    return OverlayBackend::create_temporary(std::move(base), tmp && *tmp ? tmp : "/tmp");
}

BlockBackendPtr open_image_snapshot(const std::string& path) {
    return make_snapshot(open_image(path, {}));
}

}  // namespace sandpc
