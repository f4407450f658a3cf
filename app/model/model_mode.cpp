#include "model_mode.h"

#include "model_grid_panel.h"
#include "views/model_view_widget.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSpinBox>

#include <algorithm>

ModelMode::ModelMode(attn::ModelRunOptions options, QObject* parent) : QObject(parent), m_service(options)
{
    m_gridPanel = new ModelGridPanel;
    m_rolloutView = new ModelViewWidget(ModelViewId::Rollout);
    m_nextView = new ModelViewWidget(ModelViewId::NextToken);

    m_layerBar = new QWidget;
    auto* bar = new QHBoxLayout(m_layerBar);
    bar->setContentsMargins(4, 0, 4, 0);
    auto* layerLabel = new QLabel(u"&Layer"_qs);
    m_layerSpin = new QSpinBox;
    m_layerSpin->setRange(1, 1);
    m_layerSpin->setToolTip(u"The layer whose attention the Heads, Head detail, Token links and Steps views show"_qs);
    layerLabel->setBuddy(m_layerSpin);
    m_layerCount = new QLabel;
    m_modelName = new QLabel;
    m_back = new QPushButton(u"Back to sandbox"_qs);
    m_back->setToolTip(u"Close the model and return to the seeded single layer"_qs);
    bar->addWidget(m_modelName);
    bar->addWidget(layerLabel);
    bar->addWidget(m_layerSpin);
    bar->addWidget(m_layerCount);
    bar->addWidget(m_back);
    m_layerBar->setVisible(false);

    connect(&m_service, &ModelComputeService::modelOpened, this, &ModelMode::onOpened);
    connect(&m_service, &ModelComputeService::openFailed, this, &ModelMode::onOpenFailed);
    connect(&m_service, &ModelComputeService::finished, this, &ModelMode::onFinished);
    connect(&m_service, &ModelComputeService::failed, this, &ModelMode::onFailed);
    connect(m_layerSpin, &QSpinBox::valueChanged, this, [this](int value) { selectLayer(value - 1); });
    connect(m_back, &QPushButton::clicked, this, &ModelMode::close);
    connect(m_gridPanel->grid(), &ModelViewWidget::headActivated, this, &ModelMode::selectHead);
    connect(m_gridPanel, &ModelGridPanel::searchChanged, this, [this] {
        m_focus.search = m_gridPanel->search();
        m_focus.sortBySearch = m_gridPanel->sortBySearch();
        m_service.setHeadStatsWanted(m_focus.search != HeadSearch::None);
        pushFocus();
    });
}

ModelMode::~ModelMode()
{
    // Widgets the window never took (tests, or model mode never shown) are ours to delete.
    for (QWidget* widget : {static_cast<QWidget*>(m_gridPanel), static_cast<QWidget*>(m_rolloutView),
                            static_cast<QWidget*>(m_nextView), m_layerBar})
        if (!widget->parent())
            delete widget;
}

bool ModelMode::isIdle() const
{
    return !m_opening && (!m_model || m_answered >= m_service.latestSubmitted());
}

QString ModelMode::description() const
{
    return m_model ? QString::fromStdString(m_model->description()) : QString();
}

QString ModelMode::controlsNote() const
{
    if (!m_model)
        return QString();
    const attn::ModelConfig& config = m_model->config();
    return u"set by the model ("_qs + QString::number(config.heads) + u" heads, dₖ "_qs + QString::number(config.d_k())
           + u", d_model "_qs + QString::number(config.d_model) + u")"_qs;
}

std::shared_ptr<const attn::Trace> ModelMode::selectedLayerTrace() const
{
    return layerTrace(m_result, m_focus.layer);
}

void ModelMode::open(const QString& folder)
{
    m_opening = true;
    m_lastOpen = m_service.open(folder);
}

void ModelMode::close()
{
    if (!m_model && !m_opening)
        return;
    m_service.close();
    m_model.reset();
    m_result.reset();
    m_folder.clear();
    m_opening = false;
    m_lastOpen = 0; // a load still running ends in a modelOpened nobody waits for
    m_answered = m_service.latestSubmitted();
    m_textsAsked.clear();
    m_resultText.clear();
    m_focus = ModelFocus{};
    // The grid panel's search stays chosen, for the next model: the focus says so too (a
    // model opened next showed the choice in its box, and did not apply it).
    m_focus.search = m_gridPanel->search();
    m_focus.sortBySearch = m_gridPanel->sortBySearch();
    for (ModelViewWidget* view : {m_gridPanel->grid(), m_rolloutView, m_nextView})
        view->setResult(nullptr);
    m_layerBar->setVisible(false);
    emit closed();
}

