// The left-hand panel: the text, the layer's settings, and how the views show weights.
// Every change is announced at once; the window decides what to recompute.
#pragma once

#include "views/view_options.h"

#include <attn/backend_choice.h>
#include <attn/config.h>

#include <QList>
#include <optional>
#include <QWidget>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QSlider;
class QSpinBox;
class QUndoStack;

class ControlPanel : public QWidget {
    Q_OBJECT
public:
    explicit ControlPanel(QWidget* parent = nullptr);

    QString text() const;
    // The source text of cross-attention (keys and values); empty: self-attention.
    QString sourceText() const;
    attn::Config config() const;
    attn::BackendKind backend() const;
    WeightFilter filter() const;
    ColorMapId colorMap() const;
    bool unitColorScale() const; // Appearance::unitColorScale
    int detailHead() const; // from 0

    // Sets everything without announcing each change; a text replaced is one step for Ctrl+Z.
    void setInputs(const QString& text, const attn::Config& config);
    void setSourceText(const QString& source);
    void setBackend(attn::BackendKind backend);
    void setDisplay(ColorMapId map, const WeightFilter& filter, bool unitColorScale);
    void setDetailHead(int head);
    // Model mode: a trained model fixes the layer's settings. lockLayer shows the model's
    // (shown) in disabled controls with the note saying why, and keeps the sandbox's:
    // config() and setInputs() read and write those until unlockLayer() puts them back.
    void lockLayer(const QString& note, const attn::Config& shown);
    void unlockLayer();
    QString layerNote() const;

    // The user's changes of the layer's settings, for Edit → Undo and Redo (the text keeps
    // its own, in its box). Settings set by the program (a session, a model) start it anew.
    QUndoStack* settingsHistory() const { return m_history; }
    // Another document (a session, an example, a new session): its settings' history starts here.
    void startNewHistory();

    QPlainTextEdit* textEdit() const { return m_text; }
    QLineEdit* sourceEdit() const { return m_source; }

signals:
    void inputsChanged();  // text or layer settings: recompute
    void displayChanged(); // colour map or weight filter: repaint
    void detailHeadChanged(int head);

private:
    // The causal mask orders the tokens of one text: with a source text (cross-attention)
    // it does not apply, and its box is greyed, keeping its state for when the source goes.
    bool hasSource() const;
    void updateCausalBox();
    void showConfig(const attn::Config& config); // into the controls, without announcing
    void recordSettingChange();                  // after the user changed a layer setting
    void restoreConfig(const attn::Config& config); // Undo, Redo: shown and announced

    QUndoStack* m_history;
    attn::Config m_recorded; // the settings as the history last saw them
    QPlainTextEdit* m_text;
    QLineEdit* m_source;
    QComboBox* m_backend;
    QSlider* m_headsSlider;
    QSpinBox* m_heads;
    QSpinBox* m_dk;
    QSpinBox* m_dv;
    QSpinBox* m_dmodel;
    QSpinBox* m_seed;
    QCheckBox* m_causal;
    QCheckBox* m_scaled;
    QDoubleSpinBox* m_temperature;
    QSlider* m_temperatureSlider; // log scale: T = 2^(value / 20)
    QComboBox* m_colorMap;
    QCheckBox* m_unitScale;
    QSlider* m_keep;
    QLabel* m_keepLabel;
    QCheckBox* m_hideFirst;
    QSpinBox* m_detailHead;
    QLabel* m_layerNote;
    std::optional<attn::Config> m_sandbox; // set while locked: the sandbox's own settings
    QList<QWidget*> m_layerControls; // what lockLayer disables
    attn::Config m_unshown; // settings without a control here (positional, bias), kept as set
};
