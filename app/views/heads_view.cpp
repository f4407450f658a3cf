#include "heads_view.h"

#include "display_weights.h"
#include "paint_common.h"

#include <QFontMetricsF>

#include <algorithm>
#include <cmath>

namespace {

constexpr qreal tileGap = 10;
constexpr qreal barGap = 12; // between the grid and its colour bar
const QString viewName = u"all heads"_qs;

// The device pixels a matrix image gets: at most one per cell is drawn, so more cells
// than these are downsampled.
QSize matrixPixels(const QRectF& rect, qreal deviceScale)
{
    return QSize(std::max(1, int(rect.width() * deviceScale)), std::max(1, int(rect.height() * deviceScale)));
}

qreal headerHeight(const ViewOptions& options)
{
    return QFontMetricsF(options.look.font).height() + 2;
}

// A square cell's side along one axis, stretched to a line of label type where the room
// allows and the cell stays within half again as long as it is wide: every token named
// on that axis rather than every second one, with the grid's shape still plain.
qreal stretchedToLabels(qreal cell, qreal room, qreal labelLine)
{
    return cell < labelLine && labelLine <= std::min(room, 1.5 * cell) ? labelLine : cell;
}

// Matrices laid out in the best grid, the one with the largest cells. The axes are shared,
// as in any grid of small multiples: query names left of the first column only, key names
// under the lowest heatmap of each column only, so that the heatmaps, not their labels,
// take the room.
HeadsLayout gridFor(QRectF area, int heads, QRect cells, qreal left, qreal bottom, const ViewOptions& options)
{
    HeadsLayout best;
    qreal bestCell = -1;
    const qreal header = headerHeight(options);
    const qreal labelLine = QFontMetricsF(options.look.font).height();
    for (int columns = 1; columns <= heads; ++columns) {
        const int rows = (heads + columns - 1) / columns;
        const qreal matrixWidth = (area.width() - left - (columns - 1) * tileGap) / columns;
        const qreal matrixHeight = (area.height() - bottom - (rows - 1) * tileGap) / rows - header;
        if (matrixWidth <= 0 || matrixHeight <= 0)
            continue;
        const qreal cell = std::min(matrixWidth / cells.width(), matrixHeight / cells.height());
        if (cell <= bestCell)
            continue;
        bestCell = cell;
        best = HeadsLayout{};
        best.columns = columns;
        const bool labelled = left > 0;
        const qreal cellWidth = labelled ? stretchedToLabels(cell, matrixWidth / cells.width(), labelLine) : cell;
        const qreal cellHeight = labelled ? stretchedToLabels(cell, matrixHeight / cells.height(), labelLine) : cell;
        // Packed from the top left, so the grid reads as one figure rather than spread
        // over the page.
        const qreal width = cellWidth * cells.width(), height = cellHeight * cells.height();
        for (int head = 0; head < heads; ++head) {
            const int column = head % columns, row = head / columns;
            const QRectF matrix(area.left() + left + column * (width + tileGap),
                                area.top() + row * (header + height + tileGap) + header, width, height);
            best.matrices.push_back(MatrixGeometry{matrix, cells});
            best.tiles.push_back(matrix.adjusted(column == 0 ? -left : 0, -header, 0, 0));
        }
    }
    best.leftSpace = left;
    best.bottomSpace = bottom;
    return best;
}

// `labels`: the room the token names want (paintkit::labelExtent), measured once for both
// of withFootnoteRoom's layouts.
HeadsLayout layoutHeadsWith(QRectF page, const attn::Trace& trace, const ViewOptions& options, qreal footHeight,
                            qreal labels)
{
    const DisplayWeights weights(trace, options.filter);
    QRectF area = paintkit::pageContent(page, trace, options, viewName);
    HeadsLayout layout;
    layout.footnote = QRectF(area.left(), area.bottom() - footHeight, area.width(), footHeight);
    if (weights.isEmpty())
        return layout;
    area.setBottom(area.bottom() - footHeight);
    const qreal barWidth = paintkit::colorBarWidth(options);
    layout.colorBar = QRectF(area.right() - barWidth, area.top(), barWidth, std::min<qreal>(area.height(), 320));
    area.setRight(area.right() - barWidth - barGap);

    const QRect cells = visibleCells(weights, QRect());
    HeadsLayout withLabels = gridFor(area, weights.heads(), cells, labels, labels, options);
    // Labels only where cells are big enough to read a few of them against.
    const bool keepLabels = !withLabels.matrices.empty() && withLabels.matrices.front().cellHeight() >= 4;
    HeadsLayout grid = keepLabels ? withLabels : gridFor(area, weights.heads(), cells, 0, 0, options);
    grid.colorBar = layout.colorBar;
    qreal gridRight = area.left();
    for (const QRectF& tile : grid.tiles)
        gridRight = std::max(gridRight, tile.right());
    grid.colorBar.moveLeft(gridRight + barGap); // beside the grid it explains
    grid.footnote = layout.footnote;
    grid.masked = paintkit::hasMaskedCells(trace);
    grid.empty = grid.matrices.empty();
    return grid;
}

} // namespace

