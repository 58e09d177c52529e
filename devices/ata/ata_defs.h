// ATA register bits and command opcodes (ATA/ATAPI-6, ACS).
#pragma once

#include <cstdint>

namespace sandpc::ata {

// Status register.
inline constexpr uint8_t kStatusErr = 0x01;
inline constexpr uint8_t kStatusDrq = 0x08;
inline constexpr uint8_t kStatusDsc = 0x10;
inline constexpr uint8_t kStatusDf = 0x20;
inline constexpr uint8_t kStatusDrdy = 0x40;
inline constexpr uint8_t kStatusBsy = 0x80;

// Error register.
inline constexpr uint8_t kErrorAbrt = 0x04;
inline constexpr uint8_t kErrorIdnf = 0x10;
inline constexpr uint8_t kErrorUnc = 0x40;

// Device/head register.
inline constexpr uint8_t kDeviceDev = 0x10;
inline constexpr uint8_t kDeviceLba = 0x40;

// Device control register.
inline constexpr uint8_t kControlNien = 0x02;
inline constexpr uint8_t kControlSrst = 0x04;
inline constexpr uint8_t kControlHob = 0x80;

// ATAPI interrupt reason (sector count register).
inline constexpr uint8_t kReasonCod = 0x01;
inline constexpr uint8_t kReasonIo = 0x02;

// Diagnostic code placed in the error register after reset and EXECUTE
// DEVICE DIAGNOSTIC: device passed.
inline constexpr uint8_t kDiagnosticPassed = 0x01;

enum Command : uint8_t {
    kCmdDeviceReset = 0x08,
    kCmdRecalibrate = 0x10,  // 0x10-0x1F
    kCmdReadSectors = 0x20,
    kCmdReadSectorsNoRetry = 0x21,
    kCmdReadSectorsExt = 0x24,
    kCmdReadDmaExt = 0x25,
    kCmdReadMultipleExt = 0x29,
    kCmdWriteSectors = 0x30,
    kCmdWriteSectorsNoRetry = 0x31,
    kCmdWriteSectorsExt = 0x34,
    kCmdWriteDmaExt = 0x35,
    kCmdWriteMultipleExt = 0x39,
    kCmdReadVerify = 0x40,
    kCmdReadVerifyNoRetry = 0x41,
    kCmdReadVerifyExt = 0x42,
    kCmdSeek = 0x70,
    kCmdExecuteDiagnostic = 0x90,
    kCmdInitializeParameters = 0x91,
    kCmdPacket = 0xA0,
    kCmdIdentifyPacket = 0xA1,
    kCmdReadMultiple = 0xC4,
    kCmdWriteMultiple = 0xC5,
    kCmdSetMultiple = 0xC6,
    kCmdReadDma = 0xC8,
    kCmdReadDmaNoRetry = 0xC9,
    kCmdWriteDma = 0xCA,
    kCmdWriteDmaNoRetry = 0xCB,
    kCmdStandbyImmediate = 0xE0,
    kCmdIdleImmediate = 0xE1,
    kCmdStandby = 0xE2,
    kCmdIdle = 0xE3,
    kCmdCheckPowerMode = 0xE5,
    kCmdSleep = 0xE6,
    kCmdFlushCache = 0xE7,
    kCmdFlushCacheExt = 0xEA,
    kCmdIdentify = 0xEC,
    kCmdSetFeatures = 0xEF,
};

}  // namespace sandpc::ata
