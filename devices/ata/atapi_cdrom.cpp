#include "devices/ata/atapi_cdrom.h"

#include <algorithm>
#include <string_view>

namespace sandpc {

namespace {

enum Opcode : uint8_t {
    kTestUnitReady = 0x00,
    kRequestSense = 0x03,
    kInquiry = 0x12,
    kStartStopUnit = 0x1B,
    kPreventAllowRemoval = 0x1E,
    kReadCapacity = 0x25,
    kRead10 = 0x28,
    kReadToc = 0x43,
    kGetConfiguration = 0x46,
    kGetEventStatus = 0x4A,
    kReadDiscInformation = 0x51,
    kModeSense10 = 0x5A,
    kRead12 = 0xA8,
};

// Additional sense codes.
constexpr uint8_t kAscInvalidOpcode = 0x20;
constexpr uint8_t kAscLbaOutOfRange = 0x21;
constexpr uint8_t kAscInvalidField = 0x24;
constexpr uint8_t kAscMediumMayHaveChanged = 0x28;
constexpr uint8_t kAscSavingNotSupported = 0x39;
constexpr uint8_t kAscMediumNotPresent = 0x3A;
constexpr uint8_t kAscRemovalPrevented = 0x53;

constexpr uint8_t kTocControlData = 0x14;  // ADR 1 (Q position), data track
constexpr uint8_t kLeadOutTrack = 0xAA;

uint32_t be16(std::span<const uint8_t> p) {
    return uint32_t{p[0]} << 8 | p[1];
}
uint32_t be32(std::span<const uint8_t> p) {
    return be16(p) << 16 | be16(p.subspan(2));
}

void put_be16(std::vector<uint8_t>& v, size_t at, uint32_t x) {
    v[at] = static_cast<uint8_t>(x >> 8);
    v[at + 1] = static_cast<uint8_t>(x);
}
void put_be32(std::vector<uint8_t>& v, size_t at, uint32_t x) {
    put_be16(v, at, x >> 16);
    put_be16(v, at + 2, x);
}

// A TOC address field: LBA, or 0/M/S/F with the 2-second lead-in offset.
void put_address(std::vector<uint8_t>& v, size_t at, uint32_t lba, bool msf) {
    if (!msf) return put_be32(v, at, lba);
    uint32_t frames = lba + 150;
    v[at] = 0;
    v[at + 1] = static_cast<uint8_t>(frames / (75 * 60));
    v[at + 2] = static_cast<uint8_t>(frames / 75 % 60);
    v[at + 3] = static_cast<uint8_t>(frames % 75);
}

void put_text(std::vector<uint8_t>& v, size_t at, size_t width, std::string_view s) {
    for (size_t i = 0; i < width; ++i) v[at + i] = static_cast<uint8_t>(i < s.size() ? s[i] : ' ');
}

}  // namespace

void AtapiCdrom::insert(BlockBackendPtr medium) {
    medium_ = std::move(medium);
    if (!medium_) return;
    unit_attention_ = true;
    media_event_ = MediaEvent::kNewMedia;
}

BlockBackendPtr AtapiCdrom::eject() {
    if (medium_) media_event_ = MediaEvent::kMediaRemoval;
    unit_attention_ = false;
    return std::move(medium_);
}

void AtapiCdrom::reset() {
    sense_ = {};
    prevent_removal_ = false;
}

AtapiCdrom::Result AtapiCdrom::fail(uint8_t key, uint8_t asc, uint8_t ascq) {
    sense_ = {key, asc, ascq};
    Result r;
    r.ok = false;
    return r;
}

AtapiCdrom::Result AtapiCdrom::reply(std::vector<uint8_t> data, uint32_t allocation_length) {
    if (data.size() > allocation_length) data.resize(allocation_length);
    Result r;
    r.data = std::move(data);
    return r;
}

bool AtapiCdrom::check_ready(Result& failed) {
    if (unit_attention_) {
        unit_attention_ = false;
        failed = fail(sense::kUnitAttention, kAscMediumMayHaveChanged);
        return false;
    }
    if (!medium_) {
        failed = fail(sense::kNotReady, kAscMediumNotPresent);
        return false;
    }
    return true;
}

AtapiCdrom::Result AtapiCdrom::execute(std::span<const uint8_t, kPacketSize> cdb) {
    uint8_t opcode = cdb[0];
    // These report state without disturbing a pending unit attention.
    switch (opcode) {
        case kRequestSense: return request_sense(cdb);
        case kInquiry: return inquiry(cdb);
        case kGetConfiguration: return get_configuration(cdb);
        case kGetEventStatus: return get_event_status(cdb);
        default: break;
    }
    sense_ = {};
    Result failed;
    switch (opcode) {
        case kTestUnitReady:
            if (!check_ready(failed)) return failed;
            return {};
        case kStartStopUnit:
            if (unit_attention_) {
                check_ready(failed);
                return failed;
            }
            return start_stop_unit(cdb);
        case kPreventAllowRemoval: prevent_removal_ = cdb[4] & 0x01; return {};
        case kModeSense10: return mode_sense(cdb);
        default: break;
    }
    bool needs_medium = opcode == kReadCapacity || opcode == kRead10 || opcode == kRead12 ||
                        opcode == kReadToc || opcode == kReadDiscInformation;
    if (!needs_medium) return fail(sense::kIllegalRequest, kAscInvalidOpcode);
    if (!check_ready(failed)) return failed;
    auto bytes = std::span<const uint8_t>(cdb);
    switch (opcode) {
        case kReadCapacity: return read_capacity();
        case kRead10: return read_blocks(be32(bytes.subspan(2)), be16(bytes.subspan(7)));
        case kRead12: return read_blocks(be32(bytes.subspan(2)), be32(bytes.subspan(6)));
        case kReadToc: return read_toc(cdb);
        default: return read_disc_information(cdb);
    }
}

AtapiCdrom::Result AtapiCdrom::request_sense(std::span<const uint8_t, kPacketSize> cdb) {
    SenseData s = sense_;
    if (s.key == sense::kNoSense && unit_attention_) {
        unit_attention_ = false;
        s = {sense::kUnitAttention, kAscMediumMayHaveChanged, 0};
    } else if (s.key == sense::kNoSense && !medium_) {
        s = {sense::kNotReady, kAscMediumNotPresent, 0};
    }
    std::vector<uint8_t> d(18, 0);
    d[0] = 0x70;  // current error, fixed format
    d[2] = s.key;
    d[7] = 10;  // additional sense length
    d[12] = s.asc;
    d[13] = s.ascq;
    sense_ = {};
    return reply(std::move(d), cdb[4]);
}

AtapiCdrom::Result AtapiCdrom::inquiry(std::span<const uint8_t, kPacketSize> cdb) {
    if (cdb[1] & 0x01) return fail(sense::kIllegalRequest, kAscInvalidField);  // no VPD pages
    std::vector<uint8_t> d(36, 0);
    d[0] = 0x05;  // CD/DVD device
    d[1] = 0x80;  // removable medium
    d[2] = 0x05;  // SPC-3
    d[3] = 0x02;  // response data format
    d[4] = 36 - 5;
    put_text(d, 8, 8, "SANDPC");
    put_text(d, 16, 16, "CD-ROM");
    put_text(d, 32, 4, "1.0");
    return reply(std::move(d), be16(std::span<const uint8_t>(cdb).subspan(3)));
}

AtapiCdrom::Result AtapiCdrom::start_stop_unit(std::span<const uint8_t, kPacketSize> cdb) {
    bool load_eject = cdb[4] & 0x02;
    bool start = cdb[4] & 0x01;
    if (load_eject && !start) {
        if (prevent_removal_) return fail(sense::kIllegalRequest, kAscRemovalPrevented, 0x02);
        eject();  // the medium is dropped; the machine inserts a new one
    }
    return {};
}

AtapiCdrom::Result AtapiCdrom::read_capacity() {
    std::vector<uint8_t> d(8, 0);
    put_be32(d, 0, static_cast<uint32_t>(std::min<uint64_t>(blocks(), 0x100000000) - 1));
    put_be32(d, 4, kBlockSize);
    Result r;
    r.data = std::move(d);
    return r;
}

AtapiCdrom::Result AtapiCdrom::read_blocks(uint32_t lba, uint32_t count) {
    if (uint64_t{lba} + count > blocks()) return fail(sense::kIllegalRequest, kAscLbaOutOfRange);
    Result r;
    r.medium_offset = uint64_t{lba} * kBlockSize;
    r.medium_bytes = uint64_t{count} * kBlockSize;
    return r;
}

AtapiCdrom::Result AtapiCdrom::read_toc(std::span<const uint8_t, kPacketSize> cdb) {
    bool msf = cdb[1] & 0x02;
    uint8_t format = cdb[2] & 0x0F;
    if (format == 0 && (cdb[9] >> 6)) format = cdb[9] >> 6;  // older drivers put it here
    uint8_t start_track = cdb[6];
    auto allocation = be16(std::span<const uint8_t>(cdb).subspan(7));
    uint32_t lead_out = static_cast<uint32_t>(blocks());
    std::vector<uint8_t> d(4, 0);
    auto add_descriptor = [&](uint8_t track, uint32_t lba) {
        size_t at = d.size();
        d.resize(at + 8, 0);
        d[at + 1] = kTocControlData;
        d[at + 2] = track;
        put_address(d, at + 4, lba, msf);
    };
    switch (format) {
        case 0:
            if (start_track > 1 && start_track != kLeadOutTrack)
                return fail(sense::kIllegalRequest, kAscInvalidField);
            if (start_track <= 1) add_descriptor(1, 0);
            add_descriptor(kLeadOutTrack, lead_out);
            break;
        case 1: add_descriptor(1, 0); break;  // session info: first track of the last session
        default: return fail(sense::kIllegalRequest, kAscInvalidField);
    }
    put_be16(d, 0, static_cast<uint32_t>(d.size() - 2));
    d[2] = 1;  // first track / session
    d[3] = 1;  // last track / session
    return reply(std::move(d), allocation);
}

AtapiCdrom::Result AtapiCdrom::mode_sense(std::span<const uint8_t, kPacketSize> cdb) {
    uint8_t page = cdb[2] & 0x3F;
    uint8_t control = cdb[2] >> 6;
    if (control == 3) return fail(sense::kIllegalRequest, kAscSavingNotSupported);
    bool changeable = control == 1;  // nothing can be changed: all zeros
    std::vector<uint8_t> d(8, 0);
    d[2] = medium_ ? 0x01 : 0x70;  // 120 mm data CD / no disc
    auto add_page = [&](std::vector<uint8_t> p) {
        if (changeable) std::fill(p.begin() + 2, p.end(), 0);
        d.insert(d.end(), p.begin(), p.end());
    };
    bool all = page == 0x3F;
    if (page == 0x01 || all) add_page({0x01, 0x06, 0x00, 0x05, 0, 0, 0, 0});  // 5 read retries
    if (page == 0x2A || all) {
        std::vector<uint8_t> caps(20, 0);
        caps[0] = 0x2A;
        caps[1] = 18;
        // Tray loader, eject, lock, and whether the lock is engaged.
        caps[6] = static_cast<uint8_t>(0x29 | (prevent_removal_ ? 0x02 : 0));
        put_be16(caps, 8, 706);   // 4x, kB/s
        put_be16(caps, 12, 512);  // buffer, KiB
        put_be16(caps, 14, 706);
        add_page(std::move(caps));
    }
    if (d.size() == 8) return fail(sense::kIllegalRequest, kAscInvalidField);
    put_be16(d, 0, static_cast<uint32_t>(d.size() - 2));
    return reply(std::move(d), be16(std::span<const uint8_t>(cdb).subspan(7)));
}

AtapiCdrom::Result AtapiCdrom::get_configuration(std::span<const uint8_t, kPacketSize> cdb) {
    uint16_t profile = medium_ ? 0x0008 : 0x0000;  // CD-ROM
    std::vector<uint8_t> d(8, 0);
    put_be16(d, 6, profile);
    uint32_t starting_feature = be16(std::span<const uint8_t>(cdb).subspan(2));
    if (starting_feature == 0) {
        // Profile List feature: the one profile this drive has.
        d.insert(d.end(), {0x00, 0x00, 0x03, 0x04, 0x00, 0x08,
                           static_cast<uint8_t>(medium_ ? 0x01 : 0x00), 0x00});
    }
    put_be32(d, 0, static_cast<uint32_t>(d.size() - 4));
    return reply(std::move(d), be16(std::span<const uint8_t>(cdb).subspan(7)));
}

AtapiCdrom::Result AtapiCdrom::get_event_status(std::span<const uint8_t, kPacketSize> cdb) {
    if (!(cdb[1] & 0x01)) return fail(sense::kIllegalRequest, kAscInvalidField);  // polled only
    constexpr uint8_t kMediaClass = 0x10;
    std::vector<uint8_t> d(4, 0);
    d[3] = kMediaClass;  // supported classes
    if (cdb[4] & kMediaClass) {
        d[2] = 0x04;  // media class
        d.insert(d.end(), {static_cast<uint8_t>(media_event_),
                           static_cast<uint8_t>(medium_ ? 0x02 : 0x00), 0, 0});
        media_event_ = MediaEvent::kNone;
    } else {
        d[2] = 0x80;  // no event available
    }
    put_be16(d, 0, static_cast<uint32_t>(d.size() - 2));
    return reply(std::move(d), be16(std::span<const uint8_t>(cdb).subspan(7)));
}

AtapiCdrom::Result AtapiCdrom::read_disc_information(std::span<const uint8_t, kPacketSize> cdb) {
    std::vector<uint8_t> d(34, 0);
    put_be16(d, 0, 32);
    d[2] = 0x0E;  // last session complete, disc complete
    d[3] = 1;     // first track
    d[4] = 1;     // sessions
    d[5] = 1;     // first track of last session
    d[6] = 1;     // last track of last session
    return reply(std::move(d), be16(std::span<const uint8_t>(cdb).subspan(7)));
}

void AtapiCdrom::save(StateWriter& w) const {
    w.u8(sense_.key);
    w.u8(sense_.asc);
    w.u8(sense_.ascq);
    w.boolean(unit_attention_);
    w.boolean(prevent_removal_);
    w.u8(static_cast<uint8_t>(media_event_));
}

void AtapiCdrom::load(StateReader& r) {
    SenseData s{r.u8(), r.u8(), r.u8()};
    bool attention = r.boolean();
    bool prevent = r.boolean();
    uint8_t event = r.u8();
    if (s.key > 0x0F) throw StateError("state: ATAPI sense key out of range");
    if (event != 0 && event != 2 && event != 3) throw StateError("state: bad ATAPI media event");
    sense_ = s;
    unit_attention_ = attention;
    prevent_removal_ = prevent;
    media_event_ = static_cast<MediaEvent>(event);
}

}  // namespace sandpc
