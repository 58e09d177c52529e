#include "frontends/sandpc/options.h"

#include <cstdlib>

#include "devices/serial_host/serial_socket_spec.h"

namespace sandpc {

const char* usage_text() {
    return R"(usage: sandpc [options]
Runs a PC guest headless in this process: no hypervisor, no privileges.

QEMU-compatible options:
  -m SIZE              RAM in MiB (suffixes M and G accepted; default 32, or
                       128 with -kernel or -cdrom)
  -fda FILE, -fdb FILE floppy images (720K, 1.44M, 2.88M, ... raw, qcow2 or overlay)
  -hda..-hdd FILE      hard disk images
  -cdrom FILE          CD-ROM image (ISO, a multiple of 2048 bytes, read-only)
                       in an ATAPI drive on the secondary IDE master; INT 13h
                       drive E0h, bootable through El Torito (no emulation,
                       floppy or hard-disk emulation)
  -boot [order=]ORDER  boot order: a floppy, c hard disk, d CD-ROM (default
                       "cad"; devices not present are skipped)
  -bios FILE           firmware image instead of the built-in BIOS (multiple of
                       64 KiB, at most 1 MiB; mapped below 4 GiB and below 1 MiB)
  -option-rom FILE     legacy option ROM (repeatable): 55AAh header, length
                       byte at offset 2 in 512-byte units, zero 8-bit
                       checksum over that length, file size a multiple of 512
                       up to 64 KiB; placed read-only from 0xC8000 on 2 KiB
                       boundaries in the order given. POST calls each ROM's
                       init (segment:0003h) before INT 19h, so boot ROMs may
                       hook INT 19h or INT 13h. Bad images: status 2
  -kernel FILE         boot a kernel directly after our BIOS's POST: a Linux
                       bzImage (x86 boot protocol >= 2.02, entered in real
                       mode) or a Multiboot v1 kernel (ELF or a.out kludge,
                       entered in 32-bit protected mode, EAX=2BADB002h)
  -initrd FILE         initial ramdisk for a Linux -kernel; for Multiboot,
                       modules "FILE [ARGS],FILE [ARGS],..." (each module's
                       string is its whole item)
  -append CMDLINE      kernel command line for -kernel
  -serial DEV          next COM port (repeatable): stdio, null, none, file:PATH,
                       tcp:[HOST]:PORT[,server][,nowait], unix:PATH[,server][,nowait]
                       stdio and sockets also carry input to the guest (stdin:
                       the first stdio port only); a server waits for its first
                       client before starting unless nowait (TCP port 0: any
                       free port, printed); a closed client connection stops
                       input, a server accepts the next client
  -debugcon DEV        port 0xE9 console (output only): stdio, null, file:PATH,
                       tcp:..., unix:...
  -device isa-debug-exit[,iobase=PORT]
                       exit device: writing V ends the run with status (V<<1)|1
  -nographic           no display; COM1 on stdio unless -serial says otherwise
  -display none        no display
  -no-reboot           stop on a triple fault or a guest reset instead of resetting
  -snapshot            writes go to a temporary overlay, discarded at exit

Batch options:
  --timeout SECONDS    stop after SECONDS of host time
  --max-instructions N stop after N instructions of virtual time
  --until-text STRING  stop with status 0 once the text screen or the serial
                       output shows STRING (repeatable: any of them)
  --keys TEXT          type TEXT once the guest waits for the keyboard; \n is
                       Enter, \t Tab, \\ a backslash; other
                       backslashes stay as they are (repeatable, in order)
  --screendump PATH    write the text screen to PATH at exit
  --deterministic      fixed RTC epoch and no pacing to host time: the same
                       inputs give the same output and instruction counts.
                       Host serial input would arrive at host-timed moments,
                       so -serial stdio is output only (stdin is not read) and
                       tcp:/unix: serial ports are refused
  --save-on-exit PATH  write a checkpoint of the whole machine to PATH when the
                       run ends (any reason); it includes what the guest wrote
                       to the temporary overlays (not with --writable)
  --restore PATH       resume from a checkpoint; give the same machine options
                       (RAM, drives) it was taken with: mismatches are refused
  --checkpoint-on-signal PATH
                       on SIGTERM or SIGUSR1: write a checkpoint, exit 0
  --checkpoint-every SECONDS
                       rewrite the --save-on-exit checkpoint every SECONDS of
                       host time (atomically)
  --writable           let the guest write to its image files (by default
                       guest writes go to a temporary overlay and the images
                       are never modified)
  --dump-state         print the CPU registers and next instructions at exit
  --cpu jit|interp     the JIT (default), which runs hot blocks as native
                       code, or the interpreter: same results, instruction
                       counts and checkpoints; where the host has no JIT the
                       interpreter runs and sandpc says why
  --stats              print CPU engine statistics at exit (blocks compiled,
                       native and interpreted block runs)
  -q, --quiet          no progress or summary lines on stderr
  -h, --help           this text

Exit status:
  (V<<1)|1  the guest wrote V to isa-debug-exit
  0   --until-text matched
  2   bad options or unusable input (missing/odd-sized image, bad firmware or
      option ROM, a Multiboot kernel that cannot load)
  4   --timeout reached          6   --max-instructions reached
  8   triple fault (with -no-reboot)
  10  the guest halted with interrupts disabled
  12  nothing bootable           14  internal error
  16  the guest reset the machine (reboot, kernel panic with panic=-1) under
      -no-reboot
)";
}

