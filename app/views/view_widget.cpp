#include "view_widget.h"

#include "display_weights.h"
#include "head_detail_view.h"
#include "paint_common.h"
#include "selection_description.h"
#include "steps_view.h"
#include "token_links_view.h"

#include <QHelpEvent>
#include <QKeyEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QToolTip>

#include <algorithm>
#include <cmath>

namespace {

void togglePin(QList<int>& pins, int index, bool addToSelection)
{
    if (addToSelection) {
        if (!pins.removeOne(index))
            pins.append(index);
        return;
    }
    if (pins == QList<int>{index})
        pins.clear();
    else
        pins = {index};
}

// A zoom belongs to its head, and shows the selection (the chosen cell, or the chosen
// query's row where no key is chosen) or goes.
void dropZoomThatHidesSelection(Focus& focus, int headBefore)
{
    const int query = focus.selectedQuery(), key = focus.selectedKey;
    const bool shown = query < 0 || (key >= 0 ? focus.zoom.contains(QPoint(key, query))
                                              : query >= focus.zoom.top() && query <= focus.zoom.bottom());
    if (focus.head != headBefore || !shown)
        focus.zoom = QRect();
}

// Only `head` shown, or every head again where it was shown alone already.
void toggleSolo(Focus& focus, int head, int heads)
{
    QList<int> others;
    for (int h = 0; h < heads; ++h)
        if (h != head)
            others.append(h);
    focus.hiddenHeads = focus.hiddenHeads == others ? QList<int>() : others;
}

// The head detail's zoom a step in or out: each side of the matrix over 2, 4, 8, ... (a
// drag's region counts as the nearest step), around the selected cell where the region
// shows it, else around its own centre; the whole matrix is no zoom.
QRect zoomedAround(const Focus& focus, QSize cells, bool in)
{
    const QRect whole(QPoint(0, 0), cells);
    const QRect region = focus.zoom.isEmpty() ? whole : focus.zoom & whole;
    const auto stepped = [in](int shown, int all) {
        const int step = std::max(0, int(std::lround(std::log2(double(all) / shown)))) + (in ? 1 : -1);
        return step <= 0 ? all : std::max(1, int(std::ceil(all / std::exp2(step))));
    };
    const QSize size(stepped(region.width(), cells.width()), stepped(region.height(), cells.height()));
    if (size == cells)
        return QRect();
    const QPoint selected(focus.selectedKey, focus.selectedQuery());
    QRect zoom(QPoint(0, 0), size);
    zoom.moveCenter(region.contains(selected) ? selected : region.center());
    // Inside the matrix: moved back in rather than cut.
    zoom.moveLeft(std::clamp(zoom.left(), 0, cells.width() - size.width()));
    zoom.moveTop(std::clamp(zoom.top(), 0, cells.height() - size.height()));
    return zoom;
}

} // namespace

ViewWidget::ViewWidget(ViewId id, QWidget* parent) : QWidget(parent), m_id(id)
{
    setMouseTracking(true);
    setFocusPolicy(Qt::StrongFocus);
    setMinimumSize(240, 200);
    setAttribute(Qt::WA_OpaquePaintEvent);
    setAccessibleName(kind().name + u" view"_qs);
    m_options.look.interactive = true;
}

void ViewWidget::setTrace(std::shared_ptr<const attn::Trace> trace,
                          std::shared_ptr<const std::vector<attn::HeadStats>> headStats)
{
    m_trace = std::move(trace);
    m_options.headStats = std::move(headStats);
    // Indices of another sentence mean nothing here; keep pins only while they exist.
    const int n = m_trace ? int(m_trace->queryCount()) : 0;
    const int keys = m_trace ? int(m_trace->keyCount()) : 0;
    Focus& focus = m_options.focus;
    focus.pinnedQueries.removeIf([n](int q) { return q >= n; });
    if (focus.hoverQuery >= n || focus.hoverKey >= keys)
        focus.hoverQuery = focus.hoverKey = -1;
    if (focus.selectedKey >= keys || focus.pinnedQueries.isEmpty())
        focus.selectedKey = -1;
    describeSelection();
    update();
}

