// Thin QWidgets around the paint functions: they keep the trace pointer and the options,
// turn mouse and keys into Focus changes, and repaint. All drawing is the view's paint().
#pragma once

#include "heads_view.h"
#include "view_options.h"
#include "view_registry.h"

#include <attn/trace.h>

#include <QWidget>

#include <memory>
#include <optional>

class ViewWidget : public QWidget {
    Q_OBJECT
public:
    ViewWidget(ViewId id, QWidget* parent = nullptr);

    ViewId viewId() const { return m_id; }
    const ViewKind& kind() const { return viewKind(m_id); }
    const std::shared_ptr<const attn::Trace>& trace() const { return m_trace; }
    const ViewOptions& options() const { return m_options; }

    // `headStats`: the trace's head statistics, computed once (null: the views compute them).
    void setTrace(std::shared_ptr<const attn::Trace> trace,
                  std::shared_ptr<const std::vector<attn::HeadStats>> headStats = nullptr);
    // The window's shared settings. The focus (head, hover, pins, selected key) is shared
    // too: the window hands every view the focus that one of them changed.
    void setAppearance(const Appearance& look);
    void setFilter(const WeightFilter& filter);
    void setFocusState(const Focus& focus);
    // What the page says while there is no trace (the window's words: that the first one
    // is being computed, or why there is none).
    void setEmptyText(const QString& text);
    const QString& emptyText() const { return m_emptyText; }

    int paintCount() const { return m_paints; } // for tests: repaints so far

    // Paints into any device at any size, as paintEvent does.
    void paintPage(QPainter& painter, QRectF page) const;

    // What a scrolling page with `room` in view keeps in sight of the selection the keys
    // moved (the steps' stepsSelectionInSight); empty for the other views, which fit.
    QRectF selectionInSight(QSizeF room) const;

signals:
    void headActivated(int head); // the user asked to see this head alone
    void focusStateChanged(); // by the user, in this view: options().focus is the new one
    void selectionMovedByKeys(); // after focusStateChanged, when the keys moved it: keep it in sight

protected:
    bool event(QEvent* event) override;
    void paintEvent(QPaintEvent* event) override;
    void leaveEvent(QEvent* event) override;
    void focusInEvent(QFocusEvent* event) override;
    void focusOutEvent(QFocusEvent* event) override;
    void keyPressEvent(QKeyEvent* event) override;
    std::optional<Focus> focusMovedBy(int key) const;
    // What a mouse gesture does, by key: + and - zoom the head detail in and out around the
    // selected cell (a drag, a double-click); S shows the selected head alone in the token
    // links, and all again (a double-click on its swatch).
    std::optional<Focus> focusChangedByGestureKey(int key) const;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void mouseDoubleClickEvent(QMouseEvent* event) override;

private:
    QRectF page() const { return QRectF(rect()); }
    void changeFocus(const Focus& focus);
    void hoverAt(QPointF point);
    QString toolTipAt(QPointF point) const;
    void clickAt(QPointF point, Qt::KeyboardModifiers modifiers);
    void describeSelection(); // the accessible description follows the trace and the selection

    ViewId m_id;
    std::shared_ptr<const attn::Trace> m_trace;
    ViewOptions m_options;
    QString m_emptyText;
    QPointF m_pressAt;
    QPointF m_dragTo;
    bool m_dragging = false;
    int m_paints = 0;
    bool m_skipRelease = false;   // the release that ends a double-click is no click
    Focus m_beforeLastClick;      // a double-click acts on the state before its first click
};