void ModelMode::setText(const QString& text)
{
    m_text = text;
    if (m_model)
        submit();
}

void ModelMode::selectLayer(int layer)
{
    selectHead(layer, m_focus.head);
}

void ModelMode::selectHead(int layer, int head)
{
    const int layers = m_model ? m_model->config().layers : 1;
    const int heads = m_model ? m_model->config().heads : 1;
    layer = std::clamp(layer, 0, std::max(0, layers - 1));
    head = std::clamp(head, 0, std::max(0, heads - 1));
    if (layer == m_focus.layer && head == m_focus.head)
        return;
    m_focus.layer = layer;
    m_focus.head = head;
    pushFocus();
    emit selectionChanged();
}

void ModelMode::setAppearance(const Appearance& look)
{
    Appearance shown = look;
    shown.text = m_resultText; // the title names the text the figure was computed from
    for (ModelViewWidget* view : {m_gridPanel->grid(), m_rolloutView, m_nextView})
        view->setAppearance(shown);
}

void ModelMode::setFilter(const WeightFilter& filter)
{
    for (ModelViewWidget* view : {m_gridPanel->grid(), m_rolloutView, m_nextView})
        view->setFilter(filter);
}

quint64 ModelMode::submit()
{
    const quint64 generation = m_service.submit(m_text);
    m_textsAsked[generation] = m_text;
    return generation;
}

void ModelMode::pushFocus()
{
    m_service.setShownLayer(m_focus.layer); // the next result comes with its head statistics
    for (ModelViewWidget* view : {m_gridPanel->grid(), m_rolloutView, m_nextView})
        view->setModelFocus(m_focus);
    const QSignalBlocker block(m_layerSpin);
    m_layerSpin->setValue(m_focus.layer + 1);
}

void ModelMode::updateLayerBar()
{
    const int layers = m_model ? m_model->config().layers : 1;
    const QSignalBlocker block(m_layerSpin);
    m_layerSpin->setRange(1, std::max(1, layers));
    m_layerSpin->setValue(m_focus.layer + 1);
    m_layerCount->setText(u"of "_qs + QString::number(layers));
    m_modelName->setText(m_model ? u"<b>"_qs + QString::fromStdString(m_model->name()).toHtmlEscaped() + u"</b>"_qs : QString());
    m_modelName->setToolTip(description());
    m_layerBar->setVisible(m_model != nullptr);
}

void ModelMode::onOpened(quint64 id, ModelPtr model, const QString& folder)
{
    if (id != m_lastOpen)
        return; // a newer open is on its way
    m_opening = false;
    m_model = std::move(model);
    m_folder = folder;
    m_result.reset();
    m_focus.layer = m_focus.head = 0;
    m_focus.hoverLayer = m_focus.hoverHead = -1;
    updateLayerBar();
    pushFocus();
    // Answers to texts sent before this model was open belong to the previous one.
    m_validFrom = submit();
    emit opened(description());
}

void ModelMode::onOpenFailed(quint64 id, const QString&, const QString& message)
{
    if (id != m_lastOpen)
        return;
    m_opening = false;
    emit openFailed(message);
}

void ModelMode::onFinished(quint64 generation, ModelResultPtr result, double elapsedMs)
{
    if (!m_model || generation < m_validFrom || generation <= m_answered)
        return;
    m_answered = generation;
    m_result = std::move(result);
    m_resultText = m_textsAsked[generation];
    m_textsAsked.erase(m_textsAsked.begin(), m_textsAsked.upper_bound(generation));
    for (ModelViewWidget* view : {m_gridPanel->grid(), m_rolloutView, m_nextView}) {
        Appearance look = view->options().look;
        look.text = m_resultText;
        view->setAppearance(look);
        view->setResult(m_result);
    }
    emit resultChanged(elapsedMs);
}

void ModelMode::onFailed(quint64 generation, const QString& message)
{
    if (!m_model || generation < m_validFrom || generation <= m_answered)
        return;
    m_answered = generation;
    m_textsAsked.erase(m_textsAsked.begin(), m_textsAsked.upper_bound(generation));
    emit failed(message);
}
