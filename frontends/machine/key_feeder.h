// Types host text into a guest through its keyboard, one character each
// time the guest waits for a key (INT 16h with an empty buffer), chunk after
// chunk in order. Feeding only on a wait keeps keys from landing in a
// program that has not asked for them yet.
#pragma once
#include <string>
#include <vector>

#include "frontends/machine/machine.h"

namespace sandpc {

class KeyFeeder {
  public:
    void add(std::string chunk) { chunks_.push_back(std::move(chunk)); }
    bool done() const { return chunk_ >= chunks_.size(); }
    // Characters the guest has accepted so far (a snapshot taken now must be
    // resumed with the rest).
    size_t typed() const { return typed_; }
    // Call between machine slices.
    void feed(Machine& m) {
        while (!done() && pos_ >= chunks_[chunk_].size()) {
            ++chunk_;
            pos_ = 0;
        }
        if (done() || !m.waiting_for_key()) return;
        if (m.type_text(std::string_view(chunks_[chunk_]).substr(pos_, 1))) {
            ++pos_;
            ++typed_;
        }
    }

  private:
    std::vector<std::string> chunks_;
    size_t chunk_ = 0, pos_ = 0, typed_ = 0;
};

}  // namespace sandpc
