// The stop of a computation that another thread asked for: a newer request replaced it, or
// the program is closing.
#pragma once

#include <atomic>
#include <exception>

namespace attn {

// Thrown by a computation whose stop flag was set. Nothing to show the user.
class Cancelled : public std::exception {
public:
    const char* what() const noexcept override { return "the computation was stopped"; }
};

inline void throwIfStopped(const std::atomic<bool>* stop)
{
    if (stop && stop->load(std::memory_order_relaxed))
        throw Cancelled();
}

} // namespace attn
