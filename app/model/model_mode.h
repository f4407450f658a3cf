// The window's model mode in one place: the open model, its newest result, the selected
// layer and head, the head search, and the widgets that show them (the Model, Rollout and
// Next-token tabs and the layer bar). The window forwards the text, shows the selected
// layer's attn::Trace in the sandbox views, and reads the state back; all the bookkeeping
// (newest result wins, a failed open keeps the open model) is here.
#pragma once

#include "model_compute_service.h"
#include "views/model_view_state.h"
#include "views/view_options.h"

#include <QObject>
#include <QString>

#include <map>
#include <memory>

class ModelGridPanel;
class ModelViewWidget;
class QLabel;
class QPushButton;
class QSpinBox;
class QWidget;

class ModelMode : public QObject {
    Q_OBJECT
public:
    explicit ModelMode(attn::ModelRunOptions options = {}, QObject* parent = nullptr);
    ~ModelMode() override;

    bool isActive() const { return m_model != nullptr; }
    bool isOpening() const { return m_opening; }
    // True when no open and no text is waiting for an answer.
    bool isIdle() const;
    const ModelPtr& model() const { return m_model; }
    QString folder() const { return m_folder; }
    const ModelResultPtr& result() const { return m_result; }
    const ModelFocus& focus() const { return m_focus; }
    QString resultText() const { return m_resultText; } // the text the shown result was computed from
    // "gpt2-tiny: GPT-2, 2 layers x 4 heads, ..." from the engine; empty when none is open.
    QString description() const;
    // The sandbox controls the model fixes: "set by the model (12 heads, dₖ 64)".
    QString controlsNote() const;
    // The selected layer's attention, shared with the result (no copy); null when none.
    std::shared_ptr<const attn::Trace> selectedLayerTrace() const;

    // Loads on the worker; opened() or openFailed() follows. A failure keeps the open model.
    void open(const QString& folder);
    // Back to the sandbox: forgets the model and its result.
    void close();
    // Runs the text on the open model (the newest text wins); ignored without a model.
    void setText(const QString& text);
    void selectLayer(int layer);
    void selectHead(int layer, int head);
    void setAppearance(const Appearance& look);
    void setFilter(const WeightFilter& filter);

    // Widgets, made once; the window places them and owns them from then on.
    ModelGridPanel* gridPanel() const { return m_gridPanel; }
    ModelViewWidget* rolloutView() const { return m_rolloutView; }
    ModelViewWidget* nextTokenView() const { return m_nextView; }
    QWidget* layerBar() const { return m_layerBar; } // "Layer [3] of 12 · gpt2 · Back to sandbox"
    QSpinBox* layerSpin() const { return m_layerSpin; }
    QPushButton* backButton() const { return m_back; }

signals:
    void opened(const QString& description);
    void openFailed(const QString& message);
    void closed();
    void resultChanged(double elapsedMs); // a newer result reached the model views
    void failed(const QString& message);  // the text could not be run (too long, ...)
    void selectionChanged();              // layer or head

private:
    void onOpened(quint64 id, ModelPtr model, const QString& folder);
    void onOpenFailed(quint64 id, const QString& folder, const QString& message);
    void onFinished(quint64 generation, ModelResultPtr result, double elapsedMs);
    void onFailed(quint64 generation, const QString& message);
    void pushFocus();
    quint64 submit();
    void updateLayerBar();

    ModelComputeService m_service;
    ModelPtr m_model;
    QString m_folder;
    ModelResultPtr m_result;
    ModelFocus m_focus;
    QString m_text;                          // the newest text
    QString m_resultText;                    // the text of the result shown
    std::map<quint64, QString> m_textsAsked; // the text of each run still unanswered
    bool m_opening = false;
    quint64 m_lastOpen = 0;
    quint64 m_answered = 0;  // newest text generation answered
    quint64 m_validFrom = 0; // results of texts submitted before the open model was opened are stale

    ModelGridPanel* m_gridPanel;
    ModelViewWidget* m_rolloutView;
    ModelViewWidget* m_nextView;
    QWidget* m_layerBar;
    QSpinBox* m_layerSpin;
    QLabel* m_layerCount;
    QLabel* m_modelName;
    QPushButton* m_back;
};