void ViewWidget::setAppearance(const Appearance& look)
{
    m_options.look = look;
    m_options.look.interactive = true;
    update();
}

void ViewWidget::setFilter(const WeightFilter& filter)
{
    m_options.filter = filter;
    describeSelection();
    update();
}

void ViewWidget::setEmptyText(const QString& text)
{
    m_emptyText = text;
    describeSelection();
    update();
}

void ViewWidget::setFocusState(const Focus& focus)
{
    m_options.focus = focus;
    describeSelection();
    update();
}

void ViewWidget::changeFocus(const Focus& focus)
{
    if (focus == m_options.focus)
        return;
    m_options.focus = focus;
    describeSelection();
    update();
    emit focusStateChanged();
}

QRectF ViewWidget::selectionInSight(QSizeF room) const
{
    if (m_id != ViewId::Steps || !m_trace)
        return QRectF();
    return stepsSelectionInSight(computeStepsLayout(page(), *m_trace, m_options), room);
}

void ViewWidget::describeSelection()
{
    if (!m_trace) {
        setAccessibleDescription(m_emptyText);
        return;
    }
    Focus focus = m_options.focus;
    focus.hoverQuery = focus.hoverKey = -1; // what is selected, not what the pointer passes over
    // The steps always show a query and a key: the last token and its strongest key until chosen.
    const StepsSelection cell = m_id == ViewId::Steps ? stepsSelection(*m_trace, focus)
                                                      : StepsSelection{focus.head, focus.selectedQuery(), focus.selectedKey};
    setAccessibleDescription(selectionDescription(*m_trace, m_options.filter, cell.head, cell.query, cell.key));
}

void ViewWidget::paintPage(QPainter& painter, QRectF page) const
{
    if (!m_trace) {
        paintkit::paintEmptyPage(painter, page, m_options.look, m_emptyText);
        return;
    }
    kind().paint(painter, page, *m_trace, m_options);
}

bool ViewWidget::event(QEvent* event)
{
    if (event->type() != QEvent::ToolTip)
        return QWidget::event(event);
    const auto* help = static_cast<QHelpEvent*>(event);
    const QString text = toolTipAt(help->pos());
    if (text.isEmpty()) {
        QToolTip::hideText();
        event->ignore();
    } else {
        QToolTip::showText(help->globalPos(), text, this);
    }
    return true;
}

// The exact number under the point: a weight of a heatmap, a cell of the steps.
QString ViewWidget::toolTipAt(QPointF point) const
{
    if (!m_trace)
        return QString();
    switch (m_id) {
    case ViewId::Heads: {
        const HeadsLayout layout = layoutHeads(page(), *m_trace, m_options);
        const int head = headAt(layout, point);
        if (head < 0)
            return QString();
        const MatrixGeometry& matrix = layout.matrices[std::size_t(head)];
        const QPoint cell = matrix.cellAt(point);
        if (cell.y() < 0)
            return QString();
        const bool downsampled = matrix.cellWidth() < 1.0 || matrix.cellHeight() < 1.0;
        return weightToolTip(*m_trace, m_options, head, cell.y(), cell.x())
               + (downsampled ? u"\n(a pixel here shows the strongest of several cells; open the head to see each)"_qs
                              : QString());
    }
    case ViewId::HeadDetail: {
        const QPoint cell = layoutHeadDetail(page(), *m_trace, m_options).matrix.cellAt(point);
        return cell.y() >= 0 ? weightToolTip(*m_trace, m_options, detailHead(*m_trace, m_options), cell.y(), cell.x())
                             : QString();
    }
    case ViewId::Steps: return stepsCellToolTip(computeStepsLayout(page(), *m_trace, m_options), *m_trace, point);
    case ViewId::TokenLinks: return QString();
    }
    return QString();
}

