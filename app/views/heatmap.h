// One head's weight matrix as an image: one pixel per cell, or one pixel per block of
// cells (the block's maximum) when there are more cells than pixels to show them.
#pragma once

#include "colormap.h"
#include "display_weights.h"

#include <QImage>
#include <QPointF>
#include <QRect>
#include <QRectF>

#include <functional>
#include <vector>

struct CellBlocks {
    QRect cells;          // x: keys, y: queries, in trace indices
    int stepX = 1;        // cells per image pixel, across (keys)
    int stepY = 1;        // and down (queries)
    int width = 0;        // image pixels
    int height = 0;
    std::vector<float> values; // height x width block maxima
    float max = 0.f;

    bool downsampled() const { return stepX > 1 || stepY > 1; }
};

// The visible cells of a head: all of them after hide-first, or the zoom region within.
QRect visibleCells(const DisplayWeights& weights, const QRect& zoom);

// Cells per pixel across and down, to show `cells` in at most maxPixels pixels each way.
QSize blockSteps(const QRect& cells, QSize maxPixels);

// Block maxima of `cells`, with at most maxPixels pixels each way.
CellBlocks blockMaxima(const DisplayWeights& weights, int head, const QRect& cells, QSize maxPixels);

// The same of any matrix whose rows rowOf gives (row `query`, every key, from column 0; it
// may fill and return `scratch`, one row long), in blocks of `steps` cells.
using MatrixRows = std::function<const float*(int query, float* scratch)>;
CellBlocks blockMaxima(const MatrixRows& rowOf, int rowLength, const QRect& cells, QSize steps);

// Colours the blocks; vmax maps to the top of the colour map.
QImage blocksImage(const CellBlocks& blocks, float vmax, const ColorMap& map);

// Where a matrix of cells lies on the page; maps points to cells and back.
struct MatrixGeometry {
    QRectF rect;  // the image's rectangle
    QRect cells;  // the cells it shows

    qreal cellWidth() const { return cells.width() > 0 ? rect.width() / cells.width() : 0.0; }
    qreal cellHeight() const { return cells.height() > 0 ? rect.height() / cells.height() : 0.0; }
    // {key, query} under the point, or {-1, -1} outside.
    QPoint cellAt(QPointF point) const;
    // The query whose row spans y, and the key whose column spans x, or -1 (for names
    // drawn beside the matrix).
    int queryAtHeight(qreal y) const;
    int keyAtWidth(qreal x) const;
    QRectF cellRect(int key, int query) const;
    QRectF rowRect(int query) const;
    QRectF columnRect(int key) const;
};
