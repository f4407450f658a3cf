#include "attn/head_stats.h"

#include "attn/error.h"

#include "thread_team.h"
#include "vector_math.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>

namespace attn {

namespace {

// Sums in eight double lanes: each product of two floats is exact in a double, and the
// lanes keep the additions from waiting on one another.
using Doubles = double __attribute__((vector_size(8 * sizeof(double))));

ATTN_INLINE Doubles lowHalf(simd::Floats v)
{
    return __builtin_convertvector(__builtin_shufflevector(v, v, 0, 1, 2, 3, 4, 5, 6, 7), Doubles);
}

ATTN_INLINE Doubles highHalf(simd::Floats v)
{
    return __builtin_convertvector(__builtin_shufflevector(v, v, 8, 9, 10, 11, 12, 13, 14, 15), Doubles);
}

ATTN_INLINE double sumOf(Doubles v)
{
    return ((v[0] + v[4]) + (v[2] + v[6])) + ((v[1] + v[5]) + (v[3] + v[7]));
}

// What the statistics need of one row's first `keys` weights, in one pass.
struct RowSums {
    double largest = 0.0;
    double entropy = 0.0;  // -Σ w ln w, zeros skipped (0 · ln 0 = 0)
    double distance = 0.0; // Σ w · |query - key|
};

// The window recomputes every head's statistics on each edit, so the row is read in
// vectors with a vector logarithm (about 10 operations per weight; with the scalar logf
// this took twice as long as the 4-head forward pass at 2,000 tokens).
ATTN_TARGET_CLONES
RowSums rowSums(const float* row, int keys, int query)
{
    using namespace simd;
    const int whole = keys - keys % int(lanes);
    Floats largest = splat(0.0f); // weights are never negative
    Doubles entropyLow{}, entropyHigh{}, distanceLow{}, distanceHigh{};
    Floats key{};
    for (std::size_t l = 0; l < lanes; ++l)
        key[l] = float(l);
    for (int j = 0; j < whole; j += int(lanes), key += float(lanes)) {
        const Floats w = load(row + j);
        largest = largest < w ? w : largest;
        const Floats logW = w > 0.0f ? logKernel(w) : splat(0.0f);
        entropyLow -= lowHalf(w) * lowHalf(logW);
        entropyHigh -= highHalf(w) * highHalf(logW);
        const Floats away = key - float(query); // exact: positions are far below 2^24
        const Floats distance = away < 0.0f ? -away : away;
        distanceLow += lowHalf(w) * lowHalf(distance);
        distanceHigh += highHalf(w) * highHalf(distance);
    }
    RowSums sums;
    for (std::size_t l = 0; l < lanes; ++l)
        sums.largest = std::max(sums.largest, double(largest[l]));
    sums.entropy = sumOf(entropyLow + entropyHigh);
    sums.distance = sumOf(distanceLow + distanceHigh);
    for (int j = whole; j < keys; ++j) {
        sums.largest = std::max(sums.largest, double(row[j]));
        if (row[j] > 0.f)
            sums.entropy -= double(row[j]) * double(std::log(row[j]));
        sums.distance += double(row[j]) * std::abs(query - j);
    }
    return sums;
}

std::string share(double value)
{
    char text[32];
    std::snprintf(text, sizeof text, "%.2f", value);
    return text;
}

void checkWeights(const Tensor& weights, int head)
{
    if (weights.rank() != 3)
        throw Error("head statistics need weights shaped [heads x queries x keys], not " + weights.shapeText() + ".");
    if (head < 0 || std::size_t(head) >= weights.dim(0))
        throw Error("head " + std::to_string(head + 1) + " does not exist; this layer has "
                    + std::to_string(weights.dim(0)) + " heads.");
}

// Σ_j |query − j| / visible over keys 0 .. visible−1: how far weights spread evenly over
// the visible keys reach, on average (query < visible, as for self-attention).
double evenDistance(int query, int visible)
{
    const double before = double(query) * (query + 1) / 2, after = double(visible - 1 - query) * (visible - query) / 2;
    return (before + after) / visible;
}

// Names the dominant pattern from the numbers, by the rules of PatternThresholds.
void describe(HeadStats& stats, bool positionsComparable)
{
    using T = PatternThresholds;
    std::string note;
    if (!positionsComparable)
        note = " (across two texts: no self, previous token or distance)";
    if (stats.rowsCounted == 0) {
        stats.pattern = HeadPattern::Trivial;
        stats.description = "has only one token to look at" + note;
        return;
    }

    struct Candidate {
        HeadPattern pattern;
        std::optional<double> value;
        const char* words;
    };
    const Candidate candidates[] = {
        {HeadPattern::PreviousToken, stats.previousShare, "mostly looks at the previous token"},
        {HeadPattern::Self, stats.selfShare, "mostly looks at itself"},
        {HeadPattern::FirstToken, stats.firstShare, "mostly looks at the first token"},
    };
    const Candidate* best = nullptr;
    for (const Candidate& candidate : candidates)
        if (candidate.value && (!best || *candidate.value > *best->value))
            best = &candidate;
    if (best && *best->value > T::mostly) {
        stats.pattern = best->pattern;
        stats.description = std::string(best->words) + " (" + share(*best->value) + " of the weight)" + note;
        return;
    }
    if (stats.normalizedEntropy >= T::even) {
        stats.pattern = HeadPattern::Even;
        stats.description = "spread evenly (entropy " + share(stats.normalizedEntropy) + " of the maximum)" + note;
        return;
    }
    if (stats.normalizedEntropy <= T::focused) {
        if (!stats.meanDistance) {
            stats.pattern = HeadPattern::Focused;
            stats.description = "focused on a few tokens" + note;
            return;
        }
        const std::string distances = " (" + share(*stats.meanDistance) + " tokens away on average; spread evenly, "
                                      + share(*stats.evenDistance) + ")";
        if (*stats.meanDistance > T::farShare * *stats.evenDistance) {
            stats.pattern = HeadPattern::FocusedFar;
            stats.description = "focused on a few tokens far away" + distances;
        } else if (*stats.meanDistance < T::nearShare * *stats.evenDistance) {
            stats.pattern = HeadPattern::FocusedNear;
            stats.description = "focused on a few nearby tokens" + distances;
        } else {
            stats.pattern = HeadPattern::Focused;
            stats.description = "focused on a few tokens" + distances;
        }
        return;
    }
    stats.pattern = HeadPattern::Mixed;
    stats.description = "mixed, no single pattern" + note;
}

} // namespace

int visibleKeyCount(int query, int keys, bool causal)
{
    return causal ? std::clamp(query + 1, 0, keys) : keys;
}

HeadStats headStats(const Tensor& weights, int head, bool causal, bool positionsComparable,
                    const std::atomic<bool>* stop)
{
    checkWeights(weights, head);
    const int queries = int(weights.dim(1));
    const int keys = int(weights.dim(2));
    HeadStats stats;
    stats.head = head;
    if (queries == 0 || keys == 0) { // nothing attends to anything: no numbers to average
        describe(stats, positionsComparable);
        return stats;
    }

    // Rows with a choice first; if there are none, every row (the pattern is then Trivial).
    const auto hasChoice = [&](int i) { return visibleKeyCount(i, keys, causal) >= 2; };
    int choosing = 0;
    for (int i = 0; i < queries; ++i)
        choosing += hasChoice(i) ? 1 : 0;
    const bool allRows = choosing == 0;

    double entropy = 0, normalized = 0, meanLargest = 0, first = 0, self = 0, previous = 0, distance = 0, even = 0;
    int counted = 0, previousRows = 0;
    for (int i = 0; i < queries; ++i) {
        if (i % 256 == 0)
            throwIfStopped(stop);
        const float* row = &weights.data[(std::size_t(head) * std::size_t(queries) + std::size_t(i)) * std::size_t(keys)];
        // The keys a causal mask hides weigh exactly 0, and add nothing to any sum below.
        const int visible = visibleKeyCount(i, keys, causal);
        const RowSums sums = rowSums(row, visible, i);
        if (!allRows && !hasChoice(i))
            continue;
        ++counted;
        stats.largest = std::max(stats.largest, sums.largest);
        entropy += sums.entropy;
        normalized += visible >= 2 ? sums.entropy / std::log(double(visible)) : 0.0;
        meanLargest += sums.largest;
        first += double(row[0]);
        if (positionsComparable) {
            self += i < keys ? double(row[i]) : 0.0;
            if (i >= 1 && i - 1 < keys) {
                previous += double(row[i - 1]);
                ++previousRows;
            }
            distance += sums.distance;
            even += evenDistance(i, visible);
        }
    }
    stats.rowsCounted = allRows ? 0 : counted;
    if (counted > 0) {
        stats.entropy = entropy / counted;
        stats.normalizedEntropy = normalized / counted;
        stats.meanLargest = meanLargest / counted;
        stats.firstShare = first / counted;
        if (positionsComparable) {
            stats.selfShare = self / counted;
            stats.meanDistance = distance / counted;
            stats.evenDistance = even / counted;
            if (previousRows > 0)
                stats.previousShare = previous / previousRows;
        }
    }
    describe(stats, positionsComparable);
    return stats;
}

bool positionsComparable(const Trace& trace)
{
    return !trace.isCross() || trace.queryCount() == trace.keyCount();
}

std::vector<HeadStats> headStats(const Trace& trace, const std::atomic<bool>* stop)
{
    if (trace.weights.rank() != 3)
        return {};
    const bool comparable = positionsComparable(trace);
    std::vector<HeadStats> all(trace.weights.dim(0));
    // Heads side by side on the thread team, as many as OpenBLAS's threads and the cores
    // allow: the window recomputes a layer's statistics on every edit. About ten operations
    // per weight. The first failure (out of memory for a description) is the one reported.
    const unsigned workers = unsigned(
        std::min<std::size_t>(team::teamSize(10.0 * double(trace.weights.size()), openblas_get_num_threads()), all.size()));
    team::FirstFailure failure;
    team::WorkQueue queue(all.size());
    team::runTeam(workers, [&] {
        queue.drain([&](std::size_t h) {
            try {
                all[h] = headStats(trace.weights, int(h), trace.config.causal, comparable, stop);
            } catch (...) {
                failure.capture();
            }
        });
    });
    failure.rethrow();
    return all;
}

QueryReadout queryReadout(const Trace& trace, int head, int query)
{
    checkWeights(trace.weights, head);
    const int queries = int(trace.weights.dim(1));
    const int keys = int(trace.weights.dim(2));
    if (query < 0 || query >= queries)
        throw Error("query " + std::to_string(query + 1) + " does not exist; the text has " + std::to_string(queries)
                    + " tokens.");
    QueryReadout readout;
    readout.head = head;
    readout.query = query;
    readout.visibleKeys = visibleKeyCount(query, keys, trace.config.causal);
    if (keys == 0)
        return readout;
    const float* row = &trace.weights.data[(std::size_t(head) * std::size_t(queries) + std::size_t(query)) * std::size_t(keys)];
    const float* top = std::max_element(row, row + keys);
    if (*top > 0.f) {
        readout.largestKey = int(top - row);
        readout.largest = double(*top);
    }
    readout.entropy = rowSums(row, keys, query).entropy;
    readout.normalizedEntropy = readout.visibleKeys >= 2 ? readout.entropy / std::log(double(readout.visibleKeys)) : 0.0;
    return readout;
}

std::vector<QueryReadout> queryReadouts(const Trace& trace, int query)
{
    std::vector<QueryReadout> all;
    if (trace.weights.rank() != 3)
        return all;
    for (int h = 0; h < int(trace.weights.dim(0)); ++h)
        all.push_back(queryReadout(trace, h, query));
    return all;
}

std::string toString(HeadPattern pattern)
{
    switch (pattern) {
    case HeadPattern::PreviousToken: return "previous token";
    case HeadPattern::Self: return "itself";
    case HeadPattern::FirstToken: return "first token";
    case HeadPattern::Even: return "spread evenly";
    case HeadPattern::FocusedFar: return "focused, far away";
    case HeadPattern::FocusedNear: return "focused, nearby";
    case HeadPattern::Focused: return "focused";
    case HeadPattern::Mixed: return "mixed";
    case HeadPattern::Trivial: return "one token only";
    }
    return "mixed";
}

} // namespace attn
