// Runs engine requests on one worker thread. A new request replaces any that waits and
// stops the one that runs (a pasted book no longer holds up the correction typed after it),
// so the newest edit wins and the UI thread never waits on arithmetic. Results come back
// on the UI thread with the number of the request that made them.
#pragma once

#include "head_stats_of.h"

#include <attn/engine.h>
#include <attn/trace.h>

#include <QObject>
#include <QString>

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

using TracePtr = std::shared_ptr<const attn::Trace>;
Q_DECLARE_METATYPE(TracePtr)

class ComputeService : public QObject {
    Q_OBJECT
public:
    explicit ComputeService(QObject* parent = nullptr);
    ~ComputeService() override;

    // Queues the request, replacing a queued one; returns its number (increasing).
    quint64 submit(attn::Request request);
    quint64 latestSubmitted() const { return m_submitted; }

signals:
    // The trace with its head statistics, computed here too: at 20,000 tokens they take a
    // third of a second, which the UI thread must not wait on. elapsedMs: from submit to the end
    // of the computation, queue wait included.
    void finished(quint64 generation, TracePtr trace, HeadStatsPtr stats, double elapsedMs);
    void failed(quint64 generation, QString message);

private:
    struct Job {
        quint64 generation = 0;
        attn::Request request;
        std::chrono::steady_clock::time_point submitted;
    };
    void work();
    void reportFailure(quint64 generation, const QString& message); // from the worker

    quint64 m_submitted = 0; // UI thread only
    std::mutex m_mutex;
    std::condition_variable m_wake;
    std::optional<Job> m_pending; // guarded by m_mutex
    bool m_stop = false;          // guarded by m_mutex
    // The running request's stop flag (attn::Request::stop): set by a newer request and on
    // closing, cleared (under m_mutex) as the worker takes the next one.
    std::atomic<bool> m_cancel{false};
    std::thread m_thread;         // last: starts after everything above exists
};
