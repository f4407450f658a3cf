// The Model view: every head of every layer as a small heatmap, layers down and heads
// across (12 × 12 for GPT-2 small), one pixel per cell on one shared colour scale. A head
// search outlines the heads that match and dims the rest, or lists heads best match first.
#pragma once

#include "model/head_search.h"
#include "model/model_result.h"
#include "model_view_state.h"
#include "view_options.h"

#include <QPainter>
#include <QRectF>

#include <vector>

struct ModelGridTile {
    int layer = 0;
    int head = 0;
    QRectF thumb;   // the heatmap
    QRectF caption; // sorted grid: the "L3 H5 0.92" line under it; empty otherwise
};

struct ModelGridLayout {
    std::vector<ModelGridTile> tiles; // layer by layer, or best match first when sorted
    int columns = 0;
    int rows = 0;
    qreal leftSpace = 0; // layer labels (unsorted grid)
    qreal topSpace = 0;  // head labels (unsorted grid)
    bool sorted = false;
    QRectF colorBar;
    QRectF footnote;
    bool empty = true;
};

// matches: searchHeads(result, focus.search) when the caller has it; computed
// here otherwise (only needed when focus.sortBySearch).
ModelGridLayout layoutModelGrid(QRectF page, const ModelResult& result, const ViewOptions& options,
                                const ModelFocus& focus, const std::vector<HeadMatch>* matches = nullptr);
void paintModelGrid(QPainter& painter, QRectF page, const ModelResult& result, const ViewOptions& options,
                    const ModelFocus& focus);
// The slot under the point, or -1.
int modelGridTileAt(const ModelGridLayout& layout, QPointF point);