namespace {

uint64_t parse_number(const std::string& flag, const std::string& v) {
    char* end = nullptr;
    unsigned long long n = std::strtoull(v.c_str(), &end, 0);
    if (v.empty() || *end) throw UsageError(flag + ": '" + v + "' is not a number");
    return n;
}

uint32_t parse_memory(const std::string& v) {
    std::string s = v;
    uint64_t scale = 1;
    if (!s.empty() && (s.back() == 'M' || s.back() == 'm')) {
        s.pop_back();
    } else if (!s.empty() && (s.back() == 'G' || s.back() == 'g')) {
        s.pop_back();
        scale = 1024;
    }
    uint64_t mb = parse_number("-m", s) * scale;
    if (mb < 2 || mb > 3072) throw UsageError("-m: RAM must be 2 MiB..3 GiB (got '" + v + "')");
    return static_cast<uint32_t>(mb);
}

SerialSpec parse_serial(const std::string& flag, const std::string& v) {
    SerialSpec s;
    if (v == "stdio") {
        s.kind = SerialSpec::kStdio;
    } else if (v == "null") {
        s.kind = SerialSpec::kNull;
    } else if (v == "none") {
        s.kind = SerialSpec::kNone;
    } else if (v.rfind("file:", 0) == 0 && v.size() > 5) {
        s.kind = SerialSpec::kFile;
        s.path = v.substr(5);
    } else {
        try {
            if (!parse_serial_socket_spec(v))
                throw UsageError(flag + ": unsupported device '" + v +
                                 "' (stdio, null, none, file:PATH, tcp:..., unix:...)");
        } catch (const std::invalid_argument& e) {
            throw UsageError(flag + ": " + e.what());
        }
        s.kind = SerialSpec::kSocket;
        s.path = v;
    }
    return s;
}

std::string unescape(const std::string& v) {
    std::string out;
    for (size_t i = 0; i < v.size(); ++i) {
        char n = i + 1 < v.size() ? v[i + 1] : 0;
        if (v[i] == '\\' && (n == 'n' || n == 't' || n == 'r' || n == '\\')) {
            out += n == 'n' ? '\n' : n == 't' ? '\t' : n == 'r' ? '\r' : '\\';
            ++i;
        } else {
            out += v[i];
        }
    }
    return out;
}

}  // namespace

