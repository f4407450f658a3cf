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

} // namespace

RolloutLayout layoutRollout(QRectF page, const ModelResult& result, const ViewOptions& options, const ModelFocus& focus)
{
    RolloutLayout layout;
    QRectF area = modelpaint::pageContent(page, result, options, viewName(result, focus));
    const QFontMetricsF metrics(options.look.font);
    const qreal footHeight = 2 * metrics.height() + 8; // what a row means, then what the figure left out or marks
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
    const attn::Trace& tokens = result.trace->layers[std::size_t(layout.layer)];
    qreal labels = paintkit::labelExtent(metrics, tokens, cells, 16);
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
    const qreal deviceScale = std::max<qreal>(1.0, painter.deviceTransform().m11());
    const QSize pixels(std::max(1, int(layout.matrix.rect.width() * deviceScale)),
                       std::max(1, int(layout.matrix.rect.height() * deviceScale)));
    // Block maxima of the slice, then coloured on its own scale.
    const int n = result.tokens();
    const int stepX = std::max(1, (n + pixels.width() - 1) / pixels.width());
    const int stepY = std::max(1, (n + pixels.height() - 1) / pixels.height());
    const int width = (n + stepX - 1) / stepX, height = (n + stepY - 1) / stepY;
    std::vector<float> blocks(std::size_t(width) * std::size_t(height), 0.f);
    for (int q = 0; q < n; ++q)
        for (int k = 0; k < n; ++k) {
            float& cell = blocks[std::size_t(q / stepY) * std::size_t(width) + std::size_t(k / stepX)];
            cell = std::max(cell, result.rollout.at(std::size_t(layout.layer), std::size_t(q), std::size_t(k)));
        }
    const float vmax = paintkit::colorScaleTop(std::max(1e-6f, *std::max_element(blocks.begin(), blocks.end())), options);
    const ColorMap map = paintkit::weightColors(options.look);
    QImage image(width, height, QImage::Format_RGB32);
    for (int y = 0; y < height; ++y) {
        auto* line = reinterpret_cast<QRgb*>(image.scanLine(y));
        for (int x = 0; x < width; ++x)
            line[x] = map.rgb(blocks[std::size_t(y) * std::size_t(width) + std::size_t(x)] / vmax);
    }
    paintkit::paintHeatmap(painter, layout.matrix.rect, image, options.look);
    // Under a causal mask no position takes in a later one, in any layer: hatched as in the heatmaps.
    const attn::Trace& tokens = result.trace->layers[std::size_t(layout.layer)];
    paintkit::paintMaskedCells(painter, layout.matrix, tokens, options.look);
    paintkit::paintAxisLabels(painter, layout.matrix, tokens, options, layout.leftSpace, layout.bottomSpace);
    paintkit::paintFocus(painter, layout.matrix, options);
    paintkit::paintColorBar(painter, layout.colorBar, vmax, options);

    const QString through = layout.layer == 0 ? u"layer 1"_qs : u"layers 1–"_qs + QString::number(layout.layer + 1);
    QString notes;
    if (const QString labels = paintkit::labelsNote(layout.matrix, options, layout.leftSpace, layout.bottomSpace);
        !labels.isEmpty())
        notes += labels;
    if (stepX > 1 || stepY > 1)
        notes += u"  Downsampled: each pixel shows the strongest of up to "_qs + QString::number(stepX) + u" × "_qs
                 + QString::number(stepY) + u" cells."_qs;
    if (paintkit::hasMaskedCells(tokens))
        notes += u"  "_qs + paintkit::maskedCellsNote();
    const QRectF above = paintkit::paintFootnote(painter, layout.footnote, options, notes.trimmed());
    paintkit::paintFootnote(painter, notes.isEmpty() ? layout.footnote : above, options,
                            u"Row i: the share of each input token (across) in position i after "_qs + through
                                + u", heads averaged with the residual path (Abnar & Zuidema 2020)."_qs);
}
