// sandpc: boots a PC guest headless and runs it until the guest exits, a
// stop condition holds, or something goes wrong; the exit status says which
// (see --help).
#include <chrono>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <memory>

#include <unistd.h>

#include "bios/boot/linux_loader.h"
#include "bios/option_rom.h"
#include "cpu/decoder.h"
#include "cpu/disassembler.h"
#include "devices/realtime_pacer.h"
#include "devices/serial_host/socket_serial_backend.h"
#include "devices/serial_host/stdio_serial_backend.h"
#include "devices/storage/image_open.h"
#include "devices/vga/png_writer.h"
#include "frontends/machine/key_feeder.h"
#include "frontends/machine/machine.h"
#include "frontends/machine/machine_checkpoint.h"
#include "frontends/sandpc/options.h"
#include "snapshot/checkpoint_file.h"

using namespace sandpc;

namespace {

// Set by SIGTERM/SIGUSR1 when --checkpoint-on-signal is given; the only
// process-wide state, as a signal handler needs.
volatile std::sig_atomic_t g_checkpoint_signal = 0;
extern "C" void on_checkpoint_signal(int) {
    g_checkpoint_signal = 1;
}

// Deterministic runs start the RTC at 2026-01-01 00:00:00 UTC.
constexpr int64_t kDeterministicEpoch = 1767225600;
constexpr uint64_t kSlice = 2'000'000;

// Serial/debug output: to its destination, and kept for --until-text.
// Input passes through from the destination.
class CapturingBackend final : public SerialBackend {
  public:
    CapturingBackend(std::unique_ptr<SerialBackend> out, std::string& capture)
        : out_(std::move(out)), capture_(capture) {}
    void write(std::span<const uint8_t> bytes) override {
        if (out_) out_->write(bytes);
        capture_.append(bytes.begin(), bytes.end());
        if (capture_.size() > (1u << 20)) capture_.erase(0, capture_.size() - (1u << 19));
    }
    size_t read(std::span<uint8_t> out) override { return out_ ? out_->read(out) : 0; }
    bool input_open() const override { return out_ && out_->input_open(); }