RunnerOptions parse_options(int argc, char** argv) {
    RunnerOptions o;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc) throw UsageError(a + " needs a value");
            return argv[++i];
        };
        if (a == "-h" || a == "--help" || a == "-help") {
            o.help = true;
        } else if (a == "-m") {
            o.memory_mb = parse_memory(value());
        } else if (a == "-fda") {
            o.fda = value();
        } else if (a == "-fdb") {
            o.fdb = value();
        } else if (a == "-hda" || a == "-hdb" || a == "-hdc" || a == "-hdd") {
            o.hd[size_t(a[3] - 'a')] = value();
        } else if (a == "-cdrom") {
            o.cdrom = value();
        } else if (a == "-boot") {
            std::string v = value();
            if (v.rfind("order=", 0) == 0) v = v.substr(6);
            if (auto comma = v.find(','); comma != std::string::npos) v = v.substr(0, comma);
            if (v.empty() || v.find_first_not_of("acdn") != std::string::npos)
                throw UsageError("-boot: order must use a (floppy), c (disk), d (CD-ROM), n");
            o.boot_order = v;
        } else if (a == "-bios") {
            o.bios = value();
        } else if (a == "-option-rom") {
            o.option_roms.push_back(value());
        } else if (a == "-kernel") {
            o.kernel = value();
        } else if (a == "-initrd") {
            o.initrd = value();
        } else if (a == "-append") {
            o.append = value();
        } else if (a == "-serial") {
            if (o.serial.size() >= 4) throw UsageError("-serial: at most 4 serial ports");
            o.serial.push_back(parse_serial(a, value()));
        } else if (a == "-debugcon") {
            o.debugcon = parse_serial(a, value());
        } else if (a == "-device") {
            std::string v = value();
            if (v.rfind("isa-debug-exit", 0) != 0)
                throw UsageError("-device: only isa-debug-exit is supported (got '" + v + "')");
            o.isa_debug_exit = true;
            if (auto p = v.find("iobase="); p != std::string::npos) {
                std::string port = v.substr(p + 7);
                port = port.substr(0, port.find(','));
                uint64_t n = parse_number("-device iobase", port);
                if (n > 0xFFFF) throw UsageError("-device: iobase out of range");
                o.isa_debug_exit_port = static_cast<uint16_t>(n);
            }
        } else if (a == "-nographic") {
            o.nographic = true;
        } else if (a == "-display") {
            std::string v = value();
            if (v != "none")
                throw UsageError("-display: only 'none' is supported (got '" + v + "')");
        } else if (a == "-no-reboot") {
            o.no_reboot = true;
        } else if (a == "-snapshot") {
            o.snapshot = true;
        } else if (a == "--writable") {
            o.writable = true;
        } else if (a == "--timeout") {
            std::string v = value();
            char* end = nullptr;
            o.timeout_seconds = std::strtod(v.c_str(), &end);
            if (v.empty() || *end || o.timeout_seconds <= 0)
                throw UsageError("--timeout: '" + v + "' is not a positive number of seconds");
        } else if (a == "--max-instructions") {
            o.max_instructions = parse_number(a, value());
        } else if (a == "--until-text") {
            o.until_text.push_back(unescape(value()));
        } else if (a == "--keys") {
            o.keys.push_back(unescape(value()));
        } else if (a == "--screendump") {
            o.screendump = value();
        } else if (a == "--save-on-exit") {
            o.save_on_exit = value();
        } else if (a == "--restore") {
            o.restore = value();
        } else if (a == "--checkpoint-on-signal") {
            o.checkpoint_on_signal = value();
        } else if (a == "--checkpoint-every") {
            std::string v = value();
            char* end = nullptr;
            o.checkpoint_every = std::strtod(v.c_str(), &end);
            if (v.empty() || *end || o.checkpoint_every <= 0)
                throw UsageError("--checkpoint-every: '" + v +
                                 "' is not a positive number of seconds");
        } else if (a == "--deterministic") {
            o.deterministic = true;
        } else if (a == "--dump-state") {
            o.dump_state = true;
        } else if (a == "--cpu") {
            std::string v = value();
            if (v != "interp" && v != "jit")
                throw UsageError("--cpu: 'interp' or 'jit' (got '" + v + "')");
            o.jit = v == "jit";
        } else if (a == "--stats") {
            o.stats = true;
        } else if (a == "-q" || a == "--quiet") {
            o.quiet = true;
        } else {
            throw UsageError("unknown option '" + a + "' (see --help)");
        }
    }
    if (o.snapshot && o.writable)
        throw UsageError("-snapshot and --writable contradict each other");
    return o;
}

}  // namespace sandpc
