#include "devices/storage/image_ops.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <sstream>

#include "devices/storage/host_file.h"
#include "devices/storage/image_open.h"
#include "devices/storage/overlay_backend.h"
#include "devices/storage/qcow2_backend.h"
#include "devices/storage/raw_backend.h"
#include "devices/storage/zero_backend.h"

namespace sandpc {
namespace {

namespace fs = std::filesystem;

overlay::BaseFormat overlay_base_format(ImageFormat f) {
    switch (f) {
        case ImageFormat::raw: return overlay::BaseFormat::raw;
        case ImageFormat::overlay: return overlay::BaseFormat::overlay;
        case ImageFormat::qcow2: return overlay::BaseFormat::qcow2;
    }
    return overlay::BaseFormat::probe;
}

std::string base_hint_for(const std::string& overlay_path, const std::string& base_path) {
    fs::path base = fs::absolute(base_path);
    fs::path dir = fs::absolute(overlay_path).parent_path();
    std::error_code ec;
    fs::path rel = fs::relative(base, dir, ec);
    return ec || rel.empty() ? base.lexically_normal().string() : rel.string();
}

void sync_dir_of(const std::string& path) {
    std::string dir = fs::absolute(path).parent_path().string();
    int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return;
    ::fsync(fd);
    ::close(fd);
}

// Atomically replaces the overlay at `path` by an empty one with `header`'s
// settings and the given base identity: a crash leaves the old or the new.
void replace_with_empty_overlay(const std::string& path, const overlay::Header& header,
                                const overlay::BaseIdentity& identity) {
    std::string tmp = path + ".new";
    std::error_code ec;
    fs::remove(tmp, ec);
    OverlayCreateOptions o;
    o.cluster_bits = header.cluster_bits;
    o.hash_kind = identity.kind;
    o.base_format = header.base_format;
    o.base_hint = header.base_hint;
    OverlayBackend::create_file(tmp, identity, o);
    fs::rename(tmp, path, ec);
    if (ec) throw BlockError(path + ": cannot replace the overlay: " + ec.message());
    sync_dir_of(path);
}

std::string size_text(uint64_t bytes) {
    std::ostringstream s;
    s << bytes << " bytes";
    const char* units[] = {"KiB", "MiB", "GiB", "TiB"};
    double v = static_cast<double>(bytes);
    int u = -1;
    while (v >= 1024 && u < 3) {
        v /= 1024;
        ++u;
    }
    if (u >= 0) {
        char buf[32];
        std::snprintf(buf, sizeof buf, " (%.1f %s)", v, units[u]);
        s << buf;
    }
    return s.str();
}

}  // namespace

void create_overlay(const std::string& overlay_path, const std::string& base_path,
                    const CreateOverlayOptions& options) {
    ImageFormat format = probe_format(base_path);
    BlockBackendPtr base = open_image(base_path, {});
    OverlayCreateOptions o;
    o.cluster_bits = options.cluster_bits;
    o.hash_kind = options.hash_kind;
    o.base_format = overlay_base_format(format);
    o.base_hint = base_hint_for(overlay_path, base_path);
    OverlayBackend::create_file(overlay_path, *base, o);
}

void create_raw_image(const std::string& path, uint64_t size) {
    RawBackend::create(path, size)->flush();
}

std::string image_info(const std::string& path) {
    std::ostringstream s;
    ImageFormat format = probe_format(path);
    HostFile file(path, HostFile::Mode::read_only);
    s << "image: " << path << "\nformat: " << format_name(format)
      << "\nfile size: " << size_text(file.size()) << "\n";
    if (format == ImageFormat::raw) {
        s << "virtual size: " << size_text(file.size()) << "\n";
    } else if (format == ImageFormat::qcow2) {
        Qcow2Info q = Qcow2Backend::read_info(file);
        s << "virtual size: " << size_text(q.virtual_size) << "\nqcow2 version: " << q.version
          << "\ncluster size: " << (uint64_t{1} << q.cluster_bits) << "\n";
        if (!q.backing_file.empty())
            s << "backing file: " << q.backing_file
              << (q.backing_format.empty() ? "" : " (format " + q.backing_format + ")") << "\n";
    } else {
        overlay::Header h = OverlayBackend::read_header(path);
        s << "virtual size: " << size_text(h.virtual_size) << "\noverlay version: " << h.version
          << "\ncluster size: " << h.cluster_size() << "\nbase: " << h.base_hint
          << "\nbase identity: " << size_text(h.base.size) << ", "
          << (h.base.kind == overlay::BaseHashKind::full ? "full" : "sampled") << " sha256 "
          << overlay::hex(h.base.hash) << "\n";
        OverlayOpenOptions o;
        o.verify_base = false;
        auto ov = OverlayBackend::open(HostFile(path, HostFile::Mode::read_only),
                                       std::make_unique<ZeroBackend>(h.virtual_size), o);
        uint64_t allocated = 0;
        for (uint32_t i = 0; i < h.l1_entries; ++i)
            if (auto* t = ov->l2_table(i))
                allocated += static_cast<uint64_t>(
                    std::count_if(t->begin(), t->end(), [](uint64_t e) { return e != 0; }));
        s << "allocated clusters: " << allocated << " of " << ov->cluster_count() << "\n";
    }
    if (format != ImageFormat::raw) {
        try {
            s << "chain: " << open_image(path, {})->describe() << "\n";
        } catch (const BlockError& e) {
            s << "chain: cannot be opened: " << e.what() << "\n";
        }
    }
    return s.str();
}

CheckReport check_image(const std::string& path) {
    CheckReport report;
    ImageFormat format = probe_format(path);  // throws if unreadable
    if (format == ImageFormat::raw) {
        report.notes.push_back("raw image: no structure to check");
        return report;
    }
    if (format == ImageFormat::qcow2) {
        try {
            std::string backing_problem;
            auto q = Qcow2Backend::open(
                path, [&](const std::string& name, const std::string&) -> BlockBackendPtr {
                    try {
                        return open_image(resolve_base_path(path, name), {});
                    } catch (const BlockError& e) {
                        backing_problem = e.what();
                        return nullptr;
                    }
                });
            if (!backing_problem.empty())
                report.errors.push_back("backing image: " + backing_problem);
            for (auto& p : q->verify_map()) report.errors.push_back(p);
        } catch (const BlockError& e) {
            report.errors.push_back(e.what());
        }
        return report;
    }
    overlay::Header h;
    try {
        h = OverlayBackend::read_header(path);
    } catch (const BlockError& e) {
        report.errors.push_back(e.what());
        return report;
    }
    BlockBackendPtr base;
    try {
        base = open_image(path, {});  // opens the chain and checks the base's identity
    } catch (const BlockError& e) {
        report.errors.push_back(std::string("cannot open with its base: ") + e.what());
    }
    base.reset();
    try {
        OverlayOpenOptions o;
        o.verify_base = false;
        auto ov = OverlayBackend::open(HostFile(path, HostFile::Mode::read_only),
                                       std::make_unique<ZeroBackend>(h.virtual_size), o);
        auto problems = ov->verify_map();
        report.errors.insert(report.errors.end(), problems.begin(), problems.end());
        if (problems.empty()) {
            uint64_t used = 0;
            for (uint32_t i = 0; i < h.l1_entries; ++i)
                if (auto* t = ov->l2_table(i))
                    used += 1 + static_cast<uint64_t>(std::count_if(
                                    t->begin(), t->end(), [](uint64_t e) { return e != 0; }));
            uint64_t expected_end = h.data_start() + used * h.cluster_size();
            if (ov->file_end() > expected_end)
                report.notes.push_back(
                    std::to_string(ov->file_end() - expected_end) +
                    " bytes are not referenced by the map (left by an interrupted write; "
                    "harmless)");
        }
    } catch (const BlockError& e) {
        report.errors.push_back(e.what());
    }
    return report;
}

void commit_overlay(const std::string& overlay_path) {
    overlay::Header h = OverlayBackend::read_header(overlay_path);
    std::string base_path = resolve_base_path(overlay_path, h.base_hint);
    if (probe_format(base_path) == ImageFormat::qcow2)
        throw BlockError(overlay_path +
                         ": cannot commit into a qcow2 base (read-only); "
                         "use commit --into NEW to write a raw image");
    {
        auto top = open_image(overlay_path, {});
        auto* ov = dynamic_cast<OverlayBackend*>(top.get());
        if (!ov) throw BlockError(overlay_path + ": not an overlay");
        ImageOpenOptions writable;
        writable.writable = true;
        auto base = open_image(base_path, writable);
        std::vector<uint8_t> buf(h.cluster_size());
        for (uint64_t i = 0; i < ov->cluster_count(); ++i) {
            if (!ov->cluster_location(i)) continue;
            uint64_t start = i * h.cluster_size();
            size_t n = static_cast<size_t>(std::min<uint64_t>(buf.size(), h.virtual_size - start));
            ov->read(start, {buf.data(), n});
            base->write(start, {buf.data(), n});
        }
        base->flush();
        // The overlay now re-binds to the base as it has become.
        h.base = overlay::compute_base_identity(*base, h.base.kind);
    }
    replace_with_empty_overlay(overlay_path, h, h.base);
}

void convert_to_raw(const std::string& in_path, const std::string& out_path) {
    auto in = open_image(in_path, {});
    auto out = RawBackend::create(out_path, in->size());
    try {
        std::vector<uint8_t> buf(1 << 20);
        for (uint64_t off = 0; off < in->size(); off += buf.size()) {
            size_t n = static_cast<size_t>(std::min<uint64_t>(buf.size(), in->size() - off));
            std::span<uint8_t> chunk(buf.data(), n);
            in->read(off, chunk);
            // The new file is sparse: zero chunks need no write.
            if (std::any_of(chunk.begin(), chunk.end(), [](uint8_t b) { return b != 0; }))
                out->write(off, chunk);
        }
        out->flush();
    } catch (...) {
        out.reset();
        std::error_code ec;
        fs::remove(out_path, ec);
        throw;
    }
}

void discard_overlay(const std::string& overlay_path) {
    overlay::Header h = OverlayBackend::read_header(overlay_path);
    replace_with_empty_overlay(overlay_path, h, h.base);
}

}  // namespace sandpc
