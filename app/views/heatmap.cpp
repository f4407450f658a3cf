#include "heatmap.h"

#include <algorithm>
#include <cmath>

QRect visibleCells(const DisplayWeights& weights, const QRect& zoom)
{
    const QRect all(QPoint(weights.firstKey(), weights.firstQuery()), QPoint(weights.keys() - 1, weights.queries() - 1));
    if (zoom.isNull() || !zoom.isValid())
        return all;
    const QRect region = zoom.intersected(all);
    return region.isEmpty() ? all : region;
}

QSize blockSteps(const QRect& cells, QSize maxPixels)
{
    if (cells.isEmpty() || maxPixels.isEmpty())
        return QSize(1, 1);
    return QSize(std::max(1, (cells.width() + maxPixels.width() - 1) / maxPixels.width()),
                 std::max(1, (cells.height() + maxPixels.height() - 1) / maxPixels.height()));
}

CellBlocks blockMaxima(const DisplayWeights& weights, int head, const QRect& cells, QSize maxPixels)
{
    if (maxPixels.isEmpty())
        return CellBlocks{cells};
    const auto rowOf = [&](int query, float* scratch) {
        if (const float* direct = weights.directRow(head, query))
            return direct;
        weights.row(head, query, scratch);
        return static_cast<const float*>(scratch);
    };
    return blockMaxima(rowOf, weights.keys(), cells, blockSteps(cells, maxPixels));
}

CellBlocks blockMaxima(const MatrixRows& rowOf, int rowLength, const QRect& cells, QSize steps)
{
    CellBlocks blocks;
    blocks.cells = cells;
    if (cells.isEmpty() || steps.isEmpty())
        return blocks;
    blocks.stepX = steps.width();
    blocks.stepY = steps.height();
    blocks.width = (cells.width() + blocks.stepX - 1) / blocks.stepX;
    blocks.height = (cells.height() + blocks.stepY - 1) / blocks.stepY;
    blocks.values.assign(std::size_t(blocks.width) * std::size_t(blocks.height), 0.f);

    std::vector<float> scratch(static_cast<std::size_t>(rowLength));
    for (int query = cells.top(); query <= cells.bottom(); ++query) {
        const float* source = rowOf(query, scratch.data());
        float* out = blocks.values.data() + std::size_t((query - cells.top()) / blocks.stepY) * std::size_t(blocks.width);
        const float* in = source + cells.left();
        if (blocks.stepX == 1) {
            for (int x = 0; x < blocks.width; ++x)
                out[x] = std::max(out[x], in[x]);
        } else { // block by block: a division per cell took most of a paint at 5,000 tokens
            for (int x = 0; x < blocks.width; ++x) {
                const float* block = in + std::size_t(x) * std::size_t(blocks.stepX);
                const int count = std::min(blocks.stepX, cells.width() - x * blocks.stepX);
                float largest = out[x];
                for (int i = 0; i < count; ++i)
                    largest = std::max(largest, block[i]);
                out[x] = largest;
            }
        }
    }
    blocks.max = blocks.values.empty() ? 0.f : *std::max_element(blocks.values.begin(), blocks.values.end());
    return blocks;
}

QImage blocksImage(const CellBlocks& blocks, float vmax, const ColorMap& map)
{
    if (blocks.width == 0 || blocks.height == 0)
        return QImage();
    QImage image(blocks.width, blocks.height, QImage::Format_RGB32);
    const float scale = vmax > 0.f ? 1.f / vmax : 0.f;
    for (int y = 0; y < blocks.height; ++y) {
        auto* line = reinterpret_cast<QRgb*>(image.scanLine(y));
        const float* values = blocks.values.data() + std::size_t(y) * std::size_t(blocks.width);
        for (int x = 0; x < blocks.width; ++x)
            line[x] = map.rgb(values[x] * scale);
    }
    return image;
}

QPoint MatrixGeometry::cellAt(QPointF point) const
{
    if (!rect.contains(point))
        return {-1, -1};
    return {keyAtWidth(point.x()), queryAtHeight(point.y())};
}

int MatrixGeometry::queryAtHeight(qreal y) const
{
    if (y < rect.top() || y > rect.bottom() || cells.isEmpty())
        return -1;
    return cells.top() + std::min(cells.height() - 1, int((y - rect.top()) / cellHeight()));
}

int MatrixGeometry::keyAtWidth(qreal x) const
{
    if (x < rect.left() || x > rect.right() || cells.isEmpty())
        return -1;
    return cells.left() + std::min(cells.width() - 1, int((x - rect.left()) / cellWidth()));
}

QRectF MatrixGeometry::cellRect(int key, int query) const
{
    return QRectF(rect.left() + (key - cells.left()) * cellWidth(), rect.top() + (query - cells.top()) * cellHeight(),
                  cellWidth(), cellHeight());
}

QRectF MatrixGeometry::rowRect(int query) const
{
    return QRectF(rect.left(), rect.top() + (query - cells.top()) * cellHeight(), rect.width(), cellHeight());
}

QRectF MatrixGeometry::columnRect(int key) const
{
    return QRectF(rect.left() + (key - cells.left()) * cellWidth(), rect.top(), cellWidth(), rect.height());
}
