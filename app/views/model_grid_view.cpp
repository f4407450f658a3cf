#include "model_grid_view.h"

#include "display_weights.h"
#include "heatmap.h"
#include "model_page.h"
#include "paint_common.h"

#include <attn/head_stats.h>

#include <QFontMetricsF>

#include <algorithm>
#include <cmath>

namespace {

constexpr qreal gap = 4;
const QString viewName = u"all layers and heads"_qs;

std::vector<HeadMatch> matchesFor(const ModelResult& result, const ModelFocus& focus)
{
    return searchHeads(result, focus.search);
}

// The most square grid for `count` tiles of aspect 1 plus a caption line of height extra.
void bestGrid(QRectF area, int count, qreal extra, int& columns, qreal& side)
{
    columns = 1;
    side = 0;
    for (int c = 1; c <= count; ++c) {
        const int r = (count + c - 1) / c;
        const qreal s = std::min(area.width() / c - gap, area.height() / r - gap - extra);
        if (s > side) {
            side = s;
            columns = c;
        }
    }
}

// Under the grid: what the search found (above), then how to read the figure.
QStringList gridNotes(const ModelResult& result, const ViewOptions& options, const ModelFocus& focus,
                      const std::vector<HeadMatch>& matches, bool downsampled)
{
    QString found;
    if (focus.search != HeadSearch::None) {
        const auto matching = std::count_if(matches.begin(), matches.end(), [](const HeadMatch& m) { return m.matches; });
        found = QString::number(matching) + u" of "_qs + QString::number(matches.size()) + u" heads "_qs
                + headSearchLabel(focus.search) + u" ("_qs + headSearchStatistic(focus.search) + u" "_qs
                + (focus.search == HeadSearch::Even ? u"≥ "_qs + QString::number(attn::PatternThresholds::even)
                                                   : u"> "_qs + QString::number(attn::PatternThresholds::mostly))
                + u"). Best:"_qs;
        for (std::size_t i = 0; i < std::min<std::size_t>(5, matches.size()); ++i)
            found += u"  "_qs + modelpaint::headName(matches[i].layer, matches[i].head) + u" "_qs
                     + QString::number(matches[i].score, 'f', 2);
    }
    QString legend = u"Each thumbnail: queries down, keys across."_qs;
    if (paintkit::hasMaskedCells(result.trace->layers.front()))
        legend += u"  "_qs + paintkit::maskedCellsNote();
    if (focus.head >= 0)
        legend = u"Selected: "_qs + modelpaint::headName(focus.layer, focus.head) + u".  "_qs + legend;
    if (options.look.interactive)
        legend += u"  Click a head to open it in the other views."_qs;
    if (downsampled)
        legend += u"  Downsampled: each pixel shows the strongest of several cells."_qs;
    // Unlabelled thumbnails: without it, a hidden first token makes the first column read
    // as the first token's.
    if (const QString filter = paintkit::filterNote(options.filter); !filter.isEmpty())
        legend += u"  "_qs + filter;
    return {found, legend};
}

ModelGridLayout layoutModelGridWith(QRectF page, const ModelResult& result, const ViewOptions& options,
                                    const ModelFocus& focus, const std::vector<HeadMatch>& matches, qreal footHeight)
{
    ModelGridLayout layout;
    QRectF area = modelpaint::pageContent(page, result, options, viewName);
    const QFontMetricsF metrics(options.look.font);
    layout.footnote = QRectF(area.left(), area.bottom() - footHeight, area.width(), footHeight);
    const int layers = result.layers(), heads = result.heads();
    if (layers == 0 || heads == 0 || result.tokens() == 0)
        return layout;
    area.setBottom(area.bottom() - footHeight);
    const qreal barWidth = paintkit::colorBarWidth(options);
    area.setRight(area.right() - barWidth - 12);

    layout.sorted = focus.sortBySearch && focus.search != HeadSearch::None;
    if (layout.sorted) {
        const qreal caption = metrics.height() + 2;
        qreal side = 0;
        bestGrid(area, int(matches.size()), caption, layout.columns, side);
        if (side < 2)
            return layout;
        layout.rows = (int(matches.size()) + layout.columns - 1) / layout.columns;
        const qreal tileWidth = side + gap, tileHeight = side + caption + gap;
        for (std::size_t i = 0; i < matches.size(); ++i) {
            const int column = int(i) % layout.columns, row = int(i) / layout.columns;
            const QRectF thumb(area.left() + column * tileWidth, area.top() + row * tileHeight, side, side);
            layout.tiles.push_back(ModelGridTile{matches[i].layer, matches[i].head, thumb,
                                                 QRectF(thumb.left(), thumb.bottom() + 1, std::max(side, tileWidth - 1), caption)});
        }
    } else {
        layout.leftSpace = metrics.horizontalAdvance(u"L"_qs + QString::number(layers)) + 8;
        layout.topSpace = metrics.height() + 2;
        area.adjust(layout.leftSpace, layout.topSpace, 0, 0);
        layout.columns = heads;
        layout.rows = layers;
        const qreal side = std::min(area.width() / heads, area.height() / layers) - gap;
        if (side < 1)
            return layout;
        for (int layer = 0; layer < layers; ++layer)
            for (int head = 0; head < heads; ++head)
                layout.tiles.push_back(ModelGridTile{
                    layer, head, QRectF(area.left() + head * (side + gap), area.top() + layer * (side + gap), side, side), {}});
    }
    qreal right = area.left(), top = area.top();
    for (const ModelGridTile& slot : layout.tiles)
        right = std::max(right, std::max(slot.thumb.right(), slot.caption.right()));
    layout.colorBar = QRectF(right + 12, top, barWidth, std::min<qreal>(area.height(), 320));
    layout.empty = layout.tiles.empty();
    return layout;
}

} // namespace