void ViewWidget::paintEvent(QPaintEvent*)
{
    ++m_paints;
    QPainter painter(this);
    painter.setRenderHint(QPainter::Antialiasing);
    paintPage(painter, page());
    if (m_dragging) {
        painter.setPen(QPen(m_options.look.accent, 1, Qt::DashLine));
        painter.setBrush(Qt::NoBrush);
        painter.drawRect(QRectF(m_pressAt, m_dragTo).normalized());
    }
    // Where the arrow keys go, shown as every focused widget shows it; the screen's only, so
    // figures (which paint the page alone) have no frame.
    if (hasFocus()) {
        painter.setRenderHint(QPainter::Antialiasing, false);
        painter.setPen(QPen(palette().color(QPalette::Highlight), 2));
        painter.setBrush(Qt::NoBrush);
        painter.drawRect(QRectF(rect()).adjusted(1, 1, -1, -1));
    }
}

void ViewWidget::focusInEvent(QFocusEvent* event)
{
    QWidget::focusInEvent(event);
    update();
}

void ViewWidget::focusOutEvent(QFocusEvent* event)
{
    QWidget::focusOutEvent(event);
    update();
}

void ViewWidget::leaveEvent(QEvent*)
{
    Focus focus = m_options.focus;
    focus.hoverQuery = focus.hoverKey = -1;
    changeFocus(focus);
}

// The selected cell one step along: Up and Down the query, Left and Right the key, Page Up
// and Page Down the head, from the cell the steps show (the last token and its strongest
// key when nothing is pinned). Null for other keys.
std::optional<Focus> ViewWidget::focusMovedBy(int key) const
{
    if (!m_trace || m_trace->queryCount() == 0 || m_trace->keyCount() == 0)
        return std::nullopt;
    Focus focus = m_options.focus;
    focus.hoverQuery = focus.hoverKey = -1;
    StepsSelection cell = stepsSelection(*m_trace, focus);
    switch (key) {
    case Qt::Key_Up: --cell.query; break;
    case Qt::Key_Down: ++cell.query; break;
    case Qt::Key_Left: --cell.key; break;
    case Qt::Key_Right: ++cell.key; break;
    case Qt::Key_PageUp: --cell.head; break;
    case Qt::Key_PageDown: ++cell.head; break;
    default: return std::nullopt;
    }
    focus.pinnedQueries = {std::clamp(cell.query, 0, int(m_trace->queryCount()) - 1)};
    focus.selectedKey = std::clamp(cell.key, 0, int(m_trace->keyCount()) - 1);
    focus.head = std::clamp(cell.head, 0, m_trace->config.heads - 1);
    dropZoomThatHidesSelection(focus, m_options.focus.head);
    return focus;
}

std::optional<Focus> ViewWidget::focusChangedByGestureKey(int key) const
{
    if (!m_trace || m_trace->queryCount() == 0 || m_trace->keyCount() == 0)
        return std::nullopt;
    Focus focus = m_options.focus;
    if (m_id == ViewId::HeadDetail && (key == Qt::Key_Plus || key == Qt::Key_Equal || key == Qt::Key_Minus)) {
        focus.zoom = zoomedAround(focus, QSize(int(m_trace->keyCount()), int(m_trace->queryCount())), key != Qt::Key_Minus);
        return focus;
    }
    if (m_id == ViewId::TokenLinks && key == Qt::Key_S && m_trace->config.heads > 1) {
        toggleSolo(focus, std::clamp(focus.head, 0, m_trace->config.heads - 1), m_trace->config.heads);
        return focus;
    }
    return std::nullopt;
}

