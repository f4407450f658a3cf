#include "control_panel.h"
#include "menu_keys_first.h"
#include "setting_change.h"
#include "undoable_text.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QSignalBlocker>
#include <QSlider>
#include <QSpinBox>
#include <QUndoStack>
#include <QVBoxLayout>

#include <climits>
#include <memory>
#include <vector>
#include <cmath>

namespace {

// `spoken`: what a screen reader calls it, in words it can say (the labels have dₖ and the like).
QSpinBox* spinBox(const QString& name, int min, int max, const QString& tip, const QString& spoken)
{
    auto* box = new QSpinBox;
    box->setObjectName(name);
    box->setRange(min, max);
    box->setToolTip(tip);
    box->setAccessibleName(spoken);
    box->setKeyboardTracking(true);
    return box;
}

// A label whose underlined letter (Alt+letter) goes to `control`, and which screen readers
// read as its name (a combo box's, on Linux, beside its value).
QLabel* buddyLabel(const QString& text, QWidget* control)
{
    auto* label = new QLabel(text);
    label->setBuddy(control);
    return label;
}

} // namespace

ControlPanel::ControlPanel(QWidget* parent) : QWidget(parent)
{
    m_history = new QUndoStack(this);
    m_text = new QPlainTextEdit;
    m_text->setObjectName(u"text"_qs);
    m_text->setPlaceholderText(u"Type a sentence…"_qs);
    m_text->setTabChangesFocus(true);
    m_text->setMinimumHeight(70);
    m_text->setToolTip(u"The sentence whose attention every view shows; they recompute as you type"_qs);
    m_source = new QLineEdit;
    m_source->setObjectName(u"source"_qs);
    m_source->setPlaceholderText(u"Empty: the text attends to itself"_qs);
    m_source->setClearButtonEnabled(true);
    m_source->setMaxLength(INT_MAX); // a line edit keeps 32,767 characters unless told
    m_source->setToolTip(u"Cross-attention: the text's tokens ask (queries), this text's tokens answer (keys and values)"_qs);

    m_headsSlider = new QSlider(Qt::Horizontal);
    m_headsSlider->setObjectName(u"headsSlider"_qs);
    m_headsSlider->setRange(1, 16);
    m_headsSlider->setToolTip(u"Number of attention heads, 1 to 16 here; the box beside it goes beyond"_qs);
    m_headsSlider->setAccessibleName(u"Number of heads (slider)"_qs);
    m_heads = spinBox(u"heads"_qs, 1, attn::Limits::maxHeads, u"Number of attention heads"_qs, u"Number of heads"_qs);
    auto* headsRow = new QHBoxLayout;
    headsRow->addWidget(m_headsSlider, 1);
    headsRow->addWidget(m_heads);

    m_dk = spinBox(u"dk"_qs, 1, attn::Limits::maxKeyDim, u"Size of each head's queries and keys"_qs,
                   u"Key size per head (d k)"_qs);
    m_dv = spinBox(u"dv"_qs, 0, attn::Limits::maxKeyDim, u"Size of each head's values"_qs,
                   u"Value size per head (d v)"_qs);
    m_dv->setSpecialValueText(u"same as dₖ"_qs);
    m_dmodel = spinBox(u"dmodel"_qs, 1, attn::Limits::maxModelDim, u"Width of the token vectors"_qs,
                       u"Token vector width (d model)"_qs);
    m_seed = spinBox(u"seed"_qs, 0, int(attn::Limits::maxSeed), u"Seed of the random weights and embeddings"_qs,
                     u"Seed"_qs);
    m_causal = new QCheckBox(u"Causal mask (see only ea&rlier tokens)"_qs);
    m_causal->setObjectName(u"causal"_qs);
    updateCausalBox();
    m_scaled = new QCheckBox(u"Scale scores b&y 1/√dₖ"_qs);
    m_scaled->setObjectName(u"scaled"_qs);
    m_scaled->setAccessibleName(u"Scale scores by one over the square root of d k"_qs);
    m_scaled->setToolTip(u"Divide QKᵀ by √dₖ, as transformers do, so that larger keys do not make the softmax "
                         u"sharper; off, the scores grow with dₖ and the weights saturate"_qs);
    m_temperature = new QDoubleSpinBox;
    m_temperature->setObjectName(u"temperature"_qs);
    m_temperature->setRange(attn::Limits::minTemperature, attn::Limits::maxTemperature);
    m_temperature->setDecimals(3);
    m_temperature->setSingleStep(0.1);
    // A value out of range (0, say) becomes the nearest allowed one when the box loses focus,
    // rather than silently going back to the value before.
    m_temperature->setCorrectionMode(QAbstractSpinBox::CorrectToNearestValue);
    m_temperature->setToolTip(u"Divides the scores: above 1 flattens, below 1 sharpens (from "_qs
                              + QString::number(attn::Limits::minTemperature) + u" to "_qs
                              + QString::number(attn::Limits::maxTemperature) + u')');
    m_temperatureSlider = new QSlider(Qt::Horizontal);
    m_temperatureSlider->setObjectName(u"temperatureSlider"_qs);
    m_temperatureSlider->setRange(-100, 100); // T from 1/32 to 32, 1 in the middle
    m_temperatureSlider->setToolTip(m_temperature->toolTip());
    m_temperatureSlider->setAccessibleName(u"Temperature (slider)"_qs);
    auto* temperatureRow = new QHBoxLayout;
    temperatureRow->addWidget(m_temperatureSlider, 1);
    temperatureRow->addWidget(m_temperature);
    m_backend = new QComboBox;
    m_backend->setObjectName(u"backend"_qs);
    for (attn::BackendKind kind : {attn::BackendKind::Auto, attn::BackendKind::Blas, attn::BackendKind::Vulkan,
                                   attn::BackendKind::Reference})
        m_backend->addItem(QString::fromStdString(attn::toString(kind)), int(kind));
    m_backend->setToolTip(u"Where the arithmetic runs; auto picks the GPU when there is one"_qs);

    m_layerNote = new QLabel;
    m_layerNote->setObjectName(u"layerNote"_qs);
    m_layerNote->setWordWrap(true);
    m_layerNote->hide();

    auto* layer = new QGroupBox(u"Layer"_qs);
    auto* layerForm = new QFormLayout(layer);
    layerForm->addRow(m_layerNote);
    // The underlined letters leave the menu bar's (F, E, V, X, H) and the model's Layer (L) alone.
    layerForm->addRow(buddyLabel(u"He&ads"_qs, m_heads), headsRow);
    layerForm->addRow(buddyLabel(u"&Key size dₖ"_qs, m_dk), m_dk);
    layerForm->addRow(buddyLabel(u"Val&ue size dᵥ"_qs, m_dv), m_dv);
    layerForm->addRow(buddyLabel(u"&Width d_model"_qs, m_dmodel), m_dmodel);
    layerForm->addRow(buddyLabel(u"&Seed"_qs, m_seed), m_seed);
    layerForm->addRow(buddyLabel(u"Te&mperature"_qs, m_temperature), temperatureRow);
    layerForm->addRow(m_scaled);
    layerForm->addRow(m_causal);
    layerForm->addRow(buddyLabel(u"&Backend"_qs, m_backend), m_backend);

    m_colorMap = new QComboBox;
    m_colorMap->setObjectName(u"colormap"_qs);
    m_colorMap->setToolTip(u"The colours of the weights: Viridis, Cividis for colour-blind readers, Greys for print"_qs);
    for (ColorMapId id : ColorMap::all())
        m_colorMap->addItem(ColorMap::displayName(id), ColorMap::key(id));
    m_keep = new QSlider(Qt::Horizontal);
    m_keep->setObjectName(u"keep"_qs);
    m_keep->setRange(5, 100);
    m_keep->setValue(100);
    m_keep->setAccessibleName(u"Keep links (percent of each query's weight)"_qs);
    m_keep->setToolTip(u"Per query, keep only its strongest links up to this share of its weight (the token links "
                       u"also leave out links too faint to see; each figure's footnote says what it left out)"_qs);
    m_keepLabel = new QLabel(u"100%"_qs);
    m_keepLabel->setMinimumWidth(QFontMetrics(m_keepLabel->font()).horizontalAdvance(u"100%"_qs) + 4);
    auto* keepRow = new QHBoxLayout;
    keepRow->addWidget(m_keep, 1);
    keepRow->addWidget(m_keepLabel);
    m_hideFirst = new QCheckBox(u"Hide the first toke&n (renormalise)"_qs);
    m_hideFirst->setObjectName(u"hideFirst"_qs);
    m_hideFirst->setToolTip(u"Leave out the weight every query puts on the first token (often a sink), and spread "
                            u"each row's rest to sum to 1 again"_qs);
    m_unitScale = new QCheckBox(u"Colours from &0 to 1"_qs);
    m_unitScale->setObjectName(u"unitScale"_qs);
    m_unitScale->setToolTip(u"Colour the weights on a fixed 0 to 1 scale instead of 0 to the largest weight shown: "
                            u"evenly spread attention then looks faint, and pictures compare across settings"_qs);
    m_detailHead = spinBox(u"detailHead"_qs, 1, attn::Limits::maxHeads, u"The head the Head detail view shows"_qs,
                           u"Head shown in Head detail"_qs);

    // A model has no cross-attention source, temperature or backend choice here either.
    m_layerControls = {m_headsSlider, m_heads, m_dk, m_dv, m_dmodel, m_seed, m_causal, m_scaled,
                       m_temperature, m_temperatureSlider, m_backend, m_source};

    auto* display = new QGroupBox(u"Display"_qs);
    auto* displayForm = new QFormLayout(display);
    displayForm->addRow(buddyLabel(u"&Colours"_qs, m_colorMap), m_colorMap);
    displayForm->addRow(buddyLabel(u"Keep l&inks"_qs, m_keep), keepRow);
    displayForm->addRow(m_hideFirst);
    displayForm->addRow(m_unitScale);
    displayForm->addRow(buddyLabel(u"&Detail head"_qs, m_detailHead), m_detailHead);

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(buddyLabel(u"&Text"_qs, m_text));
    layout->addWidget(m_text, 1);
    layout->addWidget(buddyLabel(u"S&ource text (optional)"_qs, m_source));
    layout->addWidget(m_source);
    layout->addWidget(layer);
    layout->addWidget(display);

    // The slider and the box are one control: the box can go beyond the slider's 16.
    connect(m_headsSlider, &QSlider::valueChanged, m_heads, &QSpinBox::setValue);
    connect(m_heads, &QSpinBox::valueChanged, this, [this](int heads) {
        const QSignalBlocker block(m_headsSlider);
        m_headsSlider->setValue(heads);
        m_detailHead->setMaximum(heads);
    });

    // Likewise for temperature, on a log scale so that ½ and 2 lie equally far from 1.
    connect(m_temperatureSlider, &QSlider::valueChanged, m_temperature,
            [this](int step) { m_temperature->setValue(std::exp2(step / 20.0)); });
    connect(m_temperature, &QDoubleSpinBox::valueChanged, this, [this](double temperature) {
        const QSignalBlocker block(m_temperatureSlider);
        m_temperatureSlider->setValue(int(std::lround(20.0 * std::log2(temperature))));
    });

    connect(m_text, &QPlainTextEdit::textChanged, this, &ControlPanel::inputsChanged);
    connect(m_source, &QLineEdit::textChanged, this, &ControlPanel::updateCausalBox);
    connect(m_source, &QLineEdit::textChanged, this, &ControlPanel::inputsChanged);
    connect(m_backend, &QComboBox::currentIndexChanged, this, &ControlPanel::inputsChanged);
    for (QSpinBox* box : {m_heads, m_dk, m_dv, m_dmodel, m_seed})
        connect(box, &QSpinBox::valueChanged, this, &ControlPanel::inputsChanged);
    connect(m_temperature, &QDoubleSpinBox::valueChanged, this, &ControlPanel::inputsChanged);
    connect(m_causal, &QCheckBox::toggled, this, &ControlPanel::inputsChanged);
    connect(m_scaled, &QCheckBox::toggled, this, &ControlPanel::inputsChanged);
    // Programmatic changes are made with the signals blocked: these are the user's.
    for (QSpinBox* box : {m_heads, m_dk, m_dv, m_dmodel, m_seed})
        connect(box, &QSpinBox::valueChanged, this, &ControlPanel::recordSettingChange);
    connect(m_temperature, &QDoubleSpinBox::valueChanged, this, &ControlPanel::recordSettingChange);
    for (QAbstractSpinBox* box : std::initializer_list<QAbstractSpinBox*>{m_heads, m_dk, m_dv, m_dmodel, m_seed, m_temperature})
        box->setProperty(menuUndoesValueProperty, true);
    connect(m_causal, &QCheckBox::toggled, this, &ControlPanel::recordSettingChange);
    connect(m_scaled, &QCheckBox::toggled, this, &ControlPanel::recordSettingChange);

    connect(m_colorMap, &QComboBox::currentIndexChanged, this, &ControlPanel::displayChanged);
    connect(m_keep, &QSlider::valueChanged, this, [this](int percent) {
        m_keepLabel->setText(QString::number(percent) + u'%');
        emit displayChanged();
    });
    connect(m_hideFirst, &QCheckBox::toggled, this, &ControlPanel::displayChanged);
    connect(m_unitScale, &QCheckBox::toggled, this, &ControlPanel::displayChanged);
    connect(m_detailHead, &QSpinBox::valueChanged, this, [this](int head) { emit detailHeadChanged(head - 1); });

    setInputs(QString(), attn::Config{});
}

