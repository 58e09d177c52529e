// Cross-checks the tables with the ACPICA compiler/disassembler when it is
// installed (Debian package acpica-tools): every table disassembles, and
// the disassembled DSDT compiles again, without errors.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "bios/acpi/acpi_tables.h"

namespace sandpc {
namespace {

namespace fs = std::filesystem;

bool have_iasl() {
    return std::system("command -v iasl >/dev/null 2>&1") == 0;
}

struct ToolRun {
    int status = -1;
    std::string output;
};

ToolRun run_in(const fs::path& dir, const std::string& command) {
    fs::path log = dir / "iasl.log";
    std::string line = "cd '" + dir.string() + "' && " + command + " >'" + log.string() + "' 2>&1";
    int raw = std::system(line.c_str());
    ToolRun r;
    r.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
    std::ifstream in(log);
    r.output.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    return r;
}

class IaslTest : public ::testing::Test {
  protected:
    void SetUp() override {
        if (!have_iasl()) GTEST_SKIP() << "iasl not installed (apt-get install acpica-tools)";
        char pattern[] = "/tmp/sandpc_acpi_XXXXXX";
        ASSERT_NE(mkdtemp(pattern), nullptr);
        dir = pattern;
        AcpiLayout layout;
        layout.ram_bytes = 256ull << 20;
        layout.base = acpi_region_base(layout.ram_bytes);
        tables = build_acpi_tables(layout);
    }
    void TearDown() override {
        if (!dir.empty()) fs::remove_all(dir);
    }

    void write(const std::string& name, uint32_t address) {
        uint32_t offset = address - tables.base;
        uint32_t length = 0;
        for (int i = 0; i < 4; ++i) length |= uint32_t(tables.blob.at(offset + 4 + i)) << (8 * i);
        std::ofstream out(dir / name, std::ios::binary);
        out.write(reinterpret_cast<const char*>(tables.blob.data() + offset), length);
    }

    fs::path dir;
    AcpiTables tables;
};

TEST_F(IaslTest, DsdtDisassemblesAndRecompilesWithoutErrors) {
    write("dsdt.aml", tables.dsdt);
    ToolRun dis = run_in(dir, "iasl -d dsdt.aml");
    EXPECT_EQ(dis.status, 0) << dis.output;
    EXPECT_EQ(dis.output.find("Error"), std::string::npos) << dis.output;
    EXPECT_EQ(dis.output.find("Invalid"), std::string::npos) << dis.output;
    ASSERT_TRUE(fs::exists(dir / "dsdt.dsl")) << dis.output;

    std::ifstream in(dir / "dsdt.dsl");
    std::string dsl((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_NE(dsl.find("Name (_S5, Package"), std::string::npos) << dsl;
    EXPECT_NE(dsl.find("EisaId (\"PNP0A03\")"), std::string::npos) << dsl;
    EXPECT_NE(dsl.find("Processor (CPU0"), std::string::npos) << dsl;

    ToolRun compile = run_in(dir, "iasl -p recompiled dsdt.dsl");
    EXPECT_EQ(compile.status, 0) << compile.output;
    EXPECT_NE(compile.output.find(" 0 Errors"), std::string::npos) << compile.output;
}

TEST_F(IaslTest, DataTablesDisassembleWithoutComplaints) {
    write("facp.dat", tables.fadt);
    write("rsdt.dat", tables.rsdt);
    write("xsdt.dat", tables.xsdt);
    for (const char* name : {"facp", "rsdt", "xsdt"}) {
        ToolRun dis = run_in(dir, std::string("iasl -d ") + name + ".dat");
        EXPECT_EQ(dis.status, 0) << name << "\n" << dis.output;
        for (const char* word : {"Error", "Invalid", "Warning", "WARNING", "mismatch"}) {
            EXPECT_EQ(dis.output.find(word), std::string::npos) << name << "\n" << dis.output;
        }
        std::ifstream in(dir / (std::string(name) + ".dsl"));
        std::string dsl((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        EXPECT_EQ(dsl.find("Incorrect"), std::string::npos) << name << "\n" << dsl;
        EXPECT_EQ(dsl.find("Invalid"), std::string::npos) << name << "\n" << dsl;
    }
}

}  // namespace
}  // namespace sandpc
