// The thread team of the CPU arithmetic: OpenBLAS single-threaded inside a small team of
// our own threads that take tiles of work from a queue. Shared by the BLAS backend and the
// model's linear maps, so that OpenBLAS's own threads never wake during a forward pass:
// once woken they spin for a while, and on a small machine that spinning takes the cores
// the team needs next.
#pragma once

#include <cblas.h>

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <exception>
#include <mutex>
#include <thread>

namespace attn::team {

// Below this many FLOPs (a pass of about 0.05 ms on one core) a second thread gains
// nothing measurable: waking it and the hand-overs between phases cost as much.
constexpr double minFlopsForTeam = 5e6;

inline std::size_t ceilDiv(std::size_t a, std::size_t b)
{
    return (a + b - 1) / b;
}

// OpenBLAS runs single-threaded while the team works (the setting is process-wide; the
// engine makes one BLAS call chain at a time).
class SingleThreadedBlas {
public:
    SingleThreadedBlas() : m_previous(openblas_get_num_threads())
    {
        if (m_previous != 1)
            openblas_set_num_threads(1);
    }
    ~SingleThreadedBlas()
    {
        if (m_previous != 1)
            openblas_set_num_threads(m_previous);
    }
    SingleThreadedBlas(const SingleThreadedBlas&) = delete;
    SingleThreadedBlas& operator=(const SingleThreadedBlas&) = delete;
    int previous() const { return m_previous; }

private:
    int m_previous;
};

// Runs call(context) on the calling thread and on up to `helpers` threads of a pool kept
// for the process (thread_team.cpp). A helper that wakes late (a busy machine) finds the
// work done and goes back to sleep without touching it; the caller never waits for one
// that has not begun, only for those at work. While another team holds the pool (a second
// computation at the same time), the caller works alone: the cores are taken anyway.
void runOnPool(unsigned helpers, void (*call)(void*), void* context);

// Runs body() on the calling thread and on up to `workers - 1` helpers.
template <typename Body>
void runTeam(unsigned workers, Body body)
{
    if (workers <= 1)
        return body();
    runOnPool(workers - 1, [](void* context) { (*static_cast<Body*>(context))(); }, &body);
}

// Hands out items 0..count-1 to whichever worker asks next, and tells when all are done.
class WorkQueue {
public:
    explicit WorkQueue(std::size_t count) : m_count(count) {}
    template <typename Work>
    void drain(Work work)
    {
        for (std::size_t item = m_next++; item < m_count; item = m_next++) {
            work(item);
            if (++m_done == m_count)
                m_done.notify_all();
        }
    }
    // Returns once every item has been done, by whichever worker took it. Spins a little
    // first: the last items are usually short, and a sleep and wake-up cost more.
    void waitUntilDone() const
    {
        for (int spin = 0; spin < 2000 && m_done < m_count; ++spin)
            std::this_thread::yield();
        for (std::size_t done = m_done; done < m_count; done = m_done)
            m_done.wait(done);
    }

private:
    std::size_t m_count;
    std::atomic<std::size_t> m_next{0};
    std::atomic<std::size_t> m_done{0};
};

// The first exception a worker of a team threw, for the caller to rethrow once the team is
// done: an exception must not leave a worker's thread.
class FirstFailure {
public:
    // Call in a catch block.
    void capture() noexcept
    {
        const std::lock_guard lock(m_mutex);
        if (!m_failure)
            m_failure = std::current_exception();
        m_failed = true;
    }
    bool happened() const noexcept { return m_failed; }
    void rethrow() const
    {
        if (m_failure)
            std::rethrow_exception(m_failure);
    }

private:
    std::mutex m_mutex;
    std::exception_ptr m_failure;
    std::atomic<bool> m_failed{false};
};

// An M x N product cut into tiles for the team: by rows where there are many (each tile
// then packs the weights once), by columns (multiples of `quantum`) where rows are few,
// so that the weights, then the bulk of the bytes, are read once in all.
struct Tiling {
    std::size_t rows, cols, rowTile, colTile, rowTiles, colTiles;

    Tiling(std::size_t m, std::size_t n, std::size_t quantum, unsigned workers) : rows(m), cols(n)
    {
        if (m == 0 || n == 0) {
            rowTile = colTile = 1;
            rowTiles = colTiles = 0;
            return;
        }
        const std::size_t wanted = workers > 1 ? 2 * std::size_t(workers) : 1; // slack for a busy core
        rowTiles = std::clamp<std::size_t>(m / 128, 1, wanted);
        colTiles = std::clamp<std::size_t>(wanted / rowTiles, 1, std::max<std::size_t>(1, n / quantum));
        rowTile = ceilDiv(m, rowTiles);
        colTile = ceilDiv(ceilDiv(n, quantum), colTiles) * quantum;
        rowTiles = ceilDiv(m, rowTile);
        colTiles = ceilDiv(n, colTile);
    }
    std::size_t count() const { return rowTiles * colTiles; }
    std::size_t firstRow(std::size_t tile) const { return tile / colTiles * rowTile; }
    std::size_t lastRow(std::size_t tile) const { return std::min(rows, firstRow(tile) + rowTile); }
    std::size_t firstCol(std::size_t tile) const { return tile % colTiles * colTile; }
    std::size_t lastCol(std::size_t tile) const { return std::min(cols, firstCol(tile) + colTile); }
};

// The team for work of this many FLOPs: as large as OpenBLAS's thread count
// (OPENBLAS_NUM_THREADS) and the cores allow; one thread when small.
inline unsigned teamSize(double flops, int blasThreads)
{
    const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
    return flops < minFlopsForTeam ? 1u : std::clamp(unsigned(std::max(blasThreads, 1)), 1u, cores);
}

// The same for a product, with OpenBLAS's thread count as `blas` found it.
inline unsigned teamSize(double flops, const SingleThreadedBlas& blas)
{
    return teamSize(flops, blas.previous());
}

} // namespace attn::team