QString ControlPanel::text() const
{
    return m_text->toPlainText();
}

QString ControlPanel::sourceText() const
{
    return m_source->text();
}

attn::BackendKind ControlPanel::backend() const
{
    return attn::BackendKind(m_backend->currentData().toInt());
}

void ControlPanel::setSourceText(const QString& source)
{
    {
        const QSignalBlocker block(m_source);
        m_source->setText(source);
    }
    updateCausalBox();
}

bool ControlPanel::hasSource() const
{
    return !m_source->text().trimmed().isEmpty();
}

void ControlPanel::updateCausalBox()
{
    m_causal->setEnabled(!m_sandbox && !hasSource());
    m_causal->setToolTip(hasSource() ? u"Not with a source text: the causal mask hides the tokens after a token in its "
                                       u"own text, and the source is another text, with no such order to the queries."_qs
                                     : u"Each token sees only itself and the tokens before it, as in GPT"_qs);
}

void ControlPanel::setBackend(attn::BackendKind backend)
{
    const QSignalBlocker block(m_backend);
    m_backend->setCurrentIndex(std::max(0, m_backend->findData(int(backend))));
}

attn::Config ControlPanel::config() const
{
    if (m_sandbox)
        return *m_sandbox;
    attn::Config config = m_unshown;
    config.heads = m_heads->value();
    config.d_k = m_dk->value();
    config.d_v = m_dv->value();
    config.d_model = m_dmodel->value();
    config.seed = std::uint64_t(m_seed->value());
    config.causal = m_causal->isChecked(); // kept with a source, where it does not apply (see currentRequest)
    config.scaling = m_scaled->isChecked() ? attn::Scaling::InvSqrtDk : attn::Scaling::None;
    config.temperature = float(m_temperature->value());
    return config;
}

