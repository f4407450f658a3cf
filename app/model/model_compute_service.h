// Opens trained models and runs them on one worker thread, as ComputeService does for the
// sandbox: a new text replaces any text still waiting, so the newest edit wins and the UI
// thread never waits on loading or arithmetic. The worker keeps one attn::ModelSession, so
// with GPT-2 an edit recomputes only the rows from the first changed token.
#pragma once

#include "model_result.h"

#include <attn/model/model_session.h>

#include <QObject>
#include <QString>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

class ModelComputeService : public QObject {
    Q_OBJECT
public:
    explicit ModelComputeService(attn::ModelRunOptions options = {}, QObject* parent = nullptr);
    ~ModelComputeService() override;

    // Loads the folder on the worker. On success the new model replaces the open one
    // (modelOpened); on failure the open model stays (openFailed with the engine's message).
    quint64 open(const QString& folder);
    // Forgets the open model (back to the sandbox); texts still waiting are dropped.
    void close();
    // Runs the text on the open model, replacing a text still waiting; returns its number.
    // Without an open model the text is dropped.
    quint64 submit(const QString& text);
    quint64 latestSubmitted() const { return m_submitted; }
    // The worker makes each result's head statistics of the layer shown (a thirtieth of a
    // second at 1024 tokens of 12 heads), and while a search over the heads is on, those of
    // every layer, which the search reads at every paint (0.4 s for 12 layers); off, it
    // spares every edit that time.
    void setShownLayer(int layer) { m_shownLayer = layer; }
    void setHeadStatsWanted(bool wanted) { m_headStatsWanted = wanted; }

signals:
    void modelOpened(quint64 openId, ModelPtr model, QString folder);
    void openFailed(quint64 openId, QString folder, QString message);
    // elapsedMs: from submit to the end of the computation, queue wait included.
    void finished(quint64 generation, ModelResultPtr result, double elapsedMs);
    void failed(quint64 generation, QString message);

private:
    struct TextJob {
        quint64 generation = 0;
        std::string text;
        std::chrono::steady_clock::time_point submitted;
    };
    struct OpenJob {
        quint64 id = 0;
        QString folder;
    };
    void work();
    void runOpen(const OpenJob& job);
    void runText(const TextJob& job);

    const attn::ModelRunOptions m_options;
    quint64 m_submitted = 0; // UI thread only
    quint64 m_opens = 0;     // UI thread only
    std::mutex m_mutex;
    std::condition_variable m_wake;
    std::optional<OpenJob> m_pendingOpen; // guarded by m_mutex
    std::optional<TextJob> m_pendingText; // guarded by m_mutex
    bool m_pendingClose = false;          // guarded by m_mutex
    bool m_stop = false;                  // guarded by m_mutex
    std::atomic<int> m_shownLayer{0};
    std::atomic<bool> m_headStatsWanted{false};
    std::unique_ptr<attn::ModelSession> m_session; // worker thread only
    ModelResultPtr m_lastResult; // worker thread only: the session's current trace, whose rollout an edit keeps in part
    std::thread m_thread;                 // last: starts after everything above exists
};
