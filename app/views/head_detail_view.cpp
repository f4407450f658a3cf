#include "head_detail_view.h"

#include "display_weights.h"
#include "paint_common.h"

#include <QFontMetricsF>

#include <algorithm>
#include <numeric>

namespace {

constexpr int infoLines = 3;

QString viewName(int head)
{
    return u"head "_qs + QString::number(head + 1);
}

// "cat 0.31 · mouse 0.12 · …": the keys of one row that the view draws strongest, each
// with the trace's weight (a hidden first token renormalises what is drawn, not what is said).
QString strongestKeys(const attn::Trace& trace, const DisplayWeights& weights, int head, int query, int count)
{
    const std::vector<float> drawn = weights.row(head, query);
    std::vector<int> order(drawn.size());
    std::iota(order.begin(), order.end(), 0);
    const int shown = std::min<int>(count, int(order.size()));
    std::partial_sort(order.begin(), order.begin() + shown, order.end(),
                      [&](int a, int b) { return drawn[std::size_t(a)] > drawn[std::size_t(b)]; });
    QStringList parts;
    for (int i = 0; i < shown; ++i) {
        const int key = order[std::size_t(i)];
        if (drawn[std::size_t(key)] > 0.f)
            parts << paintkit::isolated(paintkit::tokenText(trace, key, true)) + u' '
                         + paintkit::weightText(trace.weights.at(std::size_t(head), std::size_t(query), std::size_t(key)));
    }
    return parts.join(u"  ·  "_qs);
}

} // namespace

int detailHead(const attn::Trace& trace, const ViewOptions& options)
{
    return std::clamp(options.focus.head, 0, std::max(0, trace.config.heads - 1));
}

QStringList headDetailFacts(const attn::Trace& trace, const ViewOptions& options)
{
    const DisplayWeights weights(trace, options.filter);
    const int head = detailHead(trace, options);
    const Focus& focus = options.focus;
    QStringList lines;
    // The hovered cell, else the selected one (clicked, or reached with the arrow keys).
    const int cellQuery = focus.hasHover() ? focus.hoverQuery : focus.selectedQuery();
    const int cellKey = focus.hasHover() ? focus.hoverKey : focus.selectedKey;
    if (cellQuery >= 0 && cellQuery < weights.queries() && cellKey >= 0 && cellKey < weights.keys())
        lines << u"query "_qs + paintkit::quoted(paintkit::tokenText(trace, cellQuery, false)) + u" (#"_qs
                     + QString::number(cellQuery + 1) + u") → key "_qs
                     + paintkit::quoted(paintkit::tokenText(trace, cellKey, true)) + u" (#"_qs
                     + QString::number(cellKey + 1) + u"): "_qs
                     + weightFacts(trace, options.filter, head, cellQuery, cellKey).join(u", "_qs);
    for (int query : focus.pinnedQueries)
        if (query >= 0 && query < weights.queries())
            lines << u"pinned "_qs + paintkit::quoted(paintkit::tokenText(trace, query, false)) + u": "_qs
                         + strongestKeys(trace, weights, head, query, 5);
    return lines;
}

HeadDetailLayout layoutHeadDetail(QRectF page, const attn::Trace& trace, const ViewOptions& options)
{
    HeadDetailLayout layout;
    const DisplayWeights weights(trace, options.filter);
    QRectF area = paintkit::pageContent(page, trace, options, viewName(detailHead(trace, options)));
    const QFontMetricsF metrics(options.look.font);
    const qreal infoHeight = infoLines * (metrics.height() + 2);
    layout.info = QRectF(area.left(), area.bottom() - infoHeight, area.width(), infoHeight);
    if (weights.isEmpty())
        return layout;
    area.setBottom(layout.info.top() - 6);
    const qreal barWidth = paintkit::colorBarWidth(options);
    layout.colorBar = QRectF(area.right() - barWidth, area.top(), barWidth, std::min<qreal>(area.height(), 360));
    area.setRight(area.right() - barWidth - 8);

    const QRect cells = visibleCells(weights, options.focus.zoom);
    // Names cut shorter on a small page (a column of a paper) rather than the heatmap: a
    // 2,000-token text once left it 24 pixels of a 320 x 240 page.
    layout.leftSpace = layout.bottomSpace =
        std::min(paintkit::labelExtent(metrics, trace, cells, 17), std::min(area.width(), area.height()) / 3);
    const qreal width = area.width() - layout.leftSpace;
    const qreal height = area.height() - layout.bottomSpace;
    if (width <= 4 || height <= 4)
        return layout;
    const qreal cell = std::min(width / cells.width(), height / cells.height());
    layout.matrix = MatrixGeometry{QRectF(area.left() + layout.leftSpace, area.top(), cell * cells.width(), cell * cells.height()),
                                   cells};
    layout.colorBar.moveLeft(layout.matrix.rect.right() + 12); // beside the matrix it explains
    layout.empty = false;
    return layout;
}

