// The helpers of the thread team, started once and kept asleep between teams: starting a
// thread costs about 50 µs on a virtual machine, and a forward pass of a model runs
// dozens of teams.
#include "thread_team.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <system_error>
#include <vector>

namespace attn::team {

namespace {

class HelperPool {
public:
    static HelperPool& instance()
    {
        static HelperPool pool;
        return pool;
    }

    ~HelperPool()
    {
        {
            const std::lock_guard lock(m_mutex);
            m_stopping = true;
        }
        m_wake.notify_all();
        for (std::thread& helper : m_helpers)
            helper.join();
    }

    void run(unsigned helpers, void (*call)(void*), void* context)
    {
        // A flag, not a mutex: a team's body that runs a team of its own (on this thread or a
        // helper) finds the pool taken and works alone.
        if (m_taken.exchange(true, std::memory_order_acquire))
            return call(context);
        struct Release {
            std::atomic<bool>& taken;
            ~Release() { taken.store(false, std::memory_order_release); }
        } release{m_taken};
        if (!startHelpers(helpers))
            return call(context);
        {
            const std::lock_guard lock(m_mutex);
            m_call = call;
            m_context = context;
            m_wanted = helpers;
            m_joined = 0;
            m_open = true;
            ++m_generation;
        }
        m_wake.notify_all();
        // Closed, and the helpers at work waited for, however the caller's share ends: they
        // use `context`, which lives in the caller's frame.
        struct Close {
            HelperPool& pool;
            ~Close()
            {
                std::unique_lock lock(pool.m_mutex);
                pool.m_open = false;
                pool.m_finished.wait(lock, [&] { return pool.m_active == 0; });
            }
        } close{*this};
        call(context);
    }

private:
    // At least `count` helpers, or as many as the system gives; false when it gives none.
    bool startHelpers(unsigned count)
    {
        try {
            while (m_helpers.size() < count)
                m_helpers.emplace_back([this] { serve(); });
        } catch (const std::system_error&) {
        }
        return !m_helpers.empty();
    }

    void serve()
    {
        std::uint64_t seen = 0;
        std::unique_lock lock(m_mutex);
        for (;;) {
            lock.unlock();
            awaitBriefly(seen);
            lock.lock();
            m_wake.wait(lock, [&] { return m_stopping || m_generation != seen; });
            if (m_stopping)
                return;
            seen = m_generation;
            if (!m_open || m_joined == m_wanted)
                continue; // late, or not needed by this team
            ++m_joined;
            ++m_active;
            lock.unlock();
            m_call(m_context);
            lock.lock();
            if (--m_active == 0)
                m_finished.notify_all();
        }
    }

    // A model's forward pass runs its teams back to back, with a little single-threaded work
    // between them: a helper that looks for the next team for a moment before it sleeps
    // spares the wake-up, which costs tens of microseconds on a virtual machine (passes of
    // n = 32, (256, 8) one after the other: 0.25 ms each without this, 0.21 with it).
    // OpenBLAS's own threads do the same, for far longer.
    void awaitBriefly(std::uint64_t seen) const
    {
        const auto until = std::chrono::steady_clock::now() + std::chrono::microseconds(100);
        while (m_generation.load(std::memory_order_relaxed) == seen && std::chrono::steady_clock::now() < until)
            std::this_thread::yield();
    }

    std::atomic<bool> m_taken{false}; // by the team that has the helpers
    std::vector<std::thread> m_helpers;

    std::mutex m_mutex; // guards what follows
    std::condition_variable m_wake, m_finished;
    void (*m_call)(void*) = nullptr;
    void* m_context = nullptr;
    unsigned m_wanted = 0, m_joined = 0, m_active = 0;
    std::atomic<std::uint64_t> m_generation{0}; // written under m_mutex; read without it to wait briefly
    bool m_open = false, m_stopping = false;
};

} // namespace

void runOnPool(unsigned helpers, void (*call)(void*), void* context)
{
    HelperPool::instance().run(helpers, call, context);
}

} // namespace attn::team
