#include "model_view_widget.h"

#include "model_grid_view.h"
#include "model_selection_description.h"
#include "paint_common.h"
#include "rollout_view.h"

#include <QMouseEvent>
#include <QPainter>

ModelViewWidget::ModelViewWidget(ModelViewId id, QWidget* parent) : QWidget(parent), m_id(id)
{
    setMouseTracking(true);
    setMinimumSize(240, 200);
    setAttribute(Qt::WA_OpaquePaintEvent);
    setAccessibleName(kind().name + u" view"_qs);
    m_options.look.interactive = true;
    describeSelection();
}

void ModelViewWidget::setResult(ModelResultPtr result)
{
    m_result = std::move(result);
    const int n = m_result ? m_result->tokens() : 0;
    if (m_options.focus.hoverQuery >= n)
        m_options.focus.hoverQuery = m_options.focus.hoverKey = -1;
    describeSelection();
    update();
}

void ModelViewWidget::describeSelection()
{
    static const ModelResult none;
    setAccessibleDescription(modelSelectionDescription(m_id, m_result ? *m_result : none, m_focus));
}

void ModelViewWidget::setAppearance(const Appearance& look)
{
    m_options.look = look;
    m_options.look.interactive = true;
    update();
}

void ModelViewWidget::setFilter(const WeightFilter& filter)
{
    m_options.filter = filter;
    update();
}

void ModelViewWidget::setModelFocus(const ModelFocus& focus)
{
    ModelFocus next = focus;
    next.hoverLayer = m_focus.hoverLayer;
    next.hoverHead = m_focus.hoverHead;
    if (next == m_focus)
        return;
    m_focus = next;
    describeSelection();
    update();
}

void ModelViewWidget::setEmptyText(const QString& text)
{
    m_emptyText = text;
    update();
}

void ModelViewWidget::paintPage(QPainter& painter, QRectF page) const
{
    if (!m_result && !m_emptyText.isEmpty()) {
        paintkit::paintEmptyPage(painter, page, m_options.look, m_emptyText);
        return;
    }
    static const ModelResult none;
    kind().paint(painter, page, m_result ? *m_result : none, m_options, m_focus);
}

QPointF ModelViewWidget::thumbnailCenter(int layer, int head) const
{
    if (!m_result || m_id != ModelViewId::Grid)
        return QPointF();
    for (const ModelGridTile& slot : layoutModelGrid(page(), *m_result, m_options, m_focus).tiles)
        if (slot.layer == layer && slot.head == head)
            return slot.thumb.center();
    return QPointF();
}

void ModelViewWidget::paintEvent(QPaintEvent*)
{
    QPainter painter(this);
    painter.setRenderHint(QPainter::Antialiasing);
    paintPage(painter, page());
}

void ModelViewWidget::leaveEvent(QEvent*)
{
    m_focus.hoverLayer = m_focus.hoverHead = -1;
    m_options.focus.hoverQuery = m_options.focus.hoverKey = -1;
    update();
}

void ModelViewWidget::mouseMoveEvent(QMouseEvent* event)
{
    if (!m_result)
        return;
    if (m_id == ModelViewId::Grid) {
        const ModelGridLayout layout = layoutModelGrid(page(), *m_result, m_options, m_focus);
        const int slot = modelGridTileAt(layout, event->position());
        const int layer = slot >= 0 ? layout.tiles[std::size_t(slot)].layer : -1;
        const int head = slot >= 0 ? layout.tiles[std::size_t(slot)].head : -1;
        setCursor(slot >= 0 ? Qt::PointingHandCursor : Qt::ArrowCursor);
        setToolTip(slot >= 0 ? u"Layer "_qs + QString::number(layer + 1) + u", head "_qs + QString::number(head + 1)
                                   + u": click to open it in the other views"_qs
                             : QString());
        if (layer != m_focus.hoverLayer || head != m_focus.hoverHead) {
            m_focus.hoverLayer = layer;
            m_focus.hoverHead = head;
            update();
        }
    } else if (m_id == ModelViewId::Rollout) {
        const QPoint cell = layoutRollout(page(), *m_result, m_options, m_focus).matrix.cellAt(event->position());
        if (cell.y() != m_options.focus.hoverQuery || cell.x() != m_options.focus.hoverKey) {
            m_options.focus.hoverKey = cell.x();
            m_options.focus.hoverQuery = cell.y();
            update();
        }
    }
}

void ModelViewWidget::mouseReleaseEvent(QMouseEvent* event)
{
    if (!m_result || event->button() != Qt::LeftButton || m_id != ModelViewId::Grid)
        return;
    const ModelGridLayout layout = layoutModelGrid(page(), *m_result, m_options, m_focus);
    const int slot = modelGridTileAt(layout, event->position());
    if (slot < 0)
        return;
    const ModelGridTile& hit = layout.tiles[std::size_t(slot)];
    m_focus.layer = hit.layer;
    m_focus.head = hit.head;
    update();
    emit headActivated(hit.layer, hit.head);
}
