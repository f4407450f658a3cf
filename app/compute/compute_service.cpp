#include "compute_service.h"

#include <attn/error.h>

#include <chrono>
#include <exception>

ComputeService::ComputeService(QObject* parent) : QObject(parent)
{
    qRegisterMetaType<TracePtr>("TracePtr");
    m_thread = std::thread([this] { work(); });
}

ComputeService::~ComputeService()
{
    {
        std::lock_guard lock(m_mutex);
        m_stop = true;
        m_pending.reset();
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
    }
    m_wake.notify_one();
    return generation;
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
        }
        // Signals emitted here are queued to the receivers' (UI) thread.
        try {
            TracePtr trace = engine.run(job.request);
            const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - job.submitted).count();
            emit finished(job.generation, std::move(trace), ms);
        } catch (const attn::Error& error) {
            emit failed(job.generation, QString::fromStdString(error.what()));
        } catch (const std::bad_alloc&) {
            emit failed(job.generation, u"Not enough memory for this text and these settings; shorten the text or use fewer heads."_qs);
        } catch (const std::exception& error) {
            emit failed(job.generation, u"The computation failed: "_qs + QString::fromStdString(error.what()));
        }
    }
}