WeightFilter ControlPanel::filter() const
{
    WeightFilter filter;
    filter.keepShare = m_keep->value() / 100.0;
    filter.hideFirst = m_hideFirst->isChecked();
    return filter;
}

ColorMapId ControlPanel::colorMap() const
{
    return ColorMap::fromKey(m_colorMap->currentData().toString());
}

bool ControlPanel::unitColorScale() const
{
    return m_unitScale->isChecked();
}

int ControlPanel::detailHead() const
{
    return m_detailHead->value() - 1;
}

void ControlPanel::setInputs(const QString& text, const attn::Config& config)
{
    {
        const QSignalBlocker block(m_text);
        if (m_text->toPlainText() != text)
            replaceTextUndoably(*m_text, text);
    }
    if (m_sandbox) {
        *m_sandbox = config; // the model's settings stay shown until unlockLayer()
        return;
    }
    m_unshown = config;
    showConfig(config);
    m_recorded = this->config(); // as the controls hold it: the temperature box rounds
}

void ControlPanel::startNewHistory()
{
    m_history->clear();
    m_recorded = config();
}

void ControlPanel::recordSettingChange()
{
    const attn::Config now = config();
    if (m_sandbox || now == m_recorded)
        return;
    m_history->push(new SettingChange(m_recorded, now, [this](const attn::Config& c) { restoreConfig(c); }));
    m_recorded = now;
}