HeadsLayout layoutHeads(QRectF page, const attn::Trace& trace, const ViewOptions& options)
{
    const qreal labels = paintkit::labelExtent(QFontMetricsF(options.look.font), trace,
                                               visibleCells(DisplayWeights(trace, options.filter), QRect()), 12);
    return paintkit::withFootnoteRoom(
        paintkit::pageContent(page, trace, options, viewName).width(), options,
        [&](qreal footHeight) { return layoutHeadsWith(page, trace, options, footHeight, labels); },
        // Scale 1 downsamples most: the longest note.
        [&](const HeadsLayout& layout) { return QStringList{headsFootnote(layout, options, 1.0)}; });
}

void paintHeads(QPainter& painter, QRectF page, const attn::Trace& trace, const ViewOptions& options)
{
    const QRectF area = paintkit::beginPage(painter, page, trace, options, viewName);
    const HeadsLayout layout = layoutHeads(page, trace, options);
    if (layout.empty) {
        paintkit::paintHint(painter, area,
                            options,
                            trace.queryCount() == 0 ? u"Type a sentence to see how each head attends."_qs
                                                    : QString());
        return;
    }
    const DisplayWeights weights(trace, options.filter);
    const qreal deviceScale = std::max<qreal>(1.0, painter.deviceTransform().m11());

    std::vector<CellBlocks> blocks;
    blocks.reserve(layout.matrices.size());
    float vmax = 0.f;
    for (int head = 0; head < int(layout.matrices.size()); ++head) {
        const MatrixGeometry& matrix = layout.matrices[std::size_t(head)];
        blocks.push_back(blockMaxima(weights, head, matrix.cells, matrixPixels(matrix.rect, deviceScale)));
        vmax = std::max(vmax, blocks.back().max);
    }
    vmax = paintkit::colorScaleTop(vmax, options);

    const ColorMap map = paintkit::weightColors(options.look);
    QFont headerFont = options.look.font;
    headerFont.setBold(true);
    const QFontMetricsF headerMetrics(headerFont);
    // "head 12" over every heatmap, or "12" over every one where a small heatmap (64 heads)
    // has no room for the word: one form in a figure.
    const auto title = [](int head) -> QString { return u"head "_qs + QString::number(head + 1); };
    bool words = true;
    for (int head = 0; head < int(layout.matrices.size()); ++head)
        words = words && headerMetrics.horizontalAdvance(title(head)) <= layout.matrices[std::size_t(head)].rect.width();
    for (int head = 0; head < int(layout.matrices.size()); ++head) {
        const MatrixGeometry& matrix = layout.matrices[std::size_t(head)];
        painter.setFont(headerFont);
        // On screen the selected head (the detail's, the steps') is named in the accent colour.
        const bool selected = options.look.interactive && head == options.focus.head && layout.matrices.size() > 1;
        painter.setPen(selected ? options.look.accent : options.look.foreground);
        painter.drawText(QRectF(matrix.rect.left(), matrix.rect.top() - headerHeight(options), matrix.rect.width(),
                                headerHeight(options)),
                         Qt::AlignLeft | Qt::AlignVCenter,
                         // Cut with an ellipsis where even the number has no room: "10" clipped read "1".
                         headerMetrics.elidedText(words ? title(head) : QString::number(head + 1), Qt::ElideRight,
                                                  matrix.rect.width()));
        paintkit::paintHeatmap(painter, matrix.rect, blocksImage(blocks[std::size_t(head)], vmax, map), options.look);
        paintkit::paintMaskedCells(painter, matrix, trace, options.look);
        paintkit::paintAxisLabels(painter, matrix, trace, options, layout.namesQueries(head) ? layout.leftSpace : 0,
                                  layout.namesKeys(head) ? layout.bottomSpace : 0);
        paintkit::paintFocus(painter, matrix, options);
    }
    paintkit::paintColorBar(painter, layout.colorBar, vmax, options);

    paintkit::paintFootnote(painter, layout.footnote, options, headsFootnote(layout, options, deviceScale));
}

