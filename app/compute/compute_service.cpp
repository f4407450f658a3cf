#include "compute_service.h"

#include "emit_on_owner_thread.h"
#include "failure_text.h"

#include <chrono>
#include <exception>

ComputeService::ComputeService(QObject* parent) : QObject(parent)
{
    qRegisterMetaType<TracePtr>("TracePtr");
    qRegisterMetaType<HeadStatsPtr>("HeadStatsPtr");
    m_thread = std::thread([this] { work(); });
}

ComputeService::~ComputeService()
{
    {
        std::lock_guard lock(m_mutex);
        m_stop = true;
        m_pending.reset();
        m_cancel = true; // closing: the running request need not end first
    }
    m_wake.notify_one();
    m_thread.join();
}

quint64 ComputeService::submit(attn::Request request)
{
    const quint64 generation = ++m_submitted;
    {
        std::lock_guard lock(m_mutex);
        m_pending = Job{generation, std::move(request), std::chrono::steady_clock::now()};
        m_cancel = true;
    }
    m_wake.notify_one();
    return generation;
}

void ComputeService::reportFailure(quint64 generation, const QString& message)
{
    emitOnOwnerThread(this, [this, generation, message] { emit failed(generation, message); });
}

void ComputeService::work()
{
    attn::Engine engine; // lives and dies on this thread: it caches seeded weights
    for (;;) {
        Job job;
        {
            std::unique_lock lock(m_mutex);
            m_wake.wait(lock, [this] { return m_stop || m_pending.has_value(); });
            if (m_stop)
                return;
            job = std::move(*m_pending);
            m_pending.reset();
            m_cancel = false;
        }
        job.request.stop = &m_cancel;
        // The signals fire on the UI thread, where this service lives.
        const quint64 generation = job.generation;
        try {
            TracePtr trace = engine.run(job.request);
            HeadStatsPtr stats = headStatsOf(trace.get(), &m_cancel); // stopped, too, for a newer request
            const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - job.submitted).count();
            emitOnOwnerThread(this, [this, generation, trace = std::move(trace), stats = std::move(stats), ms] {
                emit finished(generation, trace, stats, ms);
            });
        } catch (const attn::Cancelled&) {
            // replaced by a newer request, which answers instead; or closing
        } catch (...) {
            reportFailure(generation, failureText(std::current_exception(), u"for this text and these settings"_qs,
                                                  u"shorten the text or use fewer heads"_qs));
        }
    }
}