void ControlPanel::restoreConfig(const attn::Config& config)
{
    m_unshown = config;
    showConfig(config);
    m_recorded = this->config();
    emit inputsChanged();
}

void ControlPanel::showConfig(const attn::Config& config)
{
    const QList<QObject*> all = {m_headsSlider, m_heads, m_dk, m_dv, m_dmodel, m_seed, m_causal, m_scaled, m_temperature,
                                 m_temperatureSlider};
    std::vector<std::unique_ptr<QSignalBlocker>> blockers;
    for (QObject* object : all)
        blockers.push_back(std::make_unique<QSignalBlocker>(object));
    m_heads->setValue(config.heads);
    m_headsSlider->setValue(config.heads);
    m_detailHead->setMaximum(config.heads);
    m_dk->setValue(config.d_k);
    m_dv->setValue(config.d_v);
    m_dmodel->setValue(config.d_model);
    m_seed->setValue(int(std::min<std::uint64_t>(config.seed, attn::Limits::maxSeed)));
    m_causal->setChecked(config.causal);
    m_scaled->setChecked(config.scaling == attn::Scaling::InvSqrtDk);
    m_temperature->setValue(config.temperature);
    m_temperatureSlider->setValue(int(std::lround(20.0 * std::log2(double(config.temperature)))));
}