void paintHeadDetail(QPainter& painter, QRectF page, const attn::Trace& trace, const ViewOptions& options)
{
    const int head = detailHead(trace, options);
    const QRectF area = paintkit::beginPage(painter, page, trace, options, viewName(head));
    const HeadDetailLayout layout = layoutHeadDetail(page, trace, options);
    if (layout.empty) {
        paintkit::paintHint(painter, area, options,
                            trace.queryCount() == 0 ? u"Type a sentence to see how this head attends."_qs
                                                    : QString());
        return;
    }
    const DisplayWeights weights(trace, options.filter);
    const qreal deviceScale = std::max<qreal>(1.0, painter.deviceTransform().m11());
    const MatrixGeometry& matrix = layout.matrix;
    const QSize pixels(std::max(1, int(matrix.rect.width() * deviceScale)), std::max(1, int(matrix.rect.height() * deviceScale)));
    const CellBlocks blocks = blockMaxima(weights, head, matrix.cells, pixels);
    const float vmax = paintkit::colorScaleTop(blocks.max, options);
    paintkit::paintHeatmap(painter, matrix.rect, blocksImage(blocks, vmax, paintkit::weightColors(options.look)), options.look);
    paintkit::paintMaskedCells(painter, matrix, trace, options.look);
    paintkit::paintAxisLabels(painter, matrix, trace, options, layout.leftSpace, layout.bottomSpace);
    paintkit::paintFocus(painter, matrix, options);
    paintkit::paintColorBar(painter, layout.colorBar, vmax, options);

    const QStringList lines = headDetailFacts(trace, options).mid(0, infoLines - 1); // a line at least for the notes
    const Focus& focus = options.focus;
    QStringList notes;
    if (blocks.downsampled())
        notes << u"Downsampled: each pixel shows the strongest of up to "_qs + QString::number(blocks.stepX) + u" × "_qs
                     + QString::number(blocks.stepY) + u" cells"_qs
                     + (options.look.interactive ? u"; drag over a region to zoom in."_qs : u"."_qs);
    if (!focus.zoom.isNull())
        notes << u"Zoomed to queries "_qs + QString::number(matrix.cells.top() + 1) + u"–"_qs
                     + QString::number(matrix.cells.bottom() + 1) + u", keys "_qs + QString::number(matrix.cells.left() + 1)
                     + u"–"_qs + QString::number(matrix.cells.right() + 1) + u"."_qs;
    if (const QString labels = paintkit::labelsNote(matrix, options, layout.leftSpace, layout.bottomSpace); !labels.isEmpty())
        notes << labels;
    if (paintkit::hasMaskedCells(trace))
        notes << paintkit::maskedCellsNote();
    if (const QString filter = paintkit::filterNote(options.filter); !filter.isEmpty())
        notes << filter;
    if (lines.isEmpty() && options.look.interactive)
        notes << u"Hover a cell for its weight; click a row to pin it."_qs;
    notes << u"Queries down, keys across."_qs; // last: where the line is cut short, the other notes matter more

    // The facts from the top of the box, the notes wrapped onto the lines they leave.
    const QFontMetricsF metrics(options.look.font);
    painter.setFont(options.look.font);
    painter.setPen(options.look.foreground);
    qreal y = layout.info.top();
    for (const QString& line : lines) {
        painter.drawText(QRectF(layout.info.left(), y, layout.info.width(), metrics.height()), Qt::AlignLeft | Qt::AlignVCenter,
                         metrics.elidedText(line, Qt::ElideRight, layout.info.width()));
        y += metrics.height() + 2;
    }
    paintkit::paintFootnote(painter, QRectF(layout.info.left(), y, layout.info.width(), layout.info.bottom() - y), options,
                            notes.join(u"  "_qs));
}
