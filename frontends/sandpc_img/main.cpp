// sandpc-img: the command-line tool for sandpc disk images.
//
// Exit codes: 0 success (check: image is sound), 1 check found corruption,
// 2 usage error or failure (I/O, unreadable or unsupported image).
#include <cstdio>
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include "devices/storage/block_backend.h"
#include "devices/storage/image_ops.h"
#include "frontends/sandpc_img/size_arg.h"

namespace sandpc {
namespace {

constexpr int kExitOk = 0;
constexpr int kExitCorrupt = 1;
constexpr int kExitError = 2;

struct UsageError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

using Args = std::vector<std::string>;

bool wants_help(const Args& args) {
    for (const auto& a : args)
        if (a == "--help" || a == "-h") return true;
    return false;
}

// Splits "-x VALUE" options (named in `with_value`) from positional arguments.
struct Parsed {
    std::vector<std::pair<std::string, std::string>> options;
    Args positional;
    const std::string* get(const std::string& name) const {
        for (const auto& [k, v] : options)
            if (k == name) return &v;
        return nullptr;
    }
};

Parsed parse(const Args& args, const std::vector<std::string>& with_value,
             const std::vector<std::string>& flags) {
    Parsed p;
    for (size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (a.size() > 1 && a[0] == '-') {
            bool valued = false, flag = false;
            for (const auto& w : with_value) valued |= a == w;
            for (const auto& f : flags) flag |= a == f;
            if (valued) {
                if (i + 1 >= args.size()) throw UsageError(a + " needs a value");
                p.options.emplace_back(a, args[++i]);
            } else if (flag) {
                p.options.emplace_back(a, "");
            } else {
                throw UsageError("unknown option " + a);
            }
        } else {
            p.positional.push_back(a);
        }
    }
    return p;
}

void expect_positional(const Parsed& p, size_t n) {
    if (p.positional.size() != n)
        throw UsageError("expected " + std::to_string(n) + " file argument" + (n == 1 ? "" : "s"));
}

int cmd_create(const Args& args) {
    Parsed p = parse(args, {"-b", "-s", "-c"}, {"--full-hash"});
    expect_positional(p, 1);
    const std::string& out = p.positional[0];
    if (p.get("-b") && p.get("-s")) throw UsageError("give either -b BASE or -s SIZE");
    if (const std::string* size = p.get("-s")) {
        auto bytes = parse_size(*size);
        if (!bytes) throw UsageError("bad size '" + *size + "'");
        create_raw_image(out, *bytes);
        return kExitOk;
    }
    const std::string* base = p.get("-b");
    if (!base) throw UsageError("create needs -b BASE (overlay) or -s SIZE (raw image)");
    CreateOverlayOptions o;
    if (const std::string* c = p.get("-c")) {
        auto bytes = parse_size(*c);
        uint32_t bits = 0;
        while (bytes && bits < 40 && (uint64_t{1} << bits) < *bytes) ++bits;
        if (!bytes || (uint64_t{1} << bits) != *bytes || bits < overlay::kMinClusterBits ||
            bits > overlay::kMaxClusterBits)
            throw UsageError("cluster size must be a power of two from 4K to 2M");
        o.cluster_bits = bits;
    }
    if (p.get("--full-hash")) o.hash_kind = overlay::BaseHashKind::full;
    create_overlay(out, *base, o);
    return kExitOk;
}

int cmd_info(const Args& args) {
    Parsed p = parse(args, {}, {});
    expect_positional(p, 1);
    std::cout << image_info(p.positional[0]);
    return kExitOk;
}

int cmd_check(const Args& args) {
    Parsed p = parse(args, {}, {"-q"});
    expect_positional(p, 1);
    CheckReport r = check_image(p.positional[0]);
    bool quiet = p.get("-q") != nullptr;
    for (const auto& e : r.errors) std::cout << "error: " << e << "\n";
    if (!quiet)
        for (const auto& n : r.notes) std::cout << "note: " << n << "\n";
    if (r.ok()) {
        if (!quiet) std::cout << p.positional[0] << ": no errors found\n";
        return kExitOk;
    }
    std::cout << p.positional[0] << ": " << r.errors.size() << " error(s) found\n";
    return kExitCorrupt;
}

int cmd_commit(const Args& args) {
    Parsed p = parse(args, {"--into"}, {});
    expect_positional(p, 1);
    if (const std::string* into = p.get("--into"))
        convert_to_raw(p.positional[0], *into);
    else
        commit_overlay(p.positional[0]);
    return kExitOk;
}

int cmd_convert(const Args& args) {
    Parsed p = parse(args, {"-O"}, {});
    expect_positional(p, 2);
    if (const std::string* fmt = p.get("-O"); fmt && *fmt != "raw")
        throw UsageError("only -O raw is supported");
    convert_to_raw(p.positional[0], p.positional[1]);
    return kExitOk;
}

int cmd_discard(const Args& args) {
    Parsed p = parse(args, {}, {});
    expect_positional(p, 1);
    discard_overlay(p.positional[0]);
    return kExitOk;
}

struct Command {
    const char* name;
    int (*run)(const Args&);
    const char* summary;
    const char* help;
};

constexpr Command kCommands[] = {
    {"create", cmd_create, "create an overlay over a base, or an empty raw image",
     "usage: sandpc-img create -b BASE [-c CLUSTER_SIZE] [--full-hash] OVERLAY\n"
     "       sandpc-img create -s SIZE RAW\n\n"
     "With -b, writes a new copy-on-write overlay over BASE (raw, qcow2 or overlay).\n"
     "It records BASE's size and a hash of 16 sampled 4 KiB blocks (--full-hash: of\n"
     "the whole base) and refuses to open if BASE changes. -c sets the cluster size\n"
     "(4K..2M, default 64K). With -s, creates a sparse raw image of SIZE bytes\n"
     "(suffixes K, M, G, T: powers of 1024). The output must not exist.\n"},
    {"info", cmd_info, "show format, sizes and base chain",
     "usage: sandpc-img info FILE\n\nPrints the format, virtual and file size, the chain "
     "of bases and, for overlays, the number of allocated clusters.\n"},
    {"check", cmd_check, "verify an image's structure",
     "usage: sandpc-img check [-q] FILE\n\n"
     "Verifies the header, the cluster map (entries inside the file, off the metadata,\n"
     "no cluster used twice) and that the base chain opens with a matching identity.\n"
     "Exit status: 0 no errors, 1 the image is corrupt, 2 the file cannot be read.\n"
     "-q prints errors only.\n"},
    {"commit", cmd_commit, "merge an overlay into its base or into a new raw image",
     "usage: sandpc-img commit OVERLAY [--into NEW]\n\n"
     "Without --into, writes the overlay's clusters into its base (which must be a raw\n"
     "image or an overlay), then empties the overlay. Other overlays over the same\n"
     "base are invalidated. With --into, writes the whole disk (overlay and chain) to\n"
     "a new raw image NEW and leaves everything else untouched.\n"},
    {"convert", cmd_convert, "write any image (with its chain) to a new raw image",
     "usage: sandpc-img convert [-O raw] IN OUT\n\n"
     "Writes the disk IN shows (raw, qcow2 or overlay, with its base chain) to a new\n"
     "sparse raw image OUT, which must not exist.\n"},
    {"discard", cmd_discard, "drop everything written to an overlay",
     "usage: sandpc-img discard OVERLAY\n\n"
     "Empties the overlay (atomically) so that it reads like its base again.\n"},
};

void print_main_help(std::ostream& out) {
    out << "usage: sandpc-img COMMAND [OPTIONS] ARGS...   (sandpc-img COMMAND --help)\n\n";
    for (const Command& c : kCommands) {
        char line[128];
        std::snprintf(line, sizeof line, "  %-9s %s\n", c.name, c.summary);
        out << line;
    }
    out << "\nExit status: 0 success, 1 check found corruption, 2 usage or I/O error.\n";
}

int run(int argc, char** argv) {
    if (argc < 2) {
        print_main_help(std::cerr);
        return kExitError;
    }
    std::string name = argv[1];
    if (name == "--help" || name == "-h" || name == "help") {
        print_main_help(std::cout);
        return kExitOk;
    }
    for (const Command& c : kCommands) {
        if (name != c.name) continue;
        Args args(argv + 2, argv + argc);
        if (wants_help(args)) {
            std::cout << c.help;
            return kExitOk;
        }
        try {
            return c.run(args);
        } catch (const UsageError& e) {
            std::cerr << "sandpc-img " << c.name << ": " << e.what() << "\n" << c.help;
            return kExitError;
        } catch (const std::exception& e) {
            std::cerr << "sandpc-img " << c.name << ": " << e.what() << "\n";
            return kExitError;
        }
    }
    std::cerr << "sandpc-img: unknown command '" << name << "'\n";
    print_main_help(std::cerr);
    return kExitError;
}

}  // namespace
}  // namespace sandpc

int main(int argc, char** argv) {
    return sandpc::run(argc, argv);
}
