#include "frontends/machine/machine_checkpoint.h"

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

std::vector<DriveReference> drive_references(Machine& m) {
    std::vector<DriveReference> refs;
    for (unsigned slot = 0; slot < kDriveSlots; ++slot) {
        BlockBackend* d = m.drive_backend(slot);
        if (!d) continue;
        auto kind = slot < 2 ? overlay::BaseHashKind::full : overlay::BaseHashKind::sampled;
        overlay::BaseIdentity id = overlay::compute_base_identity(*d, kind);
        DriveReference ref;
        ref.slot = slot;
        ref.path_hint = d->describe();
        ref.format = "guest-view";
        ref.virtual_size = d->size();
        ref.identity_kind =
            slot < 2 ? DriveIdentityKind::full_disk : DriveIdentityKind::sampled_disk;
        ref.identity = id.hash;
        refs.push_back(ref);
    }
    return refs;
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
    for (DriveReference& ref : drive_references(machine)) w.add_drive(std::move(ref));
    w.write(path);
}

void restore_machine_checkpoint(Machine& machine, const std::string& path) {
    CheckpointReader r = CheckpointReader::open(path);
    check_description(r, describe(machine));
    check_drives(r, drive_references(machine));
    // Description, drives and every chunk's checksum are verified above.
    // load() validates each section before applying it; should a section
    // still be refused, components before it are already restored and the
    // machine must be discarded (the runner exits). RAM goes last.
    StateReader sr(r.state());
    machine.load(sr);
    r.restore_memory("ram", machine.memory().ram());
    r.restore_memory("vram", machine.vga().linear_framebuffer());
    machine.cpu().invalidate_physical(0, machine.memory().ram_size());
}

}  // namespace sandpc
