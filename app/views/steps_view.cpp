#include "steps_view.h"

#include "colormap.h"
#include "diverging_colormap.h"
#include "paint_common.h"

#include <QFontMetricsF>
#include <QImage>

#include <cmath>

namespace {

QColor cellColor(const StepMatrix& m, const StepCell& cell, const ColorMap& map)
{
    if (m.diverging)
        return divergingColor(double(cell.value), double(m.range));
    return map.color(m.range > 0.f ? cell.value / m.range : 0.f);
}

// Black on light cells, white on dark ones.
QColor inkOn(const QColor& fill)
{
    const double luminance = 0.2126 * fill.redF() + 0.7152 * fill.greenF() + 0.0722 * fill.blueF();
    return luminance > 0.5 ? QColor(20, 20, 20) : QColor(250, 250, 250);
}

void paintCells(QPainter& painter, const StepMatrix& m, const ViewOptions& options)
{
    const ColorMap map = paintkit::weightColors(options.look);
    const QColor maskedFill = options.look.isDark() ? QColor(70, 70, 70) : QColor(200, 200, 200);
    const QFont font = stepsCellFont(options);
    painter.save();
    painter.setFont(font);
    painter.setPen(Qt::NoPen);
    for (const StepCell& cell : m.cells) {
        if (cell.masked) {
            painter.fillRect(cell.rect, maskedFill);
            painter.fillRect(cell.rect, QBrush(options.look.muted, Qt::BDiagPattern));
        } else {
            painter.fillRect(cell.rect, cellColor(m, cell, map));
        }
    }
    if (m.numbers) {
        for (const StepCell& cell : m.cells) {
            const QColor fill = cell.masked ? maskedFill : cellColor(m, cell, map);
            painter.setPen(inkOn(fill));
            painter.drawText(cell.rect, Qt::AlignCenter, stepsNumberText(cell.value, m.decimals));
        }
    }
    painter.restore();
}

QRectF rowRect(const StepMatrix& m, int row)
{
    const qreal height = m.rect.height() / std::max(1, m.shown.height());
    return QRectF(m.rect.left(), m.rect.top() + (row - m.shown.top()) * height, m.rect.width(), height);
}

QRectF columnsRect(const StepMatrix& m, int first, int last)
{
    const qreal width = m.rect.width() / std::max(1, m.shown.width());
    first = std::max(first, m.shown.left());
    last = std::min(last, m.shown.right());
    return QRectF(m.rect.left() + (first - m.shown.left()) * width, m.rect.top(), (last - first + 1) * width,
                  m.rect.height());
}

void paintHighlights(QPainter& painter, const StepMatrix& m, const ViewOptions& options)
{
    painter.save();
    painter.setBrush(Qt::NoBrush);
    painter.setPen(QPen(options.look.muted, 1));
    painter.drawRect(m.rect);
    painter.restore();
    const auto rowShown = [&](int r) { return r >= m.shown.top() && r <= m.shown.bottom(); };
    const auto columnShown = [&](int c) { return c >= m.shown.left() && c <= m.shown.right(); };
    const qreal line = options.look.lineScale;
    std::vector<paintkit::Mark> marks;
    if (m.highlightFirstColumn >= 0 && m.highlightFirstColumn <= m.shown.right() && m.highlightLastColumn >= m.shown.left())
        marks.push_back({columnsRect(m, m.highlightFirstColumn, m.highlightLastColumn),
                         QPen(options.look.foreground, 1.5 * line, Qt::DashLine)});
    if (m.highlightColumn >= 0 && columnShown(m.highlightColumn))
        marks.push_back({columnsRect(m, m.highlightColumn, m.highlightColumn), QPen(options.look.accent, 1.5 * line, Qt::DashLine)});
    // The query's row is solid everywhere; a key's row (K, V) is dashed.
    if (m.highlightRow >= 0 && rowShown(m.highlightRow))
        marks.push_back({rowRect(m, m.highlightRow), QPen(options.look.accent, 2.5 * line, m.keyRows ? Qt::DashLine : Qt::SolidLine)});
    if (m.highlightRow >= 0 && m.highlightColumn >= 0 && rowShown(m.highlightRow) && columnShown(m.highlightColumn))
        marks.push_back({rowRect(m, m.highlightRow).intersected(columnsRect(m, m.highlightColumn, m.highlightColumn)),
                         QPen(options.look.foreground, 2.5 * line)});
    paintkit::paintMarks(painter, marks, options.look);
}

void paintLegend(QPainter& painter, const StepMatrix& m, const ViewOptions& options)
{
    if (m.legendBar.isEmpty())
        return;
    const ColorMap map = paintkit::weightColors(options.look);
    QImage ramp(64, 1, QImage::Format_RGB32);
    for (int x = 0; x < ramp.width(); ++x) {
        const double t = double(x) / (ramp.width() - 1);
        ramp.setPixel(x, 0, m.diverging ? divergingColor(2 * t - 1, 1.0).rgb() : map.rgb(float(t)));
    }
    paintkit::paintMatrixImage(painter, m.legendBar, ramp.scaled(int(std::ceil(m.legendBar.width())), 1));
    painter.save();
    painter.setPen(QPen(options.look.muted, 1));
    painter.setBrush(Qt::NoBrush);
    painter.drawRect(m.legendBar);
    if (m.diverging) { // zero in the middle
        const qreal middle = m.legendBar.center().x();
        painter.drawLine(QPointF(middle, m.legendBar.top() - 2), QPointF(middle, m.legendBar.bottom() + 2));
    }
    painter.restore();
}

void paintText(QPainter& painter, const StepText& text, const ViewOptions& options)
{
    QFont font = options.look.font;
    QColor color = options.look.foreground;
    switch (text.style) {
    case StepText::Style::Normal: break;
    case StepText::Style::Caption: font.setBold(true); break;
    case StepText::Style::Muted: color = options.look.muted; break;
    case StepText::Style::Accent:
        color = options.look.accent;
        font.setBold(true);
        break;
    case StepText::Style::Arrow: color = options.look.muted; break;
    case StepText::Style::Note:
        font = stepsNoteFont(options);
        color = options.look.muted;
        break;
    case StepText::Style::AccentNote:
        font = stepsNoteFont(options);
        font.setBold(true);
        color = options.look.accent;
        break;
    }
    painter.setFont(font);
    painter.setPen(color);
    painter.drawText(text.rect, text.align, text.text);
}

} // namespace