void ViewWidget::keyPressEvent(QKeyEvent* event)
{
    // Plain keys only: with Ctrl, Shift or Alt an arrow means something else to someone.
    const bool plain = (event->modifiers() & ~Qt::KeypadModifier) == Qt::NoModifier;
    if (const std::optional<Focus> moved = plain ? focusMovedBy(event->key()) : std::nullopt) {
        changeFocus(*moved);
        emit selectionMovedByKeys();
        return;
    }
    // + comes with Shift on many keyboards.
    const bool shifted = (event->modifiers() & ~(Qt::KeypadModifier | Qt::ShiftModifier)) == Qt::NoModifier;
    if (const std::optional<Focus> changed = shifted ? focusChangedByGestureKey(event->key()) : std::nullopt) {
        changeFocus(*changed);
        return;
    }
    // Enter opens the selected head, as a click on it does.
    if (m_id == ViewId::Heads && m_trace && (event->key() == Qt::Key_Return || event->key() == Qt::Key_Enter)) {
        emit headActivated(detailHead(*m_trace, m_options));
        return;
    }
    if (event->key() == Qt::Key_Escape) {
        Focus focus = m_options.focus;
        if (!focus.pinnedQueries.isEmpty()) {
            focus.pinnedQueries.clear();
            focus.selectedKey = -1;
        } else
            focus.zoom = QRect();
        changeFocus(focus);
        return;
    }
    QWidget::keyPressEvent(event);
}

void ViewWidget::hoverAt(QPointF point)
{
    if (!m_trace)
        return;
    Focus focus = m_options.focus;
    focus.hoverQuery = focus.hoverKey = -1;
    switch (m_id) {
    case ViewId::Heads: {
        const HeadsLayout layout = layoutHeads(page(), *m_trace, m_options);
        const int head = headAt(layout, point);
        if (head >= 0) {
            const QPoint cell = layout.matrices[std::size_t(head)].cellAt(point);
            focus.hoverKey = cell.x();
            focus.hoverQuery = cell.y() >= 0 ? cell.y() : queryNameAt(layout, point);
        }
        setCursor(head >= 0 ? Qt::PointingHandCursor : Qt::ArrowCursor);
        break;
    }
    case ViewId::HeadDetail: {
        const QPoint cell = layoutHeadDetail(page(), *m_trace, m_options).matrix.cellAt(point);
        focus.hoverKey = cell.x();
        focus.hoverQuery = cell.y();
        break;
    }
    case ViewId::TokenLinks: {
        const TokenLinksLayout layout = layoutTokenLinks(page(), *m_trace, m_options);
        focus.hoverQuery = indexAt(layout.queries, point);
        const bool clickable = focus.hoverQuery >= 0 || indexAt(layout.swatches, point) >= 0 || layout.unpin.contains(point);
        setCursor(clickable ? Qt::PointingHandCursor : Qt::ArrowCursor);
        break;
    }
    case ViewId::Steps: {
        const StepsHit hit = stepsHitAt(computeStepsLayout(page(), *m_trace, m_options), point);
        focus.hoverQuery = hit.query;
        focus.hoverKey = hit.key;
        setCursor(hit.query >= 0 || hit.key >= 0 ? Qt::PointingHandCursor : Qt::ArrowCursor);
        break;
    }
    }
    changeFocus(focus);
}

