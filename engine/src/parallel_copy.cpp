#include "parallel_copy.h"

#include "thread_team.h"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <thread>

namespace attn {

namespace {

// Below this a helper's wake-up costs more than its share of the copy.
constexpr std::size_t piece = std::size_t(8) << 20;
constexpr unsigned mostThreads = 8; // about where one socket's memory bandwidth is used up

} // namespace

void copyInParallel(const std::vector<CopyRange>& ranges)
{
    std::vector<CopyRange> pieces;
    for (const CopyRange& range : ranges)
        for (std::size_t done = 0; done < range.bytes; done += piece)
            pieces.push_back({static_cast<char*>(range.to) + done, static_cast<const char*>(range.from) + done,
                              std::min(piece, range.bytes - done)});
    std::atomic<std::size_t> next{0};
    const auto work = [&] {
        for (std::size_t i = next++; i < pieces.size(); i = next++)
            std::memcpy(pieces[i].to, pieces[i].from, pieces[i].bytes);
    };
    const unsigned threads = unsigned(std::min<std::size_t>(
        {pieces.size(), std::max(1u, std::thread::hardware_concurrency()), mostThreads}));
    team::runTeam(threads, work);
}

} // namespace attn