QString headsFootnote(const HeadsLayout& layout, const ViewOptions& options, qreal deviceScale)
{
    QString note;
    bool downsampled = false;
    if (!layout.matrices.empty()) {
        const MatrixGeometry& first = layout.matrices.front();
        const QSize steps = blockSteps(first.cells, matrixPixels(first.rect, deviceScale));
        downsampled = steps != QSize(1, 1);
        if (downsampled)
            note += u"Downsampled: a pixel shows the strongest of up to "_qs + QString::number(steps.width()) + u" × "_qs
                    + QString::number(steps.height()) + u" cells"_qs
                    + (options.look.interactive ? u" (open a head to zoom in)."_qs : u"."_qs);
    }
    if (!layout.matrices.empty())
        if (const QString labels = paintkit::labelsNote(layout.matrices.front(), options, layout.leftSpace, layout.bottomSpace);
            !labels.isEmpty())
            note += u"  "_qs + labels;
    // Names were left out where the cells are too small to read them against: say so (a
    // downsampled figure says it already).
    if (!layout.matrices.empty() && layout.leftSpace <= 0 && !downsampled)
        note += u"  Too small for token names"_qs + (options.look.interactive ? u": open a head to read them."_qs : u"."_qs);
    if (layout.masked)
        note += u"  "_qs + paintkit::maskedCellsNote();
    if (const QString filter = paintkit::filterNote(options.filter); !filter.isEmpty())
        note += u"  "_qs + filter;
    // Last: where the line is cut short, the notes before it matter more.
    return QString(note + u"  Queries down, keys across."_qs).trimmed();
}

QSize headsPageSize(QSize most, const attn::Trace& trace, const ViewOptions& options)
{
    const HeadsLayout layout = layoutHeads(QRectF(QPointF(0, 0), QSizeF(most)), trace, options);
    if (layout.empty)
        return most;
    const auto usedBy = [](const HeadsLayout& laid) {
        QRectF used = laid.colorBar;
        for (const QRectF& tile : laid.tiles)
            used |= tile.adjusted(0, 0, tileGap, laid.bottomSpace + tileGap); // key labels below; each tile's gap
        return used;
    };
    const QString note = headsFootnote(layout, options, 1.0); // scale 1 downsamples most: the longest note
    const qreal footnote = note.isEmpty() ? 0.0 : paintkit::pageWidthForLine(options.look.font, note);
    const qreal figure = std::max(usedBy(layout).right() + 8, footnote);
    qreal width = std::max(figure, paintkit::titledPageWidth(trace, options, viewName, figure, most.width()));
    HeadsLayout fitted = layoutHeads(QRectF(0, 0, width, most.height()), trace, options);
    // A title on two lines takes its second from the heads' height: where the heads lose
    // labels by it (every other one named), the title keeps one line on a wider page.
    if (fitted.matrices.size() != layout.matrices.size() || headsFootnote(fitted, options, 1.0) != note) {
        width = std::max(figure, paintkit::titledPageWidth(trace, options, viewName, most.width(), most.width()));
        fitted = layoutHeads(QRectF(0, 0, width, most.height()), trace, options);
    }
    const qreal height = usedBy(fitted).bottom() + fitted.footnote.height() + 6;
    return QSize(std::min(most.width(), int(std::ceil(width))), std::min(most.height(), int(std::ceil(height))));
}

int headAt(const HeadsLayout& layout, QPointF point)
{
    for (std::size_t head = 0; head < layout.tiles.size(); ++head)
        if (layout.tiles[head].contains(point))
            return int(head);
    return -1;
}

int queryNameAt(const HeadsLayout& layout, QPointF point)
{
    const int head = headAt(layout, point);
    if (head < 0 || !layout.namesQueries(head))
        return -1;
    const MatrixGeometry& matrix = layout.matrices[std::size_t(head)];
    return point.x() < matrix.rect.left() ? matrix.queryAtHeight(point.y()) : -1;
}
