// The main window in model mode: a trained model's layers instead of the seeded layer.
#include "main_window.h"

#include "control_panel.h"
#include "status_text.h"
#include "model/model_grid_panel.h"
#include "model/model_mode.h"
#include "views/head_stats_model.h"
#include "views/model_view_widget.h"
#include "views/paint_common.h"
#include "views/view_widget.h"

#include <QAction>
#include <QDir>
#include <QLabel>
#include <QStatusBar>
#include <QTabWidget>
#include <QTableView>

void MainWindow::buildModelMode()
{
    // The layer bar sits beside the tabs; ModelMode shows it only while a model is open.
    m_tabs->setCornerWidget(m_modelMode->layerBar(), Qt::TopRightCorner);
    ModelMode* mode = m_modelMode.get();
    connect(mode, &ModelMode::opened, this, &MainWindow::onModelOpened);
    connect(mode, &ModelMode::openFailed, this, &MainWindow::onModelOpenFailed);
    connect(mode, &ModelMode::failed, this, &MainWindow::onModelFailed);
    connect(mode, &ModelMode::closed, this, &MainWindow::onModelClosed);
    connect(mode, &ModelMode::resultChanged, this, &MainWindow::onModelResult);
    connect(mode, &ModelMode::selectionChanged, this, &MainWindow::onModelSelection);
    // A head clicked in the grid: ModelMode selects it (connected first), then Head detail shows it.
    // The click was in the views: the head detail takes the keys, as a view brought up by
    // its key does (the arrows went to the text box the focus had been in).
    connect(mode->gridPanel()->grid(), &ModelViewWidget::headActivated, this, [this] {
        showView(ViewId::HeadDetail);
        view(ViewId::HeadDetail)->setFocus();
    });
}

void MainWindow::openModel(const QString& folder, int layer, const QString& view, int head)
{
    m_modelPending = ModelChoice{layer, head, view};
    m_modelMode->setText(m_controls->text());
    m_modelMode->open(folder);
    m_closeModel->setEnabled(true); // going back stops the opening
    statusBar()->showMessage(u"Opening "_qs + QDir::toNativeSeparators(folder) + u"…"_qs);
}

void MainWindow::closeModel()
{
    if (m_modelMode->isActive() || m_modelMode->isOpening())
        m_modelMode->close(); // closed() follows: onModelClosed
    else
        onModelClosed(); // a session's model that failed to open: forgotten too
}

ModelViewWidget* MainWindow::modelViewWidget(ModelViewId id) const
{
    switch (id) {
    case ModelViewId::Grid: return m_modelMode->gridPanel()->grid();
    case ModelViewId::Rollout: return m_modelMode->rolloutView();
    case ModelViewId::NextToken: return m_modelMode->nextTokenView();
    }
    return nullptr;
}

QWidget* MainWindow::modelTab(ModelViewId id) const
{
    QWidget* page = id == ModelViewId::Grid ? static_cast<QWidget*>(m_modelMode->gridPanel()) : modelViewWidget(id);
    return m_tabs->indexOf(page) >= 0 ? page : nullptr;
}

void MainWindow::showModelView(ModelViewId id)
{
    if (QWidget* page = modelTab(id))
        m_tabs->setCurrentWidget(page);
}

std::optional<ModelViewId> MainWindow::currentModelView() const
{
    for (const ModelViewKind& kind : modelViewKinds())
        if (QWidget* page = modelTab(kind.id); page && page == m_tabs->currentWidget())
            return kind.id;
    return std::nullopt;
}

bool MainWindow::showViewKey(const QString& key)
{
    if (const std::optional<ModelViewId> id = parseModelViewKey(key); id && modelTab(*id)) {
        showModelView(*id);
        return true;
    }
    for (const ViewKind& kind : viewKinds())
        if (kind.key == key) { // a session's: the head detail shows the head selected
            showView(kind.id);
            return true;
        }
    if (const std::optional<ViewChoice> choice = parseViewChoice(key, nullptr)) {
        showView(choice->id);
        if (choice->id == ViewId::HeadDetail)
            selectHead(choice->head);
        return true;
    }
    return false;
}

void MainWindow::onModelOpened(const QString& description)
{
    // The controls show the model's layer shape, disabled; the sandbox's settings wait.
    const attn::ModelConfig& config = m_modelMode->model()->config();
    attn::Config shown = m_controls->config();
    shown.heads = config.heads;
    shown.d_k = config.d_k();
    shown.d_v = 0; // same as dₖ
    shown.d_model = config.d_model;
    shown.causal = config.causal();
    shown.scaling = config.scaleScores ? attn::Scaling::InvSqrtDk : attn::Scaling::None;
    shown.temperature = 1.0f;
    m_controls->lockLayer(m_modelMode->controlsNote(), shown);
    // The model's tabs come first: the grid of every head is where a model is read from.
    if (!modelTab(ModelViewId::Grid)) {
        int index = 0;
        for (const ModelViewKind& kind : modelViewKinds()) {
            QWidget* page = kind.id == ModelViewId::Grid ? static_cast<QWidget*>(m_modelMode->gridPanel())
                                                         : modelViewWidget(kind.id);
            m_tabs->insertTab(index++, page, kind.name);
        }
    }
    m_closeModel->setEnabled(true);
    for (QAction* action : m_modelViewActions)
        action->setEnabled(true);
    m_modelOpenFailure.clear();
    clearError();
    updateWindowTitle();
    showModelViewsEmpty(u"Computing the model’s attention…"_qs);

    const ModelChoice choice = m_modelPending.value_or(ModelChoice{});
    m_modelPending.reset();
    // The session's model is the open one now; another is the user's own choice.
    m_modelFolderRelative = choice.namedBySession && m_sessionModel && m_sessionModel->model.relativeToFile;
    m_sessionModel.reset();
    m_modelMode->selectHead(std::max(0, choice.layer), choice.head >= 0 ? choice.head : m_focus.head);
    // A session may name a layer or head the model lacks; the nearest is shown, and said.
    QString adjusted;
    const int layers = m_modelMode->model()->config().layers, heads = m_modelMode->model()->config().heads;
    if (choice.layer >= layers)
        adjusted += u"  ·  layer "_qs + QString::number(choice.layer + 1) + u" asked for; it has "_qs
                    + QString::number(layers) + u", showing layer "_qs + QString::number(layers);
    if (choice.head >= heads)
        adjusted += u"  ·  head "_qs + QString::number(choice.head + 1) + u" asked for; it has "_qs
                    + QString::number(heads) + u", showing head "_qs + QString::number(heads);
    statusBar()->showMessage(u"Opened "_qs + description + adjusted, 15000);
    if (choice.view.isEmpty() || !showViewKey(choice.view))
        showModelView(ModelViewId::Grid);
}

