#include "bios/acpi/dsdt.h"

#include "bios/acpi/acpi_table_bytes.h"
#include "bios/acpi/aml.h"
#include "bios/acpi/resource_descriptors.h"

namespace sandpc::acpi {
namespace {

constexpr uint8_t kDsdtRevision = 2;  // ACPI 2.0: 64-bit integers
constexpr uint16_t kPciConfigPorts = 0xCF8;
constexpr uint8_t kPciConfigPortCount = 8;
constexpr uint32_t kVgaWindowFirst = 0xA0000;
constexpr uint32_t kVgaWindowLast = 0xBFFFF;

aml::Bytes host_bridge_resources(const DsdtConfig& config) {
    aml::Bytes crs = aml::join({
        word_bus_numbers(0x00, 0xFF),
        io_ports(kPciConfigPorts, kPciConfigPortCount),
        word_io_window(0x0000, kPciConfigPorts - 1),
        word_io_window(kPciConfigPorts + kPciConfigPortCount, 0xFFFF),
        dword_memory_window(kVgaWindowFirst, kVgaWindowLast, true),
    });
    if (config.pci_memory_first <= config.pci_memory_last) {
        aml::Bytes window =
            dword_memory_window(config.pci_memory_first, config.pci_memory_last, false);
        crs.insert(crs.end(), window.begin(), window.end());
    }
    aml::Bytes end = end_tag();
    crs.insert(crs.end(), end.begin(), end.end());
    return aml::buffer(crs);
}

aml::Bytes host_bridge(const DsdtConfig& config) {
    return aml::device("PCI0", aml::join({
                                   aml::name("_HID", aml::integer(aml::eisa_id("PNP0A03"))),
                                   aml::name("_ADR", aml::integer(0)),
                                   aml::name("_UID", aml::integer(0)),
                                   aml::name("_BBN", aml::integer(0)),
                                   aml::name("_CRS", host_bridge_resources(config)),
                               }));
}

}  // namespace

std::vector<uint8_t> build_dsdt(const DsdtConfig& config) {
    // \_S5: {SLP_TYPa, SLP_TYPb}; there is no PM1b block, so both are the same.
    const aml::Bytes s5_values[] = {aml::integer(config.s5_sleep_type),
                                    aml::integer(config.s5_sleep_type)};
    aml::Bytes body = aml::join({
        aml::scope("\\_PR", aml::processor("CPU0", 0, 0, 0, {})),
        aml::name("_S5", aml::package(s5_values)),
        aml::scope("\\_SB", host_bridge(config)),
    });
    Bytes dsdt = table("DSDT", kDsdtRevision);
    dsdt.insert(dsdt.end(), body.begin(), body.end());
    finish(dsdt);
    return dsdt;
}

}  // namespace sandpc::acpi