ModelGridLayout layoutModelGrid(QRectF page, const ModelResult& result, const ViewOptions& options,
                                const ModelFocus& focus, const std::vector<HeadMatch>* matches)
{
    std::vector<HeadMatch> computed;
    if (!matches) {
        computed = matchesFor(result, focus);
        matches = &computed;
    }
    return paintkit::withFootnoteRoom(
        modelpaint::pageContent(page, result, options, viewName).width(), options,
        [&](qreal footHeight) { return layoutModelGridWith(page, result, options, focus, *matches, footHeight); },
        [&](const ModelGridLayout& layout) {
            if (layout.empty)
                return QStringList();
            // At scale 1 a thumbnail downsamples most: the longest note.
            const ModelGridTile& first = layout.tiles.front();
            const int n = result.tokens();
            const bool downsampled = blockSteps(QRect(0, 0, n, n), first.thumb.size().toSize()) != QSize(1, 1);
            return gridNotes(result, options, focus, *matches, downsampled);
        });
}

void paintModelGrid(QPainter& painter, QRectF page, const ModelResult& result, const ViewOptions& options,
                    const ModelFocus& focus)
{
    const QRectF area = modelpaint::beginPage(painter, page, result, options, viewName);
    const std::vector<HeadMatch> matches = matchesFor(result, focus);
    const ModelGridLayout layout = layoutModelGrid(page, result, options, focus, &matches);
    if (layout.empty) {
        paintkit::paintHint(painter, area, options,
                            !result.trace ? u"Open a model folder (File → Open model…) to see its heads."_qs
                            : result.tokens() == 0 ? u"Type a sentence to see how every head of the model attends."_qs
                                                   : QString());
        return;
    }
    const qreal deviceScale = std::max<qreal>(1.0, painter.deviceTransform().m11());
    const ColorMap map = paintkit::weightColors(options.look);

    // Thumbnails: block maxima of each head on the shared scale of the largest weight shown.
    std::vector<CellBlocks> blocks;
    blocks.reserve(layout.tiles.size());
    float vmax = 0.f;
    for (const ModelGridTile& slot : layout.tiles) {
        const attn::Trace& trace = result.trace->layers[std::size_t(slot.layer)];
        const DisplayWeights weights(trace, options.filter);
        const QSize pixels(std::max(1, int(slot.thumb.width() * deviceScale)), std::max(1, int(slot.thumb.height() * deviceScale)));
        blocks.push_back(weights.isEmpty() ? CellBlocks{} : blockMaxima(weights, slot.head, visibleCells(weights, QRect()), pixels));
        vmax = std::max(vmax, blocks.back().max);
    }
    vmax = paintkit::colorScaleTop(vmax, options);
    std::vector<const HeadMatch*> matchOf(std::size_t(result.layers() * result.heads()), nullptr);
    for (const HeadMatch& match : matches)
        matchOf[std::size_t(match.layer * result.heads() + match.head)] = &match;

    QColor dim = options.look.background;
    dim.setAlpha(170);
    for (std::size_t i = 0; i < layout.tiles.size(); ++i) {
        const ModelGridTile& slot = layout.tiles[i];
        paintkit::paintHeatmap(painter, slot.thumb, blocksImage(blocks[i], vmax, map), options.look);
        paintkit::paintMaskedCells(painter, MatrixGeometry{slot.thumb, blocks[i].cells},
                                   result.trace->layers[std::size_t(slot.layer)], options.look);
        const HeadMatch* match = matchOf[std::size_t(slot.layer * result.heads() + slot.head)];
        painter.save();
        painter.setBrush(Qt::NoBrush);
        if (match && !match->matches)
            painter.fillRect(slot.thumb, dim);
        if (match && match->matches) {
            painter.setPen(QPen(options.look.accent, 2));
            painter.drawRect(slot.thumb.adjusted(-1, -1, 1, 1));
        }
        if (slot.layer == focus.layer && slot.head == focus.head) {
            painter.setPen(QPen(options.look.foreground, 3));
            painter.drawRect(slot.thumb.adjusted(-2, -2, 2, 2));
        } else if (slot.layer == focus.hoverLayer && slot.head == focus.hoverHead) {
            painter.setPen(QPen(options.look.foreground, 1, Qt::DashLine));
            painter.drawRect(slot.thumb.adjusted(-2, -2, 2, 2));
        }
        if (!slot.caption.isEmpty()) {
            painter.setPen(match && match->matches ? options.look.foreground : options.look.muted);
            const QString caption = modelpaint::headName(slot.layer, slot.head)
                                    + (match ? u"  "_qs + QString::number(match->score, 'f', 2) : QString());
            painter.drawText(slot.caption, Qt::AlignLeft | Qt::AlignTop,
                             QFontMetricsF(options.look.font).elidedText(caption, Qt::ElideRight, slot.caption.width()));
        }
        painter.restore();
    }

    // Layer labels down the left, head labels across the top.
    if (!layout.sorted) {
        const QFontMetricsF metrics(options.look.font);
        const ModelGridTile& first = layout.tiles.front();
        const qreal side = first.thumb.width();
        const int every = std::max(1, int(std::ceil(metrics.height() / (side + gap))));
        painter.setPen(options.look.foreground);
        painter.setFont(options.look.font);
        for (int layer = 0; layer < layout.rows; layer += every) {
            const QRectF thumb = layout.tiles[std::size_t(layer * layout.columns)].thumb;
            painter.drawText(QRectF(thumb.left() - layout.leftSpace, thumb.top(), layout.leftSpace - 6, thumb.height()),
                             Qt::AlignRight | Qt::AlignVCenter, u"L"_qs + QString::number(layer + 1));
        }
        const int everyHead = std::max(1, int(std::ceil(metrics.horizontalAdvance(u"H00"_qs) / (side + gap))));
        for (int head = 0; head < layout.columns; head += everyHead) {
            const QRectF thumb = layout.tiles[std::size_t(head)].thumb;
            painter.drawText(QRectF(thumb.left() - gap, thumb.top() - layout.topSpace, thumb.width() + 2 * gap, layout.topSpace),
                             Qt::AlignHCenter | Qt::AlignBottom, u"H"_qs + QString::number(head + 1));
        }
    }
    paintkit::paintColorBar(painter, layout.colorBar, vmax, options);

    const QStringList notes = gridNotes(result, options, focus, matches, blocks.front().downsampled());
    paintkit::paintFootnote(painter, paintkit::paintFootnote(painter, layout.footnote, options, notes[1]), options, notes[0]);
}

int modelGridTileAt(const ModelGridLayout& layout, QPointF point)
{
    for (std::size_t i = 0; i < layout.tiles.size(); ++i)
        if (layout.tiles[i].thumb.adjusted(-gap / 2, -gap / 2, gap / 2, gap / 2).contains(point))
            return int(i);
    return -1;
}
