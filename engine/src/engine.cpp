#include "attn/engine.h"

#include "backend_pool.h"
#include "embedding_cache.h"

#include "attn/error.h"
#include "attn/tokenizer.h"

#include "message_text.h"
#include "overflow_check.h"

#include <algorithm>
#include <atomic>
#include <cmath>

namespace attn {

namespace {

// Says what to change: the text where the tokens' scores and weights take most of the
// memory, the layer's sizes where its own weights do.
std::string tooLargeText(std::uint64_t queries, const Config& config, std::uint64_t bytes)
{
    const std::string limit = "more than the " + gibText(Limits::maxTraceBytes) + " limit";
    const std::uint64_t layerBytes = Engine::traceBytes(0, 0, config); // W_Q, W_K, W_V, W_O
    const std::string smallerLayer = "use a smaller d_model, d_k or d_v, or fewer heads.";
    if (bytes == layerBytes) // nothing but the layer: no token, as when a file of weights is read
        return "the layer's weights alone take " + gibText(layerBytes) + " of memory, " + limit + ": " + smallerLayer;
    const std::string need = countText(queries, "token") + " with " + countText(std::uint64_t(config.heads), "head")
                             + " would need " + gibText(bytes) + " of memory, " + limit + "; ";
    if (2 * layerBytes < bytes)
        return need + "shorten the text (or the inputs) or use fewer heads.";
    return need + "the layer's weights alone take " + gibText(layerBytes) + ": " + smallerLayer;
}

// Loaded weights decide the layer's sizes; the rest of the config stays the user's.
Config effectiveConfig(const Request& request)
{
    Config config = request.config;
    // X as given has no positional encoding added; the trace says so where no text of the
    // request is embedded with one (a source text still is).
    if (request.inputs && (request.sourceInputs || !request.sourceText))
        config.positional = Positional::None;
    return request.weights ? request.weights->applyTo(config) : config;
}

void checkInputs(const std::shared_ptr<const Tensor>& given, const Config& config)
{
    if (given && (given->rank() != 2 || given->dim(1) != std::size_t(config.d_model)))
        throw Error("the inputs have shape " + given->shapeText() + " but the layer expects [n x "
                    + std::to_string(config.d_model) + "] (d_model " + std::to_string(config.d_model) + ").");
}

Tensor inputsFor(const std::shared_ptr<const Tensor>& given, const std::vector<Token>& tokens, const Config& config,
                 EmbeddingCache& embeddings)
{
    return given ? *given : embeddings.embed(tokens, config);
}

// Tokens named t0, t1, ... for given inputs without a text; a text names their rows, one
// token each. `what`: "text" or "source text", for the message.
std::vector<Token> tokensFor(const std::shared_ptr<const Tensor>& given, std::vector<Token> textTokens, const char* what)
{
    if (!given || given->rank() < 1 || textTokens.size() == given->dim(0))
        return textTokens;
    if (!textTokens.empty()) {
        // The split itself, since it may not be the one meant: "[CLS]" is three tokens here.
        constexpr std::size_t shownTokens = 12;
        std::string split;
        for (std::size_t i = 0; i < std::min(textTokens.size(), shownTokens); ++i)
            split.append(i ? " \"" : "\"").append(textTokens[i].text).append("\"");
        if (textTokens.size() > shownTokens)
            split += " ...";
        throw Error(std::string("the ") + what + " has " + countText(textTokens.size(), "token") + " (" + split
                    + ") but the inputs have " + countText(given->dim(0), "row") + ": give a " + what
                    + " of one token per row to name them (words and punctuation marks are tokens each), "
                    + "or none (they are then named t0, t1, ...).");
    }
    std::vector<Token> named(given->dim(0));
    for (std::size_t i = 0; i < named.size(); ++i)
        named[i].text = std::string(1, 't').append(std::to_string(i));
    return named;
}

// Every tensor with its proper shape, one of whose sizes is 0.
void shapeEmptyTrace(Trace& t)
{
    const std::size_t h = std::size_t(t.config.heads), nq = t.queryCount(), nk = t.keyCount();
    const std::size_t dk = std::size_t(t.config.d_k), dv = std::size_t(t.config.valueDim());
    const std::size_t dm = std::size_t(t.config.d_model);
    t.x = Tensor({nq, dm});
    if (t.cross)
        t.xSource = Tensor({nk, dm});
    t.q = Tensor({h, nq, dk});
    t.k = Tensor({h, nk, dk});
    t.v = Tensor({h, nk, dv});
    t.scores = Tensor({h, nq, nk});
    t.weights = Tensor({h, nq, nk});
    t.heads = Tensor({h, nq, dv});
    t.output = Tensor({nq, dm});
    t.backend = "none";
}

} // namespace

Engine::Engine(std::uint64_t keptIdleBytes)
    : m_backends(std::make_unique<BackendPool>()), m_embeddings(std::make_unique<EmbeddingCache>()),
      m_keptIdleBytes(keptIdleBytes)
{
}
Engine::~Engine() = default;

std::uint64_t Engine::traceBytes(std::uint64_t queries, std::uint64_t keys, const Config& config)
{
    const std::uint64_t h = std::uint64_t(config.heads), dk = std::uint64_t(config.d_k);
    const std::uint64_t dv = std::uint64_t(config.valueDim()), dm = std::uint64_t(config.d_model);
    const std::uint64_t floats = 2 * queries * dm + keys * dm + h * queries * dk + h * keys * (dk + dv)
                                 + 2 * h * queries * keys + h * queries * dv + h * (2 * dk + 2 * dv) * dm;
    return floats * sizeof(float);
}

void Engine::requireTraceFits(std::uint64_t queries, std::uint64_t keys, const Config& config)
{
    const std::uint64_t bytes = traceBytes(queries, keys, config);
    if (bytes > Limits::maxTraceBytes)
        throw Error(tooLargeText(queries, config, bytes));
}

const LayerWeights& Engine::seededWeights(const Config& config)
{
    Config key = config;
    key.causal = false; // settings that leave the weights as they are
    key.scaling = Scaling::InvSqrtDk;
    key.temperature = 1.0f;
    key.positional = Positional::None;
    if (m_seededFor != key) {
        m_seeded = LayerWeights::seeded(config);
        m_seededFor = key;
    }
    return m_seeded;
}

namespace {

std::uint64_t bytesOf(const Trace& trace)
{
    return Engine::traceBytes(trace.queryCount(), trace.keyCount(), trace.config);
}

} // namespace

void Engine::recycleStorageInto(Trace& t, std::uint64_t bytes)
{
    for (auto old = m_handedOut.begin(); old != m_handedOut.end(); ++old) {
        if (old->use_count() != 1)
            continue; // still shown or exported somewhere: never touched
        // Whoever released it last did so with release order; see its writes before ours.
        std::atomic_thread_fence(std::memory_order_acquire);
        Trace& from = **old;
        const std::uint64_t oldBytes = bytesOf(from);
        if (oldBytes / 2 <= bytes && bytes <= 2 * oldBytes) { // else its memory is better given back
            for (Tensor Trace::*tensor : {&Trace::q, &Trace::k, &Trace::v, &Trace::scores, &Trace::weights,
                                          &Trace::heads, &Trace::output})
                t.*tensor = std::move(from.*tensor);
        }
        m_handedOut.erase(old);
        return;
    }
}

// Every check of a request that needs no arithmetic, with the config, tokens and kind of
// attention they give, into `t`.
void Engine::prepare(const Request& request, Trace& t)
{
    t.config = effectiveConfig(request);
    validate(t.config);
    checkBackendChoice(request.backend);
    if (request.weights)
        request.weights->checkShapes();
    checkInputs(request.inputs, t.config);
    checkInputs(request.sourceInputs, t.config);

    t.tokens = tokensFor(request.inputs, tokenize(request.text), "text");
    // A source text without a token (empty, spaces) is no source, as an empty source box
    // is: the text attends to itself rather than to nothing.
    std::vector<Token> sourceTokens = tokenize(request.sourceText.value_or(std::string()));
    if (request.sourceInputs || !sourceTokens.empty()) {
        t.cross = true;
        t.sourceTokens = tokensFor(request.sourceInputs, std::move(sourceTokens), "source text");
    }
    if (t.cross && t.config.causal)
        throw Error("the causal mask hides the tokens that come after a token in its own text; the source text of "
                    "cross-attention is another text, with no such order to the queries: turn the causal mask "
                    "off, or leave the source text out.");
    requireTraceFits(t.tokens.size(), t.cross ? t.sourceTokens.size() : t.tokens.size(), t.config);
}

void Engine::check(const Request& request)
{
    Trace checked;
    prepare(request, checked);
}

std::shared_ptr<const Trace> Engine::run(const Request& request)
{
    auto trace = std::make_shared<Trace>();
    Trace& t = *trace;
    prepare(request, t); // before the inputs are embedded: a refused request costs no memory
    const std::size_t queries = t.tokens.size(), keys = t.cross ? t.sourceTokens.size() : queries;
    t.x = inputsFor(request.inputs, t.tokens, t.config, *m_embeddings);
    t.textEmbedded = !request.inputs || (t.cross && !request.sourceInputs);
    t.seedUsed = !request.weights || t.textEmbedded;
    t.inputName = request.inputs ? "given inputs"
                  : t.config.positional == Positional::Sinusoidal ? "tokens + positions" : "token vectors";
    if (t.cross)
        t.xSource = inputsFor(request.sourceInputs, t.sourceTokens, t.config, *m_embeddings);
    if (t.queryCount() == 0 || t.keyCount() == 0) {
        shapeEmptyTrace(t); // nothing to attend to: right shapes, no numbers
        return trace;
    }

    recycleStorageInto(t, traceBytes(queries, keys, t.config));
    // Kept: the one computed now, the one the views show, and a spare for fast typing, when
    // the next edit starts while a result is still on its way to the window (the window
    // then holds both). The older two only while small: once the views show the newer one,
    // a large one would lie idle beside it (3.2 GB at 20,000 tokens of one head).
    constexpr std::size_t kept = 3;
    std::erase_if(m_handedOut, [this](const std::shared_ptr<Trace>& old) { return bytesOf(*old) > m_keptIdleBytes; });
    m_handedOut.push_back(trace);
    if (m_handedOut.size() > kept)
        m_handedOut.erase(m_handedOut.begin());

    const LayerWeights& weights = request.weights ? *request.weights : seededWeights(t.config);
    t.biases = weights.biases();
    const AttentionProblem problem{t.x, t.isCross() ? t.xSource : t.x, weights, t.config.causal, t.config.scoreScale(),
                                   request.stop};

    std::string fallbackReason;
    m_backends->forward(chooseBackend(request.backend), problem, t, fallbackReason);
    const std::string advice = "scale the inputs or the weights down.";
    refuseOverflowingScores(t, advice);
    refuseOverflow(t.output.ptr(), t.output.size(), "this layer", advice);
    return trace;
}

} // namespace attn
