// Running a trained model on text. A ModelSession keeps the last trace; for GPT-2 (causal)
// an edit recomputes only the rows from the first changed token, reusing the earlier rows'
// keys and values per layer. BERT (bidirectional) always recomputes everything. The trace
// before the current one is kept too: once nobody else holds it, the next update writes
// into its storage, so that typing allocates (and page-faults) nothing.
#pragma once

#include "attn/backend_choice.h"
#include "attn/model/model.h"
#include "attn/model/model_trace.h"

#include <memory>
#include <string_view>

namespace attn {

struct ForwardWorkspace;
class BackendPool;

struct ModelRunOptions {
    BackendKind backend = BackendKind::Auto; // a Vulkan failure falls back to BLAS, reason in the trace
    bool keepScores = true;   // the raw QKᵀ per layer; off halves the memory of long inputs
    bool incremental = true;  // GPT-2 with the BLAS backend: reuse the unchanged prefix
    int topK = 5;             // next-token predictions (GPT-2)
};

class ModelSession {
public:
    explicit ModelSession(std::shared_ptr<const Model> model, ModelRunOptions options = {});
    ~ModelSession();
    ModelSession(const ModelSession&) = delete;
    ModelSession& operator=(const ModelSession&) = delete;

    // Tokenises and runs the text. Throws attn::Error for input the model cannot take
    // (more tokens than its positions, a trace above Limits::maxTraceBytes).
    std::shared_ptr<const ModelTrace> update(std::string_view text);
    // The same with a ready encoding (ids must be inside the vocabulary).
    std::shared_ptr<const ModelTrace> update(const Encoding& encoding);

    std::shared_ptr<const ModelTrace> current() const { return m_current; }
    const Model& model() const { return *m_model; }
    const ModelRunOptions& options() const { return m_options; }
    // The next update computes every row, as a new session would (in recycled storage).
    void reset() { m_computeAll = true; }

private:
    // Storage for the next trace: the spare one when only the session holds it, else new.
    std::shared_ptr<ModelTrace> takeStorage(std::size_t tokens);

    std::shared_ptr<const Model> m_model;
    ModelRunOptions m_options;
    std::unique_ptr<BackendPool> m_backends;
    std::shared_ptr<ModelTrace> m_current; // handed out read-only
    std::shared_ptr<ModelTrace> m_spare;   // the trace before m_current
    std::unique_ptr<ForwardWorkspace> m_workspace;
    bool m_computeAll = false;
};

// Every check of a run that needs no arithmetic (the text's length, the memory it would
// take, the backend asked for), as a run makes them first: throws the same Error.
void checkModelRun(const Model& model, std::string_view text, const ModelRunOptions& options = {});

// One forward pass without a session.
std::shared_ptr<const ModelTrace> runModel(std::shared_ptr<const Model> model, std::string_view text,
                                           const ModelRunOptions& options = {});

} // namespace attn
