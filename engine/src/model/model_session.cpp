#include "attn/model/model_session.h"

#include "attn/error.h"
#include "model_forward.h"

#include <chrono>
#include <cstdio>

namespace attn {

namespace {

std::string gibText(std::uint64_t bytes)
{
    char text[32];
    std::snprintf(text, sizeof text, "%.1f GiB", double(bytes) / double(1ull << 30));
    return text;
}

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

std::size_t commonPrefix(const std::vector<int>& a, const std::vector<int>& b)
{
    std::size_t i = 0;
    while (i < a.size() && i < b.size() && a[i] == b[i])
        ++i;
    return i;
}

} // namespace

ModelSession::ModelSession(std::shared_ptr<const Model> model, ModelRunOptions options)
    : m_model(std::move(model)), m_options(options)
{
    if (!m_model)
        throw Error("a model session needs a model.");
}

ModelSession::~ModelSession() = default;

Backend& ModelSession::backend(BackendKind kind)
{
    auto& slot = m_backends[kind];
    if (!slot)
        slot = makeBackend(kind); // may throw BackendFailure (no Vulkan device...)
    return *slot;
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

    // GPT-2 on BLAS: keep the rows of the unchanged prefix. The last token of the previous
    // text stays reusable only when its id is unchanged, which the prefix comparison checks.
    std::size_t from = 0;
    if (m_current && m_options.incremental && model.config().causal() && wanted == BackendKind::Blas
        && m_current->fallbackReason.empty()) {
        from = commonPrefix(m_current->tokenIds, encoding.ids);
        if (from == encoding.ids.size() && from == m_current->tokenIds.size() && m_current->tokens == encoding.tokens)
            return m_current; // nothing changed
    }

    auto trace = std::make_shared<ModelTrace>();
    std::string fallbackReason;
    bool failed = false;
    AttendFn attend = [&](const AttentionProblem& problem, Trace& t) {
        const auto started = std::chrono::steady_clock::now();
        if (!failed) {
            try {
                Backend& chosen = backend(wanted);
                chosen.forward(problem, t);
                t.backend = chosen.name();
            } catch (const BackendFailure& failure) {
                // As the sandbox engine: run BLAS instead, for this and the later layers.
                failed = true;
                fallbackReason = toString(wanted) + " failed: " + failure.what();
            }
        }
        if (failed) {
            t.gpuMs = -1.0;
            t.fallbackReason = fallbackReason;
            Backend& blas = backend(BackendKind::Blas);
            blas.forward(problem, t);
            t.backend = blas.name();
        }
        t.wallMs = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
    };

    const auto started = std::chrono::steady_clock::now();
    ForwardRequest request{model, encoding, m_options, attend, from, from > 0 ? m_current.get() : nullptr};
    forwardModel(request, *trace);
    trace->wallMs = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
    trace->fallbackReason = fallbackReason;
    // The layers say which backend ran; incremental rows are computed with BLAS arithmetic.
    if (from > 0 || failed)
        trace->backend = "blas";
    else if (!trace->layers.empty() && trace->layers.back().backend != "none")
        trace->backend = trace->layers.back().backend;
    else
        trace->backend = toString(wanted);
    m_current = trace;
    return trace;
}

std::shared_ptr<const ModelTrace> runModel(std::shared_ptr<const Model> model, std::string_view text,
                                           const ModelRunOptions& options)
{
    ModelSession session(std::move(model), options);
    return session.update(text);
}

} // namespace attn
