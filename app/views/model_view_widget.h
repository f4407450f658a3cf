// A thin QWidget around a model view's paint function: keeps the result pointer, the
// shared options and the model focus, turns the mouse into focus changes, and repaints.
#pragma once

#include "model_view_state.h"
#include "model_views.h"
#include "view_options.h"

#include <QWidget>

class ModelViewWidget : public QWidget {
    Q_OBJECT
public:
    explicit ModelViewWidget(ModelViewId id, QWidget* parent = nullptr);

    ModelViewId viewId() const { return m_id; }
    const ModelViewKind& kind() const { return modelViewKind(m_id); }
    const ModelResultPtr& result() const { return m_result; }
    const ViewOptions& options() const { return m_options; }
    const ModelFocus& modelFocus() const { return m_focus; }

    void setResult(ModelResultPtr result);
    // Shown instead of the view while there is no result, where set (a model that is still
    // computing, or whose run failed); else the view's own hint.
    void setEmptyText(const QString& text);
    const QString& emptyText() const { return m_emptyText; }
    void setAppearance(const Appearance& look);
    void setFilter(const WeightFilter& filter);
    // Layer, head and search from the window; the hover stays this widget's own.
    void setModelFocus(const ModelFocus& focus);

    // Paints into any device at any size, as paintEvent does.
    void paintPage(QPainter& painter, QRectF page) const;
    // The centre of a head's thumbnail on the Model view (for tests and tooltips); null if not shown.
    QPointF thumbnailCenter(int layer, int head) const;

signals:
    void headActivated(int layer, int head); // a thumbnail was clicked

protected:
    void paintEvent(QPaintEvent* event) override;
    void leaveEvent(QEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;

private:
    QRectF page() const { return QRectF(rect()); }
    void describeSelection(); // the accessible description, from the result and focus

    ModelViewId m_id;
    ModelResultPtr m_result;
    ViewOptions m_options;
    ModelFocus m_focus;
    QString m_emptyText;
};
