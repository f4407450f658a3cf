// The median wall time of repeated runs, with a budget so that slow cases run once.
#pragma once

#include <algorithm>
#include <chrono>
#include <vector>

namespace bench {

struct Timing {
    double medianMs = 0.0;
    int runs = 0;
};

struct TimingBudget {
    int minRuns = 5;
    int maxRuns = 50;
    double minSeconds = 0.3; // keep repeating until this much time was measured
    double onceSeconds = 2.0; // a first run longer than this is the answer
};

// `prepare` runs untimed before each run (e.g. a fresh output), `body` is timed.
template <typename Prepare, typename Body>
Timing timeMedian(const TimingBudget& budget, Prepare prepare, Body body)
{
    using Clock = std::chrono::steady_clock;
    const auto once = [&] {
        auto state = prepare();
        const auto start = Clock::now();
        body(state);
        return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
    };
    // The first run warms caches, page tables and thread pools; it only counts when slow.
    const double first = once();
    if (first > budget.onceSeconds * 1000.0)
        return {first, 1};
    std::vector<double> times;
    double total = 0.0;
    while (int(times.size()) < budget.maxRuns
           && (int(times.size()) < budget.minRuns || total < budget.minSeconds * 1000.0)) {
        times.push_back(once());
        total += times.back();
    }
    std::sort(times.begin(), times.end());
    const std::size_t mid = times.size() / 2;
    const double median = times.size() % 2 ? times[mid] : 0.5 * (times[mid - 1] + times[mid]);
    return {median, int(times.size())};
}

} // namespace bench
