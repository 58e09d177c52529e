// The disassembler against binutils' objdump (Intel syntax) on the
// encodings of disasm_encodings.txt. disasm_cases.txt holds what objdump
// printed for them (gen_disasm_cases.sh); when objdump is installed the test
// also reruns it to check that file is still objdump's output.
//
// The two print the same instruction with different spellings (spacing,
// "DWORD PTR" case, "ds:" shown for default segments, synonyms such as
// repz/repe); normalize() removes only such spelling differences.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "cpu/disassembler.h"

namespace sandpc {
namespace {

struct DisasmCase {
    bool code32;
    std::string hex;
    std::vector<uint8_t> bytes;
    std::string objdump;
};

std::vector<uint8_t> parse_hex(const std::string& hex) {
    std::vector<uint8_t> out;
    for (size_t i = 0; i + 1 < hex.size(); i += 2)
        out.push_back(static_cast<uint8_t>(std::stoul(hex.substr(i, 2), nullptr, 16)));
    return out;
}

std::vector<DisasmCase> load_cases() {
    std::vector<DisasmCase> cases;
    std::ifstream file(SANDPC_DISASM_CASES);
    std::string line;
    while (std::getline(file, line)) {
        if (line.empty() || line[0] == '#') continue;
        std::istringstream ls(line);
        DisasmCase c;
        std::string mode;
        ls >> mode >> c.hex;
        std::getline(ls >> std::ws, c.objdump);
        c.code32 = mode == "32";
        c.bytes = parse_hex(c.hex);
        cases.push_back(c);
    }
    return cases;
}

// Instructions whose operands objdump spells out but sandpc folds into the
// mnemonic (movsb...): objdump's form becomes mnemonic + size letter.
std::string fold_string_operands(const std::string& s) {
    static const std::regex kString(
        R"(^((?:rep[a-z]* )?)(movs|cmps|stos|lods|scas|ins|outs) .*?\b(byte|word|dword) ptr.*$)");
    std::smatch m;
    if (!std::regex_match(s, m, kString)) return s;
    std::string size = m[3].str();
    char letter = size == "byte" ? 'b' : size == "word" ? 'w' : 'd';
    return m[1].str() + m[2].str() + letter;
}

std::string normalize(std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    // Each rule rewrites one spelling difference into a common form.
    static const std::pair<const char*, const char*> kRules[] = {
        {R"(\s+)", " "},
        {R"(, )", ","},
        {R"(^ | $)", ""},
        {R"(\b(addr16|addr32|data16|data32) )", ""},
        {R"(eiz\*1\+|\+eiz\*1)", ""},  // objdump's explicit "no index"
        {R"(\+0x0\])", "]"},           // disp8 of zero
        // objdump: "ds:0x1234" for an absolute address; sandpc: "[0x1234]".
        {R"(\b([cdefgs]s):(0x[0-9a-f]+)\b)", "$1:[$2]"},
        {R"(\bds:)", ""},
        // objdump gives moffs operands no size keyword.
        {R"(\b(byte|word|dword) ptr ((?:[c-gs]s:)?\[0x))", "$2"},
        // Far pointers: objdump "fword ptr [m]" / "jmp 0x8:0x10"; sandpc
        // "far [m]" / "jmp far 0x8:0x10", and no size on Mp/Ma operands.
        {R"(\bfword ptr )", "far "},
        {R"(\bfar (0x[0-9a-f]+:))", "$1"},
        {R"(^(l[defgs]s [a-z]+,)far )", "$1"},
        {R"(^(bound [a-z]+,)(q?word|dword) ptr )", "$1"},
        // objdump names a 32-bit register for MOV Sreg,r/m16 (SDM: r/m16).
        {R"(^mov ([c-gs]s),e([a-d]x|[sd]i|[sb]p)$)", "mov $1,$2"},
        {R"(^repz )", "repe "},
        {R"(^repnz )", "repne "},
        {R"(^pushfd$)", "pushf"},
        {R"(^popfd$)", "popf"},
        {R"(^pushad$)", "pusha"},
        {R"(^popad$)", "popa"},
        {R"(^iretd$)", "iret"},
        {R"(^int3$)", "int 0x3"},
        {R"(^xlat.*)", "xlat"},
        {R"(^([ls][gi]dt)d )", "$1 "},
        {R"(^je )", "jz "},
        {R"(^jne )", "jnz "},
        {R"(^cmove )", "cmovz "},
        {R"(^cmovne )", "cmovnz "},
    };
    for (auto [from, to] : kRules) s = std::regex_replace(s, std::regex(from), to);
    s = fold_string_operands(s);
    // sandpc names a string instruction's implicit register operand.
    s = std::regex_replace(
        s, std::regex(R"(^((?:rep[a-z]* )?(?:movs|cmps|stos|lods|scas|ins|outs)[bwd]) .*$)"), "$1");
    return s;
}

// Encodings where sandpc's disassembly and objdump's still disagree after
// normalization: real differences in the disassembler (see the test
// KnownDifferences, labelled "failing").
const std::set<std::string> kKnownDifferences = {
#include "tests/decoder/disasm_known_differences.inc"
};

std::string sandpc_text(const DisasmCase& c) {
    // objdump disassembles the bytes at address 0.
    return disassemble_bytes(c.bytes.data(), static_cast<unsigned>(c.bytes.size()), c.code32, 0);
}

TEST(DisasmVsObjdump, CasesLoaded) {
    std::vector<DisasmCase> cases = load_cases();
    EXPECT_GE(cases.size(), 150u) << SANDPC_DISASM_CASES;
    for (const DisasmCase& c : cases) EXPECT_FALSE(c.objdump.empty()) << c.hex;
}

TEST(DisasmVsObjdump, Agree) {
    for (const DisasmCase& c : load_cases()) {
        if (kKnownDifferences.count((c.code32 ? "32 " : "16 ") + c.hex)) continue;
        EXPECT_EQ(normalize(sandpc_text(c)), normalize(c.objdump))
            << (c.code32 ? "32 " : "16 ") << c.hex << ": sandpc \"" << sandpc_text(c)
            << "\", objdump \"" << c.objdump << "\"";
    }
}

// Every listed difference still exists (remove it from the list once the
// disassembler is fixed); run on its own, with the "failing" label, it also
// shows the differences.
TEST(DisasmVsObjdump, KnownDifferences) {
    size_t seen = 0;
    for (const DisasmCase& c : load_cases()) {
        std::string key = (c.code32 ? "32 " : "16 ") + c.hex;
        if (!kKnownDifferences.count(key)) continue;
        ++seen;
        EXPECT_EQ(normalize(sandpc_text(c)), normalize(c.objdump))
            << key << ": sandpc \"" << sandpc_text(c) << "\", objdump \"" << c.objdump << "\"";
    }
    EXPECT_EQ(seen, kKnownDifferences.size());
}

TEST(DisasmVsObjdump, KnownDifferencesStillDiffer) {
    for (const DisasmCase& c : load_cases()) {
        std::string key = (c.code32 ? "32 " : "16 ") + c.hex;
        if (!kKnownDifferences.count(key)) continue;
        EXPECT_NE(normalize(sandpc_text(c)), normalize(c.objdump))
            << key << " now agrees with objdump: remove it from disasm_known_differences.inc";
    }
}

#ifdef SANDPC_OBJDUMP
std::string run_objdump(const DisasmCase& c) {
    char path[] = "/tmp/sandpc_disasm_XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0) return "(mkstemp failed)";
    FILE* f = fdopen(fd, "wb");
    std::fwrite(c.bytes.data(), 1, c.bytes.size(), f);
    std::fclose(f);
    std::string cmd = std::string(SANDPC_OBJDUMP) + " -D -b binary -m " +
                      (c.code32 ? "i386" : "i8086") + " -M intel " + path + " 2>/dev/null";
    std::string text;
    if (FILE* p = popen(cmd.c_str(), "r")) {
        char buf[512];
        while (std::fgets(buf, sizeof buf, p)) {
            std::string line = buf;
            if (line.rfind("   0:", 0) == 0) {
                size_t tab = line.find('\t', line.find('\t') + 1);
                text = line.substr(tab + 1);
                while (!text.empty() && (text.back() == '\n' || text.back() == ' '))
                    text.pop_back();
            }
        }
        pclose(p);
    }
    std::remove(path);
    return text;
}

TEST(DisasmVsObjdump, CheckedInListIsObjdumpOutput) {
    for (const DisasmCase& c : load_cases())
        EXPECT_EQ(normalize(run_objdump(c)), normalize(c.objdump)) << c.hex;
}
#endif

}  // namespace
}  // namespace sandpc