void paintStepsLayout(QPainter& painter, const StepsLayout& layout, const ViewOptions& options)
{
    painter.save();
    for (const StepMatrix& m : layout.matrices) {
        paintCells(painter, m, options);
        paintHighlights(painter, m, options);
        paintLegend(painter, m, options);
    }
    for (const StepText& text : layout.texts)
        paintText(painter, text, options);
    painter.restore();
}

void paintSteps(QPainter& painter, QRectF page, const attn::Trace& trace, const ViewOptions& options)
{
    const QRectF area = paintkit::beginPage(painter, page, trace, options, stepsViewName);
    const StepsLayout layout = computeStepsLayout(page, trace, options);
    if (!layout.hint.isEmpty()) {
        paintkit::paintHint(painter, area, options, layout.hint);
        return;
    }
    paintStepsLayout(painter, layout, options);
}

StepsHit stepsHitAt(const StepsLayout& layout, QPointF point)
{
    for (const StepMatrix& m : layout.matrices) {
        if (!m.rect.contains(point) || m.id == StepId::Pair)
            continue;
        for (const StepCell& cell : m.cells) {
            if (!cell.rect.contains(point))
                continue;
            if (stepsColumnsAreKeys(m.id))
                return {cell.row, cell.column};
            return m.keyRows ? StepsHit{-1, cell.row} : StepsHit{cell.row, -1};
        }
    }
    return {};
}

QRectF stepsSelectionInSight(const StepsLayout& layout, QSizeF room)
{
    const StepMatrix* weights = layout.matrix(StepId::Weights);
    if (!weights)
        return QRectF();
    QRectF row, cell;
    for (const StepCell& c : weights->cells)
        if (c.row == weights->highlightRow) {
            row |= c.rect;
            if (c.column == weights->highlightColumn)
                cell = c.rect;
        }
    const StepMatrix* pair = layout.matrix(StepId::Pair);
    for (const QRectF& area : {pair ? row | pair->rect : row, row}) {
        // From the page's left edge where that fits too: the title and the query names
        // stayed scrolled out of sight once the selection had moved right.
        const QRectF fromLeft(QPointF(0, area.top()), area.bottomRight());
        for (const QRectF& candidate : {fromLeft, area})
            if (candidate.width() <= room.width() && candidate.height() <= room.height())
                return candidate;
    }
    return cell;
}

QString stepsCellToolTip(const StepsLayout& layout, const attn::Trace& trace, QPointF point)
{
    for (const StepMatrix& m : layout.matrices) {
        if (!m.rect.contains(point))
            continue;
        for (const StepCell& cell : m.cells) {
            if (!cell.rect.contains(point))
                continue;
            const QString row = m.id == StepId::Pair ? stepsPairRowName(cell.row)
                                                     : u"row "_qs + QString::number(cell.row + 1) + u' '
                                                           + paintkit::quoted(paintkit::tokenText(trace, cell.row, m.keyRows));
            QString column = u"column "_qs + QString::number(cell.column + 1);
            if (stepsColumnsAreKeys(m.id))
                column += u' ' + paintkit::quoted(paintkit::tokenText(trace, cell.column, true));
            // The mask step's −∞, the weights' 0: the cell's own number, and why.
            const QString number = std::isinf(cell.value) ? u"−∞"_qs : paintkit::exactText(cell.value);
            const QString value = cell.masked ? number + u" (the causal mask hides this key)"_qs : number;
            return m.caption + u"\n"_qs + row + u", "_qs + column + u": "_qs + value;
        }
    }
    return QString();
}
