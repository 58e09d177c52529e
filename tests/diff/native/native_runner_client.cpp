#include "tests/diff/native/native_runner_client.h"

#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <thread>

extern char** environ;

namespace sandpc {

namespace {

constexpr size_t kReadBuffer = 1 << 16;
constexpr size_t kWriteChunk = 1 << 18;

// Writes everything; false when the runner is gone. MSG_NOSIGNAL: a dead
// runner must not raise SIGPIPE in the test process.
bool send_fully(int fd, const uint8_t* p, size_t n) {
    while (n > 0) {
        const ssize_t k = ::send(fd, p, n, MSG_NOSIGNAL);
        if (k < 0) {
            if (errno == EINTR) continue;
            return false;
        }
        p += k;
        n -= static_cast<size_t>(k);
    }
    return true;
}

}  // namespace

NativeRunner::NativeRunner(const std::string& runner_path) : in_buf_(kReadBuffer) {
    int fds[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0)
        throw NativeRunnerError("socketpair: " + std::string(std::strerror(errno)));
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], STDIN_FILENO);
    posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
    char* argv[] = {const_cast<char*>(runner_path.c_str()), nullptr};
    const int err = ::posix_spawn(&pid_, runner_path.c_str(), &actions, nullptr, argv, environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(fds[1]);
    fd_ = fds[0];
    if (err != 0) {
        ::close(fd_);
        fd_ = -1;
        pid_ = -1;
        throw NativeRunnerError("cannot start " + runner_path + ": " + std::strerror(err));
    }
    DiffHello hello{};
    read_exact(&hello, sizeof hello);
    if (hello.magic != DIFF_MAGIC_HELLO) fail("bad hello from the native runner");
    low_area_mapped_ = hello.low_area_mapped != 0;
}

NativeRunner::~NativeRunner() {
    finish();
}

int NativeRunner::finish() {
    if (pid_ < 0) return -1;
    if (fd_ >= 0) {
        ::close(fd_);
        fd_ = -1;
    }
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    pid_ = -1;
    broken_ = true;
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : -1;
}

void NativeRunner::stop_process() {
    broken_ = true;
    if (pid_ > 0) ::kill(pid_, SIGKILL);  // also unblocks a writer thread stuck on a full socket
}

void NativeRunner::fail(const std::string& what) {
    stop_process();
    throw NativeRunnerError(what);
}

void NativeRunner::append_request(std::vector<uint8_t>& out, const DiffRequest& request,
                                  std::span<const uint8_t> code) {
    if (code.size() > DIFF_CODE_MAX)
        throw NativeRunnerError("native runner: code longer than DIFF_CODE_MAX");
    DiffRequest header = request;
    header.magic = DIFF_MAGIC_REQUEST;
    header.code_len = static_cast<uint32_t>(code.size());
    const auto* h = reinterpret_cast<const uint8_t*>(&header);
    out.insert(out.end(), h, h + sizeof header);
    out.insert(out.end(), code.begin(), code.end());
}

void NativeRunner::send_all(const uint8_t* p, size_t n) {
    if (!send_fully(fd_, p, n))
        fail("native runner closed its input: " + std::string(std::strerror(errno)));
}

void NativeRunner::read_exact(void* p, size_t n) {
    auto* dst = static_cast<uint8_t*>(p);
    while (n > 0) {
        if (in_pos_ == in_len_) {
            const ssize_t k = ::recv(fd_, in_buf_.data(), in_buf_.size(), 0);
            if (k < 0 && errno == EINTR) continue;
            if (k <= 0)
                fail(k == 0
                         ? "native runner exited unexpectedly"
                         : "reading from the native runner: " + std::string(std::strerror(errno)));
            in_pos_ = 0;
            in_len_ = static_cast<size_t>(k);
        }
        const size_t take = std::min(n, in_len_ - in_pos_);
        std::memcpy(dst, in_buf_.data() + in_pos_, take);
        in_pos_ += take;
        dst += take;
        n -= take;
    }
}

NativeResult NativeRunner::read_result() {
    NativeResult result;
    read_exact(&result.reply, sizeof result.reply);
    if (result.reply.magic != DIFF_MAGIC_REPLY) fail("bad reply magic from the native runner");
    if (result.reply.change_count > DIFF_MAX_CHANGES)
        fail("native runner reported too many changes");
    result.changes.resize(result.reply.change_count);
    read_exact(result.changes.data(), result.changes.size() * sizeof(DiffChange));
    return result;
}

NativeResult NativeRunner::run(const DiffRequest& request, std::span<const uint8_t> code) {
    if (broken_) throw NativeRunnerError("native runner is not usable after an earlier failure");
    std::vector<uint8_t> message;
    append_request(message, request, code);
    send_all(message.data(), message.size());
    return read_result();
}

void NativeRunner::run_batch(std::span<const NativeCase> cases,
                             const std::function<void(size_t, NativeResult&&)>& on_result) {
    if (broken_) throw NativeRunnerError("native runner is not usable after an earlier failure");
    for (const NativeCase& c : cases)
        if (c.code.size() > DIFF_CODE_MAX)
            throw NativeRunnerError("native runner: code longer than DIFF_CODE_MAX");

    std::atomic<bool> write_failed = false;
    std::thread writer([this, cases, &write_failed] {
        std::vector<uint8_t> chunk;
        chunk.reserve(kWriteChunk + sizeof(DiffRequest) + DIFF_CODE_MAX);
        for (size_t i = 0; i < cases.size(); ++i) {
            append_request(chunk, cases[i].request, cases[i].code);
            if (chunk.size() >= kWriteChunk || i + 1 == cases.size()) {
                if (!send_fully(fd_, chunk.data(), chunk.size())) {
                    write_failed = true;
                    return;
                }
                chunk.clear();
            }
        }
    });
    try {
        for (size_t i = 0; i < cases.size(); ++i) on_result(i, read_result());
    } catch (...) {
        stop_process();
        writer.join();
        throw;
    }
    writer.join();
    if (write_failed) fail("native runner closed its input during a batch");
}

std::vector<NativeResult> NativeRunner::run_batch(std::span<const NativeCase> cases) {
    std::vector<NativeResult> results;
    results.reserve(cases.size());
    run_batch(cases, [&results](size_t, NativeResult&& r) { results.push_back(std::move(r)); });
    return results;
}

}  // namespace sandpc
