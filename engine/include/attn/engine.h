// Text (or given vectors) in, a complete attention trace out.
#pragma once

#include "attn/backend_choice.h"
#include "attn/config.h"
#include "attn/tensor.h"
#include "attn/trace.h"
#include "attn/weights.h"

#include <cstdint>
#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace attn {

struct Request {
    std::string text;
    std::optional<std::string> sourceText;        // set: cross-attention, keys and values from this text
    Config config;
    std::shared_ptr<const LayerWeights> weights;  // loaded weights; null: seeded from config
    std::shared_ptr<const Tensor> inputs;         // X as given [n x d_model]; null: embed the text
    std::shared_ptr<const Tensor> sourceInputs;   // cross-attention X of keys and values as given; null: embed sourceText
    BackendKind backend = BackendKind::Auto;
    // Set by another thread, makes run() throw Cancelled soon after (the window's worker: a
    // newer edit, or closing); null: runs to the end.
    const std::atomic<bool>* stop = nullptr;
};

class BackendPool;
class EmbeddingCache;

class Engine {
public:
    // The engine keeps traces it handed out, once nobody else holds them, for their storage
    // (see run()); only those of at most this many bytes: a larger one idle is memory nobody
    // uses, beside the trace on show.
    static constexpr std::uint64_t defaultKeptIdleBytes = std::uint64_t(1) << 30;

    explicit Engine(std::uint64_t keptIdleBytes = defaultKeptIdleBytes);
    ~Engine();
    Engine(const Engine&) = delete;
    Engine& operator=(const Engine&) = delete;

    // Throws attn::Error with a message for the user when the request cannot be run.
    // The storage of a trace it handed out earlier, once nobody else holds that trace, is
    // reused: a live edit at about the same size allocates nothing.
    std::shared_ptr<const Trace> run(const Request& request);

    // Throws attn::Error, saying what to change, where run() would refuse the request as
    // given (its settings, its inputs' shapes and rows, its size), before any arithmetic.
    static void check(const Request& request);

    // Bytes a trace of these sizes holds; requests above Limits::maxTraceBytes are refused.
    static std::uint64_t traceBytes(std::uint64_t queries, std::uint64_t keys, const Config& config);
    // Throws attn::Error, saying what to change, for a trace above Limits::maxTraceBytes. With
    // no queries and no keys it checks the layer's own weights: what a file of them needs.
    static void requireTraceFits(std::uint64_t queries, std::uint64_t keys, const Config& config);

private:
    static void prepare(const Request& request, Trace& t);
    const LayerWeights& seededWeights(const Config& config);
    void recycleStorageInto(Trace& t, std::uint64_t bytes);

    std::unique_ptr<BackendPool> m_backends;
    std::unique_ptr<EmbeddingCache> m_embeddings; // the text's rows of X an edit leaves alone
    std::optional<Config> m_seededFor;
    LayerWeights m_seeded;
    std::uint64_t m_keptIdleBytes;
    std::vector<std::shared_ptr<Trace>> m_handedOut; // the latest runs' traces, oldest first
};

} // namespace attn
