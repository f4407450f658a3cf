// Numbers that summarise how each head attends, and a plain-words name for its dominant
// pattern: what a teacher would say while pointing at a heatmap ("this head mostly looks
// at the previous token"). Computed from the weights after the softmax; Qt-free.
#pragma once

#include "attn/cancelled.h"
#include "attn/tensor.h"
#include "attn/trace.h"

#include <optional>
#include <string>
#include <vector>

namespace attn {

// Every threshold the descriptions use, in one place, so a class can be told the rule.
struct PatternThresholds {
    // A head "mostly looks at" a position (itself, the previous token, the first token)
    // when that position holds more than this share of the weight, averaged over rows.
    static constexpr double mostly = 0.5;
    // Mean normalised entropy (1 = uniform over the visible keys) at or above which a head
    // is "spread evenly".
    static constexpr double even = 0.9;
    // Mean normalised entropy at or below which a head is "focused on a few tokens".
    static constexpr double focused = 0.6;
    // Focused attention is "nearby" below this share of the distance an even spread over
    // the same rows would have, and "far away" above farShare of it; in between it is only
    // "focused on a few tokens". A fixed count of tokens called every head of a short
    // sentence near: over 7 tokens an even spread is 2.3 tokens away on average.
    static constexpr double nearShare = 0.75;
    static constexpr double farShare = 1.25;
};

enum class HeadPattern {
    PreviousToken, // mostly looks at the previous token
    Self,          // mostly looks at itself
    FirstToken,    // mostly looks at the first token (an "attention sink")
    Even,          // spread evenly over the visible tokens
    FocusedFar,    // focused on a few tokens far away
    FocusedNear,   // focused on a few nearby tokens
    Focused,       // focused on a few tokens, neither near nor far (or distance means nothing: cross-attention)
    Mixed,         // none of the above
    Trivial,       // every query sees a single key: there is no choice to describe
};

struct HeadStats {
    int head = 0;
    // Rows averaged: those whose query sees at least two keys (under a causal mask the
    // first query sees only the first key and has no choice). When no row has a choice,
    // all rows are averaged and the pattern is Trivial.
    int rowsCounted = 0;
    double entropy = 0.0;           // mean row entropy, nats
    double normalizedEntropy = 0.0; // mean of entropy / ln(visible keys), 0 (one key) .. 1 (uniform)
    double meanLargest = 0.0;       // mean over rows of the row's largest weight
    double largest = 0.0;           // the largest weight of those rows (a causal head's first row is 1, always)
    double firstShare = 0.0;        // mean weight on key 0
    // Defined only when query i and key i are the same position: self-attention, or
    // cross-attention with as many queries as keys. Empty otherwise.
    std::optional<double> selfShare;     // mean weight on key i
    std::optional<double> previousShare; // mean weight on key i-1, over rows i >= 1
    std::optional<double> meanDistance;  // mean of Σ_j w_ij·|i−j|, in tokens
    std::optional<double> evenDistance;  // the same for weights spread evenly over the visible keys
    HeadPattern pattern = HeadPattern::Mixed;
    std::string description; // plain words, e.g. "mostly looks at the previous token"
};

// What one query's row looks like in one head: the steps view's per-head readout.
struct QueryReadout {
    int head = 0;
    int query = 0;
    int visibleKeys = 0;
    int largestKey = -1;            // the key with the largest weight; -1 when the row is empty
    double largest = 0.0;
    double entropy = 0.0;           // nats
    double normalizedEntropy = 0.0; // entropy / ln(visibleKeys); 0 when only one key is visible
};

// Keys that query `query` may see: all of them, or keys 0..query under a causal mask.
int visibleKeyCount(int query, int keys, bool causal);

// Statistics of head `head` of weights [h x n_q x n_k]. positionsComparable: query i and
// key i are the same position (see HeadStats). Throws attn::Error on a bad head or shape,
// and Cancelled soon after `stop` is set.
HeadStats headStats(const Tensor& weights, int head, bool causal, bool positionsComparable,
                    const std::atomic<bool>* stop = nullptr);

// All heads of a trace, in order (a long text's take a good part of a second: the window's
// worker stops them for a newer edit).
std::vector<HeadStats> headStats(const Trace& trace, const std::atomic<bool>* stop = nullptr);

// Throws attn::Error when head or query is out of range.
QueryReadout queryReadout(const Trace& trace, int head, int query);
std::vector<QueryReadout> queryReadouts(const Trace& trace, int query); // every head

// Whether query i and key i of this trace are the same position.
bool positionsComparable(const Trace& trace);

std::string toString(HeadPattern pattern);

} // namespace attn
