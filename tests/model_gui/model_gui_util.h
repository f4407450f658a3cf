// Shared by the model front-end tests: fixture folders, a malformed and an overflowing copy of a model and
// the engine's message for it, a compute service with its signals watched, a synthetic
// model trace whose heads follow known patterns, and pixel reading.
#pragma once

#include "model/model_compute_service.h"
#include "model/model_result.h"

#include "../model/model_test_util.h"

#include <attn/error.h>
#include <attn/model/model.h>
#include <attn/model/model_trace.h>

#include <QDir>
#include <QFile>
#include <QImage>
#include <QSignalSpy>
#include <QString>
#include <QTemporaryDir>

#include <cmath>
#include <string>

namespace modelgui {

inline QString fixtureModel(const char* name)
{
    return QString::fromUtf8(ATTN_FIXTURES_DIR) + u"/models/"_qs + QString::fromUtf8(name);
}

// A writable copy of gpt2-tiny in dir.
inline void copyGpt2Tiny(QTemporaryDir& dir)
{
    const QDir source(fixtureModel("gpt2-tiny"));
    for (const QString& name : source.entryList(QDir::Files)) {
        QFile::copy(source.filePath(name), dir.filePath(name));
        QFile::setPermissions(dir.filePath(name), QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    }
}

// A copy of gpt2-tiny whose config.json is not JSON: Model::load refuses it.
inline QString makeMalformedModel(QTemporaryDir& dir)
{
    copyGpt2Tiny(dir);
    QFile config(dir.filePath(u"config.json"_qs));
    config.open(QIODevice::WriteOnly | QIODevice::Truncate);
    config.write("{ \"model_type\": \"gpt2\", ");
    return dir.path();
}

// A copy of gpt2-tiny that loads but whose runs overflow float32 (a layer norm's weight of
// 1e30), so that every run of it is refused.
inline QString makeOverflowingModel(QTemporaryDir& dir)
{
    copyGpt2Tiny(dir);
    modeltest::setValue(dir.filePath(u"model.safetensors"_qs).toStdString(), "h.0.ln_1.weight", 1e30f);
    return dir.path();
}

// The engine's own message for a folder it refuses (empty when it loads): what the front
// end must show unchanged.
inline QString engineLoadMessage(const QString& folder)
{
    try {
        attn::Model::load(folder.toStdString());
    } catch (const attn::Error& error) {
        return QString::fromStdString(error.what());
    }
    return QString();
}

// Runs on BLAS, so results compare exactly with a direct attn::runModel on the same options.
inline attn::ModelRunOptions blasOptions()
{
    attn::ModelRunOptions options;
    options.backend = attn::BackendKind::Blas;
    return options;
}

// A compute service with its modelOpened and finished signals watched from the start;
// bind the parts by name: auto& [service, opened, finished] = watched;
struct WatchedService {
    explicit WatchedService(const attn::ModelRunOptions& options)
        : service(options)
    {
    }
    ModelComputeService service;
    QSignalSpy opened{&service, &ModelComputeService::modelOpened};
    QSignalSpy finished{&service, &ModelComputeService::finished};
};

enum class Pattern { Previous, Self, First, Even };

// Row i of a causal head of n tokens with the given pattern (weights sum to 1).
inline float patternWeight(Pattern pattern, int i, int j)
{
    if (j > i)
        return 0.f;
    switch (pattern) {
    case Pattern::Previous: return j == std::max(0, i - 1) ? 1.f : 0.f;
    case Pattern::Self: return j == i ? 1.f : 0.f;
    case Pattern::First: return j == 0 ? 1.f : 0.f;
    case Pattern::Even: return 1.f / float(i + 1);
    }
    return 0.f;
}

// Two causal layers of two heads over n tokens: L1 H1 previous token, L1 H2 itself,
// L2 H1 first token, L2 H2 spread evenly.
inline std::shared_ptr<attn::ModelTrace> patternTrace(int n = 6)
{
    auto trace = std::make_shared<attn::ModelTrace>();
    trace->modelName = "patterns";
    trace->config.architecture = attn::Architecture::Gpt2;
    trace->config.layers = 2;
    trace->config.heads = 2;
    trace->config.d_model = 4;
    const Pattern patterns[2][2] = {{Pattern::Previous, Pattern::Self}, {Pattern::First, Pattern::Even}};
    for (int i = 0; i < n; ++i) {
        trace->tokenIds.push_back(i);
        trace->tokens.push_back(attn::Token{"t" + std::to_string(i), std::size_t(2 * i), std::size_t(2 * i + 1)});
    }
    for (int layer = 0; layer < 2; ++layer) {
        attn::Trace t;
        t.config.heads = 2;
        t.config.d_model = 4;
        t.config.d_k = 2;
        t.config.causal = true;
        t.tokens = trace->tokens;
        t.x = attn::Tensor({std::size_t(n), 4});
        t.weights = attn::Tensor({2, std::size_t(n), std::size_t(n)});
        for (int h = 0; h < 2; ++h)
            for (int i = 0; i < n; ++i)
                for (int j = 0; j < n; ++j)
                    t.weights.at(std::size_t(h), std::size_t(i), std::size_t(j)) = patternWeight(patterns[layer][h], i, j);
        trace->layers.push_back(std::move(t));
    }
    return trace;
}

// Colour distance, summed over channels.
inline int colorDistance(QRgb a, QRgb b)
{
    return std::abs(qRed(a) - qRed(b)) + std::abs(qGreen(a) - qGreen(b)) + std::abs(qBlue(a) - qBlue(b));
}

} // namespace modelgui
