// A peer implementation (PyTorch, numpy) running beside the benchmark as a child process,
// asked for one grid point at a time so that it is measured right after our backends, in
// the same conditions: on a shared machine the load changes from minute to minute.
//
// Protocol (peers.py --serve): the child first prints
//   peer=LABEL status=ready            or   peer=LABEL status=unavailable reason=WHY
// then answers each request line "N D_MODEL HEADS" with
//   peer=LABEL n=N d_model=D_MODEL h=HEADS ms=TIME
#pragma once

#include <cstdio>
#include <optional>
#include <string>
#include <sys/types.h>

namespace bench {

struct GridPoint {
    int n = 0;
    int dModel = 0;
    int heads = 0;
};

class PeerProcess {
public:
    // Starts `command` with /bin/sh and reads its first line.
    explicit PeerProcess(const std::string& command);
    ~PeerProcess();
    PeerProcess(const PeerProcess&) = delete;
    PeerProcess& operator=(const PeerProcess&) = delete;

    const std::string& label() const { return m_label; }
    bool available() const { return m_reason.empty(); }
    // Why the peer cannot run (no torch, the process ended...); empty while it can.
    const std::string& unavailableReason() const { return m_reason; }

    // Milliseconds for one forward pass at this point; nothing when the peer has stopped.
    std::optional<double> measure(const GridPoint& point);

private:
    std::optional<std::string> readLine();

    std::string m_label;
    std::string m_reason;
    pid_t m_pid = -1;
    std::FILE* m_to = nullptr;
    std::FILE* m_from = nullptr;
};

} // namespace bench