void ControlPanel::setDisplay(ColorMapId map, const WeightFilter& filter, bool unitColorScale)
{
    const QSignalBlocker a(m_colorMap), b(m_keep), c(m_hideFirst), d(m_unitScale);
    m_unitScale->setChecked(unitColorScale);
    m_colorMap->setCurrentIndex(std::max(0, m_colorMap->findData(ColorMap::key(map))));
    m_keep->setValue(int(std::lround(filter.keepShare * 100)));
    m_keepLabel->setText(QString::number(m_keep->value()) + u'%');
    m_hideFirst->setChecked(filter.hideFirst);
}

void ControlPanel::setDetailHead(int head)
{
    const QSignalBlocker block(m_detailHead);
    m_detailHead->setValue(head + 1);
}

void ControlPanel::lockLayer(const QString& note, const attn::Config& shown)
{
    if (!m_sandbox)
        m_sandbox = config();
    m_history->clear(); // the model's settings are not the user's to undo
    showConfig(shown);
    for (QWidget* control : m_layerControls)
        control->setEnabled(false);
    m_layerNote->setText(note);
    m_layerNote->show();
}

void ControlPanel::unlockLayer()
{
    if (!m_sandbox)
        return;
    const attn::Config sandbox = *m_sandbox;
    m_sandbox.reset();
    m_unshown = sandbox;
    showConfig(sandbox);
    m_recorded = config();
    for (QWidget* control : m_layerControls)
        control->setEnabled(true);
    updateCausalBox();
    m_layerNote->clear();
    m_layerNote->hide();
}

QString ControlPanel::layerNote() const
{
    return m_layerNote->isHidden() ? QString() : m_layerNote->text();
}
