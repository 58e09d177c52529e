// INT 13h status codes (AH after the call, also kept in the BDA).
#pragma once
#include <cstdint>

namespace sandpc::int13_status {

constexpr uint8_t kBadCommand = 0x01;
constexpr uint8_t kWriteProtected = 0x03;
constexpr uint8_t kSectorNotFound = 0x04;
constexpr uint8_t kReadError = 0x10;
constexpr uint8_t kTimeout = 0x80;

}  // namespace sandpc::int13_status
