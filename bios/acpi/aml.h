// AML byte encoding of the few ASL constructs our DSDT needs, written from
// the grammar in the ACPI specification ("ACPI Machine Language
// Specification"). Each function returns the complete encoding of one term.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace sandpc::aml {

using Bytes = std::vector<uint8_t>;

// PkgLength for a package whose contents after the PkgLength are
// `content_length` bytes (the encoded value counts the PkgLength itself).
Bytes pkg_length(size_t content_length);

// NameString from an ASL path: "\\_SB.PCI0", "_S5", "^FOO". Segments shorter
// than four characters are padded with '_'.
Bytes name_string(std::string_view path);

// Integer constant in the shortest form (ZeroOp, OneOp, Byte/Word/DWord/
// QWordConst).
Bytes integer(uint64_t value);
Bytes string(std::string_view text);
// The compressed EISA ID of a "PNP0A03"-style name, as EISAID() gives it.
uint32_t eisa_id(std::string_view id);

Bytes name(std::string_view path, const Bytes& data);  // Name(path, data)
Bytes scope(std::string_view path, const Bytes& terms);
Bytes device(std::string_view path, const Bytes& objects);
Bytes processor(std::string_view path, uint8_t id, uint32_t pblk_address, uint8_t pblk_length,
                const Bytes& objects);
Bytes package(std::span<const Bytes> elements);
Bytes buffer(std::span<const uint8_t> data);

// Concatenates terms.
Bytes join(std::initializer_list<Bytes> parts);

}  // namespace sandpc::aml