void ViewWidget::clickAt(QPointF point, Qt::KeyboardModifiers modifiers)
{
    if (!m_trace)
        return;
    m_beforeLastClick = m_options.focus;
    Focus focus = m_options.focus;
    const bool add = modifiers & (Qt::ControlModifier | Qt::ShiftModifier | Qt::MetaModifier);
    switch (m_id) {
    case ViewId::Heads: {
        const HeadsLayout layout = layoutHeads(page(), *m_trace, m_options);
        const int head = headAt(layout, point);
        if (head < 0)
            return;
        // A query's name is every head's in its row: it pins the query and opens the head
        // already selected (outlined), not the one beside the name.
        if (const int query = queryNameAt(layout, point); query >= 0) {
            focus.pinnedQueries = {query};
            focus.selectedKey = -1;
            dropZoomThatHidesSelection(focus, focus.head);
            changeFocus(focus);
            emit headActivated(focus.head);
            return;
        }
        // A cell selects its head, query and key everywhere; the header just the head.
        const QPoint cell = layout.matrices[std::size_t(head)].cellAt(point);
        focus.head = head;
        if (cell.y() >= 0) {
            focus.pinnedQueries = {cell.y()};
            focus.selectedKey = cell.x();
        }
        dropZoomThatHidesSelection(focus, m_options.focus.head);
        changeFocus(focus);
        emit headActivated(head);
        return;
    }
    case ViewId::HeadDetail: {
        const QPoint cell = layoutHeadDetail(page(), *m_trace, m_options).matrix.cellAt(point);
        if (cell.y() >= 0) {
            togglePin(focus.pinnedQueries, cell.y(), add);
            focus.selectedKey = focus.selectedQuery() == cell.y() ? cell.x() : -1;
        }
        break;
    }
    case ViewId::TokenLinks: {
        const TokenLinksLayout layout = layoutTokenLinks(page(), *m_trace, m_options);
        if (layout.unpin.contains(point)) {
            focus.pinnedQueries.clear();
        } else if (const int head = indexAt(layout.swatches, point); head >= 0) {
            if (!focus.hiddenHeads.removeOne(head))
                focus.hiddenHeads.append(head);
        } else if (const int query = indexAt(layout.queries, point); query >= 0) {
            togglePin(focus.pinnedQueries, query, add);
            focus.selectedKey = -1; // the steps pick the query's strongest key
        }
        break;
    }
    case ViewId::Steps: {
        const StepsLayout layout = computeStepsLayout(page(), *m_trace, m_options);
        const StepsHit hit = stepsHitAt(layout, point);
        if (hit.query >= 0) {
            focus.pinnedQueries = {hit.query};
            focus.selectedKey = hit.key;
        } else if (hit.key >= 0) {
            // A key's row (K, V): pair it with the query on show.
            focus.pinnedQueries = {layout.selection.query};
            focus.selectedKey = hit.key;
        }
        break;
    }
    }
    changeFocus(focus);
}

void ViewWidget::mouseMoveEvent(QMouseEvent* event)
{
    if (m_id == ViewId::HeadDetail && (event->buttons() & Qt::LeftButton)
        && (event->position() - m_pressAt).manhattanLength() > 6) {
        m_dragging = true;
        m_dragTo = event->position();
        update();
        return;
    }
    hoverAt(event->position());
}

void ViewWidget::mousePressEvent(QMouseEvent* event)
{
    setFocus(Qt::MouseFocusReason);
    if (event->button() == Qt::LeftButton)
        m_pressAt = m_dragTo = event->position();
}

void ViewWidget::mouseReleaseEvent(QMouseEvent* event)
{
    if (event->button() != Qt::LeftButton)
        return;
    if (m_skipRelease) {
        m_skipRelease = false;
        return;
    }
    if (m_dragging && m_trace) {
        // A drag over the head detail zooms into the cells it covers.
        m_dragging = false;
        const MatrixGeometry matrix = layoutHeadDetail(page(), *m_trace, m_options).matrix;
        const QRectF dragged = QRectF(m_pressAt, event->position()).normalized().intersected(matrix.rect);
        const QPoint from = matrix.cellAt(dragged.topLeft());
        const QPoint to = matrix.cellAt(dragged.bottomRight() - QPointF(0.01, 0.01));
        Focus focus = m_options.focus;
        if (from.x() >= 0 && to.x() >= 0)
            focus.zoom = QRect(from, to);
        changeFocus(focus);
        update();
        return;
    }
    clickAt(event->position(), event->modifiers());
}

void ViewWidget::mouseDoubleClickEvent(QMouseEvent* event)
{
    if (!m_trace)
        return;
    m_skipRelease = true;
    Focus focus = m_id == ViewId::TokenLinks ? m_beforeLastClick : m_options.focus;
    if (m_id == ViewId::HeadDetail) {
        focus.zoom = QRect(); // back to the whole matrix
    } else if (m_id == ViewId::TokenLinks) {
        const int head = indexAt(layoutTokenLinks(page(), *m_trace, m_options).swatches, event->position());
        if (head < 0)
            return;
        toggleSolo(focus, head, m_trace->config.heads); // a second double-click shows all again
    } else {
        return;
    }
    changeFocus(focus);
}
