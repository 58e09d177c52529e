// Client side of the native runner (tests/diff/native/runner_main.c): spawns
// the 32-bit sandpc_native_runner and exchanges tests/diff/diff_protocol.h
// records with it over a socket pair.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "tests/diff/diff_protocol.h"

namespace sandpc {

class NativeRunnerError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

struct NativeCase {
    DiffRequest request{};  // magic and code_len are set from code when sent
    std::vector<uint8_t> code;
};

struct NativeResult {
    DiffReply reply{};
    std::vector<DiffChange> changes;
};

// Owns one runner process. Not thread-safe: use one instance per thread.
// Any protocol failure (runner died, bad reply) throws NativeRunnerError and
// leaves the instance unusable.
class NativeRunner {
  public:
    explicit NativeRunner(const std::string& runner_path);
    ~NativeRunner();
    NativeRunner(const NativeRunner&) = delete;
    NativeRunner& operator=(const NativeRunner&) = delete;

    bool low_area_mapped() const { return low_area_mapped_; }

    NativeResult run(const DiffRequest& request, std::span<const uint8_t> code);

    // Sends all cases from a writer thread while replies are read here, so
    // neither side blocks on a full socket. on_result gets (index, result) in order.
    void run_batch(std::span<const NativeCase> cases,
                   const std::function<void(size_t, NativeResult&&)>& on_result);
    std::vector<NativeResult> run_batch(std::span<const NativeCase> cases);

    // Closes the runner's input and waits for it; returns its exit status
    // (as from waitpid's WEXITSTATUS, or 128+signal). Called by the destructor.
    int finish();

  private:
    static void append_request(std::vector<uint8_t>& out, const DiffRequest& request,
                               std::span<const uint8_t> code);
    void send_all(const uint8_t* p, size_t n);
    void read_exact(void* p, size_t n);
    NativeResult read_result();
    void stop_process();
    [[noreturn]] void fail(const std::string& what);

    int fd_ = -1;
    pid_t pid_ = -1;
    bool low_area_mapped_ = false;
    bool broken_ = false;
    std::vector<uint8_t> in_buf_;
    size_t in_pos_ = 0;
    size_t in_len_ = 0;
};

}  // namespace sandpc
