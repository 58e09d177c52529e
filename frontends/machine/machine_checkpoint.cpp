#include "frontends/machine/machine_checkpoint.h"

#include "devices/storage/overlay_backend.h"
#include "devices/storage/overlay_format.h"
#include "snapshot/checkpoint_file.h"
#include "snapshot/state_stream.h"

namespace sandpc {

namespace {

constexpr unsigned kDriveSlots = 7;  // 0-1 floppies, 2-5 hard disks, 6 the CD

MachineDescription describe(Machine& m) {
    return {{"machine", "sandpc-pc-1"},
            {"ram_bytes", std::to_string(m.memory().ram_size())},
            {"vram_bytes", std::to_string(m.vga().linear_framebuffer().size())}};
}

// The drive's temporary overlay (runner without --writable, -snapshot), if
// it runs on one.
OverlayBackend* temporary_overlay(BlockBackend* d) {
    auto* o = dynamic_cast<OverlayBackend*>(d);
    return o && o->temporary() ? o : nullptr;
}

// `carried(slot)`: whether the slot's temporary overlay travels in the
// checkpoint, so that the slot is identified by the base under it.
template <typename Carried>
std::vector<DriveReference> drive_references(Machine& m, Carried carried) {
    std::vector<DriveReference> refs;
    for (unsigned slot = 0; slot < kDriveSlots; ++slot) {
        BlockBackend* d = m.drive_backend(slot);
        if (!d) continue;
        DriveReference ref;
        ref.slot = slot;
        ref.path_hint = d->describe();
        ref.format = "guest-view";
        OverlayBackend* overlay = temporary_overlay(d);
        if (overlay && carried(slot)) {
            ref.format = kTemporaryOverlayFormat;
            ref.path_hint = overlay->base().describe();
            d = &overlay->base();
        }
        auto kind = slot < 2 ? overlay::BaseHashKind::full : overlay::BaseHashKind::sampled;
        ref.virtual_size = d->size();
        ref.identity_kind =
            slot < 2 ? DriveIdentityKind::full_disk : DriveIdentityKind::sampled_disk;
        ref.identity = overlay::compute_base_identity(*d, kind).hash;
        refs.push_back(ref);
    }
    return refs;
}

DriveOverlaySource overlay_source(unsigned slot, OverlayBackend& o) {
    DriveOverlaySource s;
    s.slot = slot;
    s.cluster_bits = o.header().cluster_bits;
    s.virtual_size = o.size();
    s.clusters = o.written_clusters();
    s.read_cluster = [&o, bits = s.cluster_bits](uint64_t index, std::span<uint8_t> out) {
        o.read(index << bits, out);
    };
    return s;
}

// Before anything changes: each carried overlay must land on a drive that
// runs on a fresh temporary overlay.
void check_overlay_targets(Machine& m, const CheckpointReader& r) {
    for (const DriveReference& saved : r.drives()) {
        if (saved.format != kTemporaryOverlayFormat) continue;
        std::string slot = "checkpoint " + r.path() + ": drive slot " + std::to_string(saved.slot);
        OverlayBackend* o = temporary_overlay(m.drive_backend(saved.slot));
        if (!o)
            throw CheckpointError(slot +
                                  " carries the guest's writes from a temporary overlay; "
                                  "open its image without --writable to restore it");
        if (!o->written_clusters().empty())
            throw CheckpointError(slot + ": its temporary overlay was written before the restore");
    }
}

}  // namespace

void save_machine_checkpoint(Machine& machine, const std::string& path) {
    StateWriter state;
    machine.save(state, /*include_video_memory=*/false);
    CheckpointWriter w;
    w.set_description(describe(machine));
    w.set_state(state.take());
    w.add_memory("ram", machine.memory().ram());
    w.add_memory("vram", machine.vga().linear_framebuffer());
    // A temporary overlay the guest wrote to travels with the checkpoint;
    // an unwritten one is referenced like any image (readable by 1.0 builds).
    std::vector<DriveOverlaySource> overlays;
    for (unsigned slot = 0; slot < kDriveSlots; ++slot)
        if (OverlayBackend* o = temporary_overlay(machine.drive_backend(slot))) {
            DriveOverlaySource s = overlay_source(slot, *o);
            if (!s.clusters.empty()) overlays.push_back(std::move(s));
        }
    auto carried = [&](unsigned slot) {
        for (const DriveOverlaySource& s : overlays)
            if (s.slot == slot) return true;
        return false;
    };
    for (DriveReference& ref : drive_references(machine, carried)) w.add_drive(std::move(ref));
    for (DriveOverlaySource& s : overlays) w.add_drive_overlay(std::move(s));
    w.write(path);
}

void restore_machine_checkpoint(Machine& machine, const std::string& path) {
    CheckpointReader r = CheckpointReader::open(path);
    check_description(r, describe(machine));
    check_overlay_targets(machine, r);
    check_drives(r, drive_references(
                        machine, [&](unsigned slot) { return r.drive_overlay(slot) != nullptr; }));
    // Description, drives and every chunk's checksum are verified above.
    // The guest's disk writes are replayed first; load() validates each
    // section before applying it; should a section still be refused,
    // components before it are already restored and the machine must be
    // discarded (the runner exits). RAM goes last.
    for (const DriveReference& saved : r.drives()) {
        if (!r.drive_overlay(saved.slot)) continue;
        BlockBackend* d = machine.drive_backend(saved.slot);
        r.replay_drive_overlay(saved.slot, [d](uint64_t offset, std::span<const uint8_t> data) {
            d->write(offset, data);
        });
    }
    StateReader sr(r.state());
    machine.load(sr);
    r.restore_memory("ram", machine.memory().ram());
    r.restore_memory("vram", machine.vga().linear_framebuffer());
    machine.cpu().invalidate_physical(0, machine.memory().ram_size());
}

}  // namespace sandpc
