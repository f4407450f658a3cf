#include "attn/model/model_session.h"

#include "attn/error.h"
#include "backend_pool.h"
#include "message_text.h"
#include "model_forward.h"

#include <atomic>
#include <chrono>

namespace attn {

namespace {

void checkInput(const Model& model, const Encoding& encoding, const ModelRunOptions& options)
{
    const ModelConfig& c = model.config();
    if (encoding.ids.size() != encoding.tokens.size())
        throw Error("the encoding has " + std::to_string(encoding.ids.size()) + " ids but "
                    + std::to_string(encoding.tokens.size()) + " tokens.");
    if (encoding.ids.size() > std::size_t(c.maxPositions))
        throw Error("the text has " + std::to_string(encoding.ids.size()) + " tokens but " + model.name()
                    + " reads at most " + std::to_string(c.maxPositions) + "; shorten the text.");
    for (int id : encoding.ids)
        if (id < 0 || id >= c.vocabSize)
            throw Error("token id " + std::to_string(id) + " is outside " + model.name() + "'s vocabulary of "
                        + std::to_string(c.vocabSize) + ".");
    const std::uint64_t bytes = modelTraceBytes(c, encoding.ids.size(), options.keepScores);
    if (bytes > Limits::maxTraceBytes)
        throw Error(std::to_string(encoding.ids.size()) + " tokens through " + model.name() + " would need "
                    + gibText(bytes) + " of memory, more than the " + gibText(Limits::maxTraceBytes)
                    + " limit; shorten the text" + (options.keepScores ? " or turn off keeping the raw scores." : "."));
}

// The bytes a trace's tensors hold, used or not.
std::uint64_t heldBytes(const ModelTrace& trace)
{
    std::uint64_t floats = trace.hidden.data.capacity();
    for (const Trace& t : trace.layers)
        for (const Tensor* tensor : {&t.x, &t.q, &t.k, &t.v, &t.scores, &t.weights, &t.heads, &t.output})
            floats += tensor->data.capacity();
    return floats * sizeof(float);
}

std::size_t commonPrefix(const std::vector<int>& a, const std::vector<int>& b)
{
    std::size_t i = 0;
    while (i < a.size() && i < b.size() && a[i] == b[i])
        ++i;
    return i;
}

} // namespace

ModelSession::ModelSession(std::shared_ptr<const Model> model, ModelRunOptions options)
    : m_model(std::move(model)), m_options(options), m_backends(std::make_unique<BackendPool>()),
      m_workspace(std::make_unique<ForwardWorkspace>())
{
    if (!m_model)
        throw Error("a model session needs a model.");
}

ModelSession::~ModelSession() = default;

std::shared_ptr<ModelTrace> ModelSession::takeStorage(std::size_t tokens)
{
    std::shared_ptr<ModelTrace> spare = std::move(m_spare);
    if (!spare || spare.use_count() != 1)
        return std::make_shared<ModelTrace>(); // still shown somewhere: never touched
    // Whoever released it last did so with release order; see their reads done before our writes.
    std::atomic_thread_fence(std::memory_order_acquire);
    // Far larger storage than needed is better given back than held on to.
    const std::uint64_t needed = modelTraceBytes(m_model->config(), tokens, m_options.keepScores);
    return heldBytes(*spare) <= 2 * needed ? spare : std::make_shared<ModelTrace>();
}

void checkModelRun(const Model& model, std::string_view text, const ModelRunOptions& options)
{
    checkInput(model, model.tokenizer().encode(text), options);
    checkBackendChoice(options.backend);
}

std::shared_ptr<const ModelTrace> ModelSession::update(std::string_view text)
{
    return update(m_model->tokenizer().encode(text));
}

std::shared_ptr<const ModelTrace> ModelSession::update(const Encoding& encoding)
{
    const Model& model = *m_model;
    checkInput(model, encoding, m_options);
    const BackendKind wanted = chooseBackend(m_options.backend);

    // Nothing changed: on any backend, unless the last run had to fall back (then try again).
    const bool reusable = m_current && !m_computeAll && m_current->fallbackReason.empty();
    if (reusable && m_current->tokenIds == encoding.ids && m_current->tokens == encoding.tokens)
        return m_current;
    // GPT-2 on BLAS: keep the rows of the unchanged prefix. The last token of the previous
    // text stays reusable only when its id is unchanged, which the prefix comparison checks.
    std::size_t from = 0;
    if (reusable && m_options.incremental && model.config().causal() && wanted == BackendKind::Blas)
        from = commonPrefix(m_current->tokenIds, encoding.ids);

    std::shared_ptr<ModelTrace> trace = takeStorage(encoding.ids.size());
    // Storage recycled from a text of as many tokens holds, at the same places, the rows of
    // the prefix it shares with this one: typing within the last word usually changes no
    // token count, and the storage is that of two edits back.
    std::size_t inPlace = 0;
    if (from > 0 && trace->tokenIds.size() == encoding.ids.size())
        inPlace = std::min(from, commonPrefix(trace->tokenIds, encoding.ids));
    std::string fallbackReason; // once a layer fell back, the later layers run BLAS too
    AttendFn attend = [&](const AttentionProblem& problem, Trace& t) {
        m_backends->forward(wanted, problem, t, fallbackReason);
    };

    const auto started = std::chrono::steady_clock::now();
    ForwardRequest request{model, encoding, m_options, attend, from, from > 0 ? m_current.get() : nullptr, inPlace,
                           *m_workspace};
    try {
        forwardModel(request, *trace);
    } catch (...) {
        trace->tokenIds.clear(); // half written: its rows are nobody's, but its storage is still good
        m_spare = std::move(trace);
        throw;
    }
    trace->wallMs = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
    trace->fallbackReason = fallbackReason;
    // The layers say which backend ran; incremental rows are computed with BLAS arithmetic.
    if (from > 0 || !fallbackReason.empty())
        trace->backend = "blas";
    else if (!trace->layers.empty() && trace->layers.back().backend != "none")
        trace->backend = trace->layers.back().backend;
    else
        trace->backend = toString(wanted);
    m_spare = std::move(m_current);
    m_current = trace;
    m_computeAll = false;
    return trace;
}

std::shared_ptr<const ModelTrace> runModel(std::shared_ptr<const Model> model, std::string_view text,
                                           const ModelRunOptions& options)
{
    ModelSession session(std::move(model), options);
    return session.update(text);
}

} // namespace attn
