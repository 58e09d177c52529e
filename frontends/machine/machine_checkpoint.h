// Checkpoint files of a whole machine (snapshot/checkpoint_file.h): the
// component state stream, RAM and video memory as compressed regions, and a
// reference to each drive with an identity of the content the guest saw.
//
// A restore needs a Machine built from the same configuration (RAM size,
// the same drives). Drive identities are compared before anything changes:
// a disk whose content differs from the one saved is refused. Floppies are
// hashed whole, hard disks by sampled clusters.
//
// A drive running on a temporary overlay (OverlayBackend::temporary()) that
// the guest wrote to is identified by the base under the overlay, and the
// overlay's written clusters are stored in the checkpoint; the restoring
// machine must run that drive on a fresh, unwritten temporary overlay over
// the same base, into which the clusters are replayed before anything else.
#pragma once
#include <string>

#include "frontends/machine/machine.h"

namespace sandpc {

void save_machine_checkpoint(Machine& machine, const std::string& path);
// Throws CheckpointError with nothing changed when the file is damaged or
// does not match the machine; a StateError from a section that passed its
// checksum but is refused leaves the machine half restored (discard it).
void restore_machine_checkpoint(Machine& machine, const std::string& path);

}  // namespace sandpc
