#include "rollout_view.h"

#include "model_page.h"
#include "paint_common.h"

#include <QFontMetricsF>

#include <algorithm>
#include <cmath>

namespace {

// The layer the rollout is shown through; -1 where there is nothing to show.
int rolloutLayer(const ModelResult& result, const ModelFocus& focus)
{
    if (result.tokens() == 0 || result.rollout.rank() != 3 || result.rollout.dim(0) == 0)
        return -1;
    return std::clamp(focus.layer, 0, int(result.rollout.dim(0)) - 1);
}

QString viewName(const ModelResult& result, const ModelFocus& focus)
{
    const int layer = rolloutLayer(result, focus);
    return layer < 0 ? u"attention rollout"_qs : u"attention rollout through layer "_qs + QString::number(layer + 1);
}

// Each side's cells per pixel of the matrix at deviceScale: 1 where every cell has pixels.
QSize rolloutSteps(const RolloutLayout& layout, int n, qreal deviceScale)
{
    const QSize pixels(std::max(1, int(layout.matrix.rect.width() * deviceScale)),
                       std::max(1, int(layout.matrix.rect.height() * deviceScale)));
    return QSize(std::max(1, (n + pixels.width() - 1) / pixels.width()), std::max(1, (n + pixels.height() - 1) / pixels.height()));
}

// The footnotes: what a row means (drawn above), and what the figure left out or marks.
QStringList rolloutNotes(const RolloutLayout& layout, const ModelResult& result, const ViewOptions& options, QSize steps)
{
    const attn::Trace& tokens = result.trace->layers[std::size_t(layout.layer)];
    QString notes;
    if (const QString labels = paintkit::labelsNote(layout.matrix, options, layout.leftSpace, layout.bottomSpace);
        !labels.isEmpty())
        notes += labels;
    if (steps != QSize(1, 1))
        notes += u"  Downsampled: each pixel shows the strongest of up to "_qs + QString::number(steps.width()) + u" × "_qs
                 + QString::number(steps.height()) + u" cells."_qs;
    if (layout.leftSpace <= 0) // left out where the cells are too small to read them against
        notes += u"  Too small for token names."_qs;
    if (paintkit::hasMaskedCells(tokens))
        notes += u"  "_qs + paintkit::maskedCellsNote();
    const QString through = layout.layer == 0 ? u"layer 1"_qs : u"layers 1–"_qs + QString::number(layout.layer + 1);
    return {u"Row i: the share of each input token (across) in position i after "_qs + through
                + u", heads averaged with the residual path (Abnar & Zuidema 2020)."_qs,
            notes.trimmed()};
}

// `labelsWanted`: the room the token names want (paintkit::labelExtent), measured once for
// both of withFootnoteRoom's layouts.
RolloutLayout layoutRolloutWith(QRectF page, const ModelResult& result, const ViewOptions& options, const ModelFocus& focus,
                                qreal footHeight, qreal labelsWanted)
{
    RolloutLayout layout;
    QRectF area = modelpaint::pageContent(page, result, options, viewName(result, focus));
    const QFontMetricsF metrics(options.look.font);
    layout.footnote = QRectF(area.left(), area.bottom() - footHeight, area.width(), footHeight);
    const int n = result.tokens();
    const int layer = rolloutLayer(result, focus);
    if (layer < 0)
        return layout;
    layout.layer = layer;
    area.setBottom(area.bottom() - footHeight);
    const qreal barWidth = paintkit::colorBarWidth(options);
    area.setRight(area.right() - barWidth - 12);
    const QRect cells(0, 0, n, n);
    qreal labels = std::min(labelsWanted, std::min(area.width(), area.height()) / 3);
    qreal side = std::min(area.width() - labels, area.height() - labels);
    if (side / n < 4) { // labels only where a few can be read against the cells
        labels = 0;
        side = std::min(area.width(), area.height());
    }
    if (side < 4)
        return layout;
    layout.leftSpace = layout.bottomSpace = labels;
    layout.matrix = MatrixGeometry{QRectF(area.left() + labels, area.top(), side, side), cells};
    layout.colorBar = QRectF(layout.matrix.rect.right() + 12, area.top(), barWidth, std::min<qreal>(side, 320));
    layout.empty = false;
    return layout;
}

} // namespace

RolloutLayout layoutRollout(QRectF page, const ModelResult& result, const ViewOptions& options, const ModelFocus& focus)
{
    const int layer = rolloutLayer(result, focus);
    const int n = result.tokens();
    const qreal labels = layer < 0 ? 0.0
                                   : paintkit::labelExtent(QFontMetricsF(options.look.font),
                                                           result.trace->layers[std::size_t(layer)], QRect(0, 0, n, n), 16);
    return paintkit::withFootnoteRoom(
        modelpaint::pageContent(page, result, options, viewName(result, focus)).width(), options,
        [&](qreal footHeight) { return layoutRolloutWith(page, result, options, focus, footHeight, labels); },
        [&](const RolloutLayout& layout) {
            // Scale 1 downsamples most: the longest note.
            return layout.empty ? QStringList() : rolloutNotes(layout, result, options, rolloutSteps(layout, result.tokens(), 1.0));
        });
}

void paintRollout(QPainter& painter, QRectF page, const ModelResult& result, const ViewOptions& options,
                  const ModelFocus& focus)
{
    const RolloutLayout layout = layoutRollout(page, result, options, focus);
    const QRectF area = modelpaint::beginPage(painter, page, result, options, viewName(result, focus));
    if (layout.empty) {
        paintkit::paintHint(painter, area, options,
                            !result.trace ? u"Open a model folder (File → Open model…) to see its attention rollout."_qs
                            : result.tokens() == 0 ? u"Type a sentence to see where each position's information comes from."_qs
                                                   : QString());
        return;
    }
    // Block maxima of the slice, then coloured on its own scale.
    const int n = result.tokens();
    const QSize steps = rolloutSteps(layout, n, std::max<qreal>(1.0, painter.deviceTransform().m11()));
    const float* layerRollout = result.rollout.ptr() + std::size_t(layout.layer) * std::size_t(n) * std::size_t(n);
    const CellBlocks blocks = blockMaxima([&](int q, float*) { return layerRollout + std::size_t(q) * std::size_t(n); },
                                          n, QRect(0, 0, n, n), steps);
    const float vmax = paintkit::colorScaleTop(std::max(1e-6f, blocks.max), options);
    paintkit::paintHeatmap(painter, layout.matrix.rect, blocksImage(blocks, vmax, paintkit::weightColors(options.look)),
                           options.look);
    // Under a causal mask no position takes in a later one, in any layer: hatched as in the heatmaps.
    const attn::Trace& tokens = result.trace->layers[std::size_t(layout.layer)];
    paintkit::paintMaskedCells(painter, layout.matrix, tokens, options.look);
    paintkit::paintAxisLabels(painter, layout.matrix, tokens, options, layout.leftSpace, layout.bottomSpace);
    paintkit::paintFocus(painter, layout.matrix, options);
    paintkit::paintColorBar(painter, layout.colorBar, vmax, options);

    const QStringList notes = rolloutNotes(layout, result, options, steps);
    paintkit::paintFootnote(painter, paintkit::paintFootnote(painter, layout.footnote, options, notes[1]), options, notes[0]);
}
