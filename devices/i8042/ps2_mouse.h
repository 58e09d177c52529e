// A PS/2 mouse on the 8042's auxiliary port, with the IntelliMouse
// extensions: the sample-rate sequence 200, 100, 80 switches it to ID 3
// (wheel, 4-byte packets) and then 200, 200, 80 to ID 4 (wheel and buttons
// 4/5).
//
// Commands: FF reset (FA AA 00), FE resend, F6 defaults, F5/F4 disable/enable
// reporting, F3 sample rate, F2 get ID, F0 remote mode, EE/EC wrap mode on/off
// (wrap echoes every byte but EC and FF), EB read data, EA stream mode, E9
// status (three bytes), E8 resolution, E7/E6 scaling 2:1 / 1:1; invalid
// commands and parameters answer FE.
//
// Movement from the host becomes a packet at once in stream mode with
// reporting on; otherwise it accumulates until EB reads it. Packets use the
// PS/2 conventions: dy > 0 is up, dz > 0 is the wheel turned toward the
// user; buttons bit 0 left, 1 right, 2 middle, 3 and 4 the side buttons.
// Motion beyond -256..255 is clamped with the overflow bit set.
#pragma once

#include <cstdint>
#include <deque>
#include <initializer_list>

#include "snapshot/state_stream.h"

namespace sandpc {

class Ps2Mouse {
  public:
    static constexpr size_t kQueueLimit = 1024;

    Ps2Mouse() { set_defaults(); }

    void receive(uint8_t byte);
    bool has_output() const { return !out_.empty(); }
    uint8_t pop_output();

    // False if the packet was dropped (queue full).
    bool move(int dx, int dy, int dz, uint8_t buttons);

    uint8_t id() const { return id_; }
    uint8_t sample_rate() const { return rate_; }
    uint8_t resolution() const { return resolution_; }
    bool reporting() const { return reporting_; }

    // Fields inside the controller's section.
    void save(StateWriter& w) const;
    void load(StateReader& r);

  private:
    void set_defaults();
    void command(uint8_t byte);
    void parameter(uint8_t byte);
    void set_rate(uint8_t rate);
    void send(std::initializer_list<uint8_t> bytes);
    bool send_packet();  // from the accumulated motion, which it clears
    void clear_motion() { dx_ = dy_ = dz_ = 0; }

    std::deque<uint8_t> out_;
    uint8_t pending_ = 0;  // F3 or E8 awaiting its parameter
    uint8_t rate_ = 100;
    uint8_t resolution_ = 2;
    bool scaling_2to1_ = false;
    bool reporting_ = false;
    bool remote_ = false;
    bool wrap_ = false;
    uint8_t id_ = 0;
    uint8_t rate_history_[3] = {};  // last three sample rates, newest last
    uint8_t buttons_ = 0;
    int32_t dx_ = 0, dy_ = 0, dz_ = 0;  // motion not yet reported
    uint8_t last_sent_ = 0;
};

}  // namespace sandpc
