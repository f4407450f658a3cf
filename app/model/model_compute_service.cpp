#include "model_compute_service.h"

#include "compute/emit_on_owner_thread.h"
#include "compute/failure_text.h"

#include <exception>

ModelComputeService::ModelComputeService(attn::ModelRunOptions options, QObject* parent)
    : QObject(parent), m_options(options)
{
    qRegisterMetaType<ModelResultPtr>("ModelResultPtr");
    qRegisterMetaType<ModelPtr>("ModelPtr");
    m_thread = std::thread([this] { work(); });
}

ModelComputeService::~ModelComputeService()
{
    {
        std::lock_guard lock(m_mutex);
        m_stop = true;
        m_pendingOpen.reset();
        m_pendingText.reset();
    }
    m_wake.notify_one();
    m_thread.join();
}

quint64 ModelComputeService::open(const QString& folder)
{
    const quint64 id = ++m_opens;
    {
        std::lock_guard lock(m_mutex);
        m_pendingOpen = OpenJob{id, folder};
        m_pendingClose = false;
    }
    m_wake.notify_one();
    return id;
}

void ModelComputeService::close()
{
    {
        std::lock_guard lock(m_mutex);
        m_pendingOpen.reset();
        m_pendingText.reset();
        m_pendingClose = true;
    }
    m_wake.notify_one();
}

quint64 ModelComputeService::submit(const QString& text)
{
    const quint64 generation = ++m_submitted;
    {
        std::lock_guard lock(m_mutex);
        m_pendingText = TextJob{generation, text.toStdString(), std::chrono::steady_clock::now()};
    }
    m_wake.notify_one();
    return generation;
}

void ModelComputeService::work()
{
    for (;;) {
        std::optional<OpenJob> open;
        std::optional<TextJob> text;
        bool close = false;
        {
            std::unique_lock lock(m_mutex);
            m_wake.wait(lock, [this] { return m_stop || m_pendingOpen || m_pendingText || m_pendingClose; });
            if (m_stop)
                return;
            close = std::exchange(m_pendingClose, false);
            // An open goes first, so a text typed while loading runs on the new model.
            open = std::exchange(m_pendingOpen, std::nullopt);
            if (!open)
                text = std::exchange(m_pendingText, std::nullopt);
        }
        if (close) {
            m_session.reset();
            m_lastResult.reset();
        }
        if (open)
            runOpen(*open);
        if (text)
            runText(*text);
    }
}

void ModelComputeService::runOpen(const OpenJob& job)
{
    // The signals fire on the UI thread, where this service lives.
    try {
        ModelPtr model = attn::Model::load(job.folder.toStdString());
        m_session = std::make_unique<attn::ModelSession>(model, m_options);
        m_lastResult.reset();
        emitOnOwnerThread(this, [this, job, model = std::move(model)] { emit modelOpened(job.id, model, job.folder); });
    } catch (...) {
        const QString message = failureText(std::current_exception(), u"while opening the model"_qs, u"try a smaller model"_qs);
        emitOnOwnerThread(this, [this, job, message] { emit openFailed(job.id, job.folder, message); });
    }
}

void ModelComputeService::runText(const TextJob& job)
{
    if (!m_session)
        return;
    try {
        ModelResultPtr result = makeModelResult(m_session->update(job.text), m_lastResult.get());
        if (m_headStatsWanted)
            result->headStats();
        else
            result->layerHeadStats(m_shownLayer);
        m_lastResult = result;
        const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - job.submitted).count();
        emitOnOwnerThread(this, [this, generation = job.generation, result = std::move(result), ms] {
            emit finished(generation, result, ms);
        });
    } catch (...) {
        const QString message = failureText(std::current_exception(), u"while running the model"_qs, u"try a shorter text"_qs);
        emitOnOwnerThread(this, [this, generation = job.generation, message] { emit failed(generation, message); });
    }
}