void MainWindow::onModelOpenFailed(const QString& message)
{
    m_modelPending.reset();
    statusBar()->clearMessage();
    QString kept = m_modelMode->isActive() ? u"  (The open model stays.)"_qs : u"  (The sandbox stays.)"_qs;
    if (m_sessionModel)
        kept += u" Saving the session keeps its model; File → Back to sandbox leaves it out."_qs;
    m_closeModel->setEnabled(m_modelMode->isActive() || m_sessionModel);
    m_modelOpenFailure = message + kept;
    clearError();
    emit errorShown(message);
}

void MainWindow::onModelFailed(const QString& message)
{
    const bool earlierResult = m_modelMode->result() != nullptr;
    if (!earlierResult) {
        clearShownResult(); // the sandbox's trace, still in the views, is not the model's
        showModelViewsEmpty(u"Nothing computed yet: see the message above."_qs);
    }
    showFailure(message, earlierResult);
}

void MainWindow::showModelViewsEmpty(const QString& why)
{
    for (const ModelViewKind& kind : modelViewKinds())
        modelViewWidget(kind.id)->setEmptyText(why);
}

void MainWindow::onModelClosed()
{
    m_documentFrom = m_compute.latestSubmitted() + 1; // the model's picture is no sandbox result
    m_modelPending.reset();
    m_sessionModel.reset();
    m_modelFolderRelative = false;
    const bool wasOnModelTab = currentModelView().has_value();
    for (const ModelViewKind& kind : modelViewKinds())
        if (QWidget* page = modelTab(kind.id))
            m_tabs->removeTab(m_tabs->indexOf(page)); // the widgets stay ours for the next model
    if (wasOnModelTab)
        showView(ViewId::Heads);
    m_controls->unlockLayer();
    m_closeModel->setEnabled(false);
    for (QAction* action : m_modelViewActions)
        action->setEnabled(false);
    m_modelOpenFailure.clear();
    clearError();
    updateWindowTitle();
    statusBar()->showMessage(u"Back to the sandbox."_qs, 5000);
    recompute();
}

void MainWindow::onModelResult(double elapsedMs)
{
    m_modelElapsedMs = elapsedMs;
    clearError();
    showModelLayer();
}

void MainWindow::onModelSelection()
{
    showModelLayer();
    if (m_focus.head != m_modelMode->focus().head)
        selectHead(m_modelMode->focus().head);
}

void MainWindow::showModelLayer()
{
    std::shared_ptr<const attn::Trace> layer = m_modelMode->selectedLayerTrace();
    if (!layer)
        return; // no result yet: the views keep what they show
    const bool changed = layer != m_trace;
    if (changed) {
        m_trace = std::move(layer);
        const ModelResultPtr& result = m_modelMode->result();
        // The sandbox views' title names the layer, as the command line's export does.
        m_traceTexts = {m_modelMode->resultText(), QString()};
        m_traceNote = u"layer "_qs + QString::number(m_modelMode->focus().layer + 1) + u" of "_qs
                      + QString::fromStdString(result->trace->modelName);
        applyAppearance();
        m_statsModel->setStats(result->layerHeadStats(m_modelMode->focus().layer));
        for (ViewWidget* widget : m_views)
            widget->setTrace(m_trace, m_statsModel->sharedStats());
        if (!m_views.empty())
            m_focus = m_views.front()->options().focus; // pins beyond this text's tokens are gone
        showSelectedHeadInStats();
        markSelectedTokensInText();
    }
    updateModelStatus();
    if (changed)
        emit traceShown();
}

void MainWindow::updateModelStatus()
{
    const ModelResultPtr& result = m_modelMode->result();
    if (!result)
        return;
    const attn::ModelTrace& t = *result->trace;
    QString status = QString::fromStdString(t.modelName) + u"  ·  "_qs
                     + paintkit::countOf(qint64(t.tokenCount()), u"token"_qs) + u"  ·  layer "_qs + QString::number(m_modelMode->focus().layer + 1) + u" of "_qs
                     + QString::number(t.layerCount()) + u"  ·  backend "_qs + QString::fromStdString(t.backend)
                     + u"  ·  compute "_qs + millisText(t.wallMs) + u"  ·  edit to result "_qs + millisText(m_modelElapsedMs);
    if (!t.fallbackReason.empty())
        status += u"  ·  "_qs + QString::fromStdString(t.fallbackReason);
    showStatus(status);
}