  private:
    std::unique_ptr<SerialBackend> out_;
    std::string& capture_;
};

// `stdin_input`: this stdio port reads the runner's stdin.
std::unique_ptr<SerialBackend> open_backend(const SerialSpec& spec, bool stdin_input, bool quiet) {
    try {
        switch (spec.kind) {
            case SerialSpec::kStdio:
                return std::make_unique<StdioSerialBackend>(stdout,
                                                            stdin_input ? STDIN_FILENO : -1);
            case SerialSpec::kFile: return std::make_unique<FileSerialBackend>(spec.path, false);
            case SerialSpec::kSocket: {
                auto notice = [quiet](const std::string& what) {
                    if (!quiet) std::fprintf(stderr, "sandpc: %s\n", what.c_str());
                };
                return std::make_unique<SocketSerialBackend>(*parse_serial_socket_spec(spec.path),
                                                             notice);
            }
            default: return nullptr;
        }
    } catch (const std::runtime_error& e) {
        throw UsageError(e.what());
    }
}

BlockBackendPtr open_disk(const std::string& path, const RunnerOptions& o) {
    if (path.empty()) return nullptr;
    if (o.writable) {
        ImageOpenOptions io;
        io.writable = true;
        return open_image(path, io);
    }
    // The image itself is never written: writes land in a temporary overlay.
    return open_image_snapshot(path);
}

std::vector<uint8_t> read_file(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    if (!f) throw UsageError("cannot open '" + path + "'");
    return std::vector<uint8_t>((std::istreambuf_iterator<char>(f)), {});
}

// Registers and the next instructions, for --dump-state.
void dump_state(Machine& m) {
    Cpu& c = m.cpu();
    const CpuState& s = c.s;
    std::fprintf(stderr,
                 "EAX=%08x EBX=%08x ECX=%08x EDX=%08x ESI=%08x EDI=%08x EBP=%08x ESP=%08x\n"
                 "EIP=%08x EFLAGS=%08x CR0=%08x CR3=%08x CR4=%08x\n",
                 s.gpr[EAX], s.gpr[EBX], s.gpr[ECX], s.gpr[EDX], s.gpr[ESI], s.gpr[EDI], s.gpr[EBP],
                 s.gpr[ESP], s.eip, c.get_eflags(), s.cr0, s.cr3, s.cr4);
    const char* names[] = {"ES", "CS", "SS", "DS", "FS", "GS"};
    for (unsigned i = 0; i < 6; ++i)
        std::fprintf(stderr, "%s=%04x base=%08x limit=%08x\n", names[i], s.seg[i].selector,
                     s.seg[i].base, s.seg[i].limit);
    uint32_t eip = s.eip;
    for (int n = 0; n < 8; ++n) {
        uint8_t bytes[16];
        try {
            for (unsigned i = 0; i < 16; ++i)
                bytes[i] = c.read_linear<uint8_t>(s.seg[CS].base + eip + i);
        } catch (const CpuFault&) {
            std::fprintf(stderr, "  %08x: (not mapped)\n", eip);
            break;
        }
        Insn in;
        std::string text = disassemble_bytes(bytes, 16, c.code32(), eip);
        unsigned len = decode_instruction(bytes, 16, c.code32(), in);
        if (!len) len = 1;
        std::fprintf(stderr, "  %04x:%08x  %s\n", s.seg[CS].selector, eip, text.c_str());
        eip += len;
    }
}

// Text modes as text, graphics modes (or a path ending in .png) as PNG.
void write_screendump(Machine& m, const std::string& path) {
    bool png = !m.vga().is_text_mode() ||
               (path.size() > 4 && path.compare(path.size() - 4, 4, ".png") == 0);
    try {
        if (png) {
            write_png(path, m.vga().render());
            return;
        }
        std::ofstream f(path, std::ios::binary);
        f << m.text_screen() << '\n';
        if (!f) throw std::runtime_error("write failed");
    } catch (const std::exception& e) {
        std::fprintf(stderr, "sandpc: cannot write screendump '%s': %s\n", path.c_str(), e.what());
    }
}

void print_stats(const Machine& m) {
    const BlockStats& b = m.block_stats();
    std::fprintf(stderr,
                 "sandpc: cpu %s: %llu blocks compiled (%llu instructions), %llu native block "
                 "runs, %llu interpreted block runs, %llu code flushes\n",
                 m.jit_active() ? "jit" : "interpreter", (unsigned long long)b.compiled,
                 (unsigned long long)b.compiled_insns, (unsigned long long)b.native_runs,
                 (unsigned long long)b.interpreted_runs, (unsigned long long)b.flushes);
}

// -initrd for a Multiboot kernel: "FILE [ARGS],FILE [ARGS],..."; each
// module's string is its whole item, as QEMU passes it.
std::vector<MachineConfig::BootModule> read_multiboot_modules(const std::string& list) {
    std::vector<MachineConfig::BootModule> modules;
    size_t start = 0;
    while (start < list.size()) {
        size_t end = list.find(',', start);
        if (end == std::string::npos) end = list.size();
        std::string item = list.substr(start, end - start);
        std::string path = item.substr(0, item.find(' '));
        if (path.empty()) throw UsageError("-initrd: empty module name in '" + list + "'");
        modules.push_back({read_file(path), item});
        start = end + 1;
    }
    return modules;
}

int run(const RunnerOptions& o) {
    if (o.kernel.empty() && (!o.initrd.empty() || !o.append.empty()))
        throw UsageError("-initrd and -append need -kernel");

    std::string serial_capture, debug_capture;
    std::vector<std::unique_ptr<SerialBackend>> backends;
    MachineConfig mc;
    mc.ram_mb = o.memory_mb ? o.memory_mb : (o.kernel.empty() && o.cdrom.empty() ? 32 : 128);
    if (!o.kernel.empty()) {
        mc.kernel = read_file(o.kernel);
        mc.kernel_name = o.kernel;
        mc.kernel_cmdline = o.append;
        if (has_linux_setup_header(mc.kernel)) {
            if (!o.initrd.empty()) mc.initrd = read_file(o.initrd);
            mc.initrd_name = o.initrd;
        } else {
            mc.modules = read_multiboot_modules(o.initrd);
        }
    }
    if (!o.boot_order.empty()) mc.boot_order = o.boot_order;
    if (!o.bios.empty()) mc.bios_image = read_file(o.bios);
    for (const std::string& path : o.option_roms) {
        mc.option_roms.push_back(read_file(path));
        if (std::string why = option_rom::problem(mc.option_roms.back()); !why.empty())
            throw UsageError("-option-rom " + path + ": " + why);
    }
    mc.floppy[0] = open_disk(o.fda, o);
    mc.floppy[1] = open_disk(o.fdb, o);
    for (size_t i = 0; i < 4; ++i) mc.hard_disk[i] = open_disk(o.hd[i], o);
    if (!o.cdrom.empty()) mc.cdrom = open_image(o.cdrom);  // read-only, even with --writable
    std::vector<SerialSpec> serial = o.serial;
    if (serial.empty())
        serial.push_back({o.nographic ? SerialSpec::kStdio : SerialSpec::kNull, ""});
    if (o.deterministic)
        for (const SerialSpec& s : serial)
            if (s.kind == SerialSpec::kSocket)
                throw UsageError("--deterministic: serial " + s.path +
                                 " would deliver host input at host-timed moments");
    bool stdin_taken = o.deterministic;  // deterministic runs never read stdin
    for (size_t i = 0; i < serial.size(); ++i) {
        if (serial[i].kind == SerialSpec::kNone) continue;
        bool stdin_input = serial[i].kind == SerialSpec::kStdio && !stdin_taken;
        stdin_taken |= stdin_input;
        backends.push_back(std::make_unique<CapturingBackend>(
            open_backend(serial[i], stdin_input, o.quiet), serial_capture));
        mc.serial[i] = backends.back().get();
    }
    if (o.debugcon.kind != SerialSpec::kNone) {
        backends.push_back(std::make_unique<CapturingBackend>(
            open_backend(o.debugcon, false, o.quiet), debug_capture));
        mc.debug_console = backends.back().get();
    }
    mc.isa_debug_exit = o.isa_debug_exit;
    mc.isa_debug_exit_port = o.isa_debug_exit_port;
    mc.rtc_epoch_unix = o.deterministic ? kDeterministicEpoch
                                        : std::chrono::duration_cast<std::chrono::seconds>(
                                              std::chrono::system_clock::now().time_since_epoch())
                                              .count();

    mc.cpu_engine = o.jit ? CpuEngine::kJit : CpuEngine::kInterpreter;
    Machine m(std::move(mc));
    if (!m.cpu_engine_note().empty())
        std::fprintf(stderr, "sandpc: running on the interpreter: %s\n",
                     m.cpu_engine_note().c_str());
    if (!o.restore.empty()) {
        auto start = std::chrono::steady_clock::now();
        try {
            restore_machine_checkpoint(m, o.restore);
        } catch (const CheckpointError& e) {
            throw UsageError(std::string("--restore: ") + e.what());
        } catch (const StateError& e) {
            throw UsageError("--restore: " + o.restore + ": " + e.what());
        }
        double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        if (!o.quiet)
            std::fprintf(stderr, "sandpc: restored %s (%.3f s)\n", o.restore.c_str(), s);
    }
    if (!o.checkpoint_on_signal.empty()) {
        std::signal(SIGTERM, on_checkpoint_signal);
        std::signal(SIGUSR1, on_checkpoint_signal);
    }
    auto last_checkpoint = std::chrono::steady_clock::now();
    auto checkpoint = [&](const std::string& path) {
        auto start = std::chrono::steady_clock::now();
        save_machine_checkpoint(m, path);
        double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        if (!o.quiet)
            std::fprintf(stderr, "sandpc: checkpoint written to %s (%.3f s)\n", path.c_str(), s);
    };
    RealTimePacer pacer(m.scheduler());
    KeyFeeder keys;
    for (const std::string& k : o.keys) keys.add(k);
    auto wall_start = std::chrono::steady_clock::now();
    auto say = [&](const char* fmt, auto... args) {
        if (!o.quiet) std::fprintf(stderr, fmt, args...);
    };
    auto finish = [&](int status, const std::string& why) {
        if (!o.screendump.empty()) write_screendump(m, o.screendump);
        if (!o.save_on_exit.empty()) {
            try {
                checkpoint(o.save_on_exit);
            } catch (const std::exception& e) {
                std::fprintf(stderr, "sandpc: cannot write checkpoint: %s\n", e.what());
                if (status == kExitOk) status = kExitInternalError;
            }
        }
        double wall =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
        // Failures are reported even with --quiet.
        bool failure = status != kExitOk && status % 2 == 0;
        if (failure || !o.quiet)
            std::fprintf(stderr,
                         "sandpc: %s after %llu instructions (%.3f s virtual, %.3f s host), CPU at "
                         "%04x:%08x\n",
                         why.c_str(), static_cast<unsigned long long>(m.instructions()),
                         m.now_ns() / 1e9, wall, m.cpu().s.seg[CS].selector, m.cpu().s.eip);
        if (o.dump_state) dump_state(m);
        if (o.stats) print_stats(m);
        return status;
    };
    auto text_seen = [&] {
        if (o.until_text.empty()) return false;
        std::string screen = m.text_screen();
        for (const std::string& t : o.until_text)
            if (screen.find(t) != std::string::npos ||
                serial_capture.find(t) != std::string::npos ||
                debug_capture.find(t) != std::string::npos)
                return true;
        return false;
    };

    for (;;) {
        // Short slices while typing: a key is offered between slices.
        uint64_t slice = keys.done() ? kSlice : kSlice / 20;
        if (o.max_instructions) {
            if (m.instructions() >= o.max_instructions)
                return finish(kExitInstructionLimit, "instruction limit reached");
            slice = std::min(slice, o.max_instructions - m.instructions());
        }
        MachineEvent ev = m.run(slice);
        keys.feed(m);
        switch (ev) {
            case MachineEvent::kNone: break;
            case MachineEvent::kDebugExit: {
                uint32_t status = *m.exit_status();
                return finish(int(status & 0xFF),
                              "guest exit (status " + std::to_string(status) + ")");
            }
            case MachineEvent::kTripleFault:
                if (o.no_reboot)
                    return finish(kExitTripleFault,
                                  std::string("triple fault (") + m.cpu().shutdown_reason() + ")");
                say("sandpc: triple fault (%s): resetting\n", m.cpu().shutdown_reason());
                m.reset();
                break;
            case MachineEvent::kReset:
                if (o.no_reboot)
                    return finish(kExitGuestReset, "the guest reset the machine (-no-reboot)");
                break;
            case MachineEvent::kPowerOff: return finish(kExitOk, "the guest powered off");
            case MachineEvent::kHaltedForever:
                return finish(kExitHalted, "the guest halted with interrupts disabled");
            case MachineEvent::kBootFailed:
                std::fprintf(stderr, "sandpc: no bootable device: %s\n", m.boot_failure().c_str());
                return finish(kExitNoBootDevice, "boot failed");
        }
        if (text_seen()) return finish(kExitOk, "expected text seen");
        if (g_checkpoint_signal) {
            checkpoint(o.checkpoint_on_signal);
            return finish(kExitOk, "checkpointed on signal");
        }
        if (o.checkpoint_every > 0 &&
            std::chrono::duration<double>(std::chrono::steady_clock::now() - last_checkpoint)
                    .count() >= o.checkpoint_every) {
            checkpoint(o.save_on_exit);
            last_checkpoint = std::chrono::steady_clock::now();
        }
        if (o.timeout_seconds > 0 &&
            std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count() >=
                o.timeout_seconds)
            return finish(kExitTimeout, "timeout");
        if (!o.deterministic) pacer.pace();
    }
}

}  // namespace

int main(int argc, char** argv) {
    try {
        RunnerOptions o = parse_options(argc, argv);
        if (o.help) {
            std::fputs(usage_text(), stdout);
            return kExitOk;
        }
        return run(o);
    } catch (const UsageError& e) {
        std::fprintf(stderr, "sandpc: %s\n", e.what());
        return kExitUsage;
    } catch (const BlockError& e) {
        std::fprintf(stderr, "sandpc: %s\n", e.what());
        return kExitUsage;
    } catch (const std::invalid_argument& e) {
        std::fprintf(stderr, "sandpc: %s\n", e.what());
        return kExitUsage;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "sandpc: internal error: %s\n", e.what());
        return kExitInternalError;
    }
}
