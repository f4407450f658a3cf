// Heads: one heatmap per head (small multiples) on one shared colour scale.
#pragma once

#include "heatmap.h"
#include "view_options.h"

#include <attn/trace.h>

#include <QPainter>
#include <QRectF>

#include <vector>

struct HeadsLayout {
    std::vector<MatrixGeometry> matrices; // one per head
    std::vector<QRectF> tiles;            // a head's header and matrix (and names), for clicks
    int columns = 1;
    qreal leftSpace = 0;                  // query names, left of the first column
    qreal bottomSpace = 0;                // key names, under the lowest heatmap of each column
    QRectF colorBar;
    QRectF footnote;
    bool masked = false;                  // the causal mask hides cells: they are hatched
    bool empty = true;

    bool namesQueries(int head) const { return head % columns == 0; }
    bool namesKeys(int head) const { return head + columns >= int(matrices.size()); }
};

HeadsLayout layoutHeads(QRectF page, const attn::Trace& trace, const ViewOptions& options);
void paintHeads(QPainter& painter, QRectF page, const attn::Trace& trace, const ViewOptions& options);
// What the figure notes below the grid: downsampling (at deviceScale pixels per logical
// pixel), the hatching of masked cells, the weight filters, and last which axis is which.
QString headsFootnote(const HeadsLayout& layout, const ViewOptions& options, qreal deviceScale);
// The page for a figure on its own (an export): the figure as laid out on `most`, cut to
// what it covers, so that a grid shaped unlike the page leaves no empty band. The footnote
// keeps its room, and the title too where `most` held it whole (a longer sentence is
// shortened in the middle anyway).
QSize headsPageSize(QSize most, const attn::Trace& trace, const ViewOptions& options);
// The head under the point, or -1.
int headAt(const HeadsLayout& layout, QPointF point);
// The query whose name (left of the first column, shared by the heads of its row) is under
// the point, or -1.
int queryNameAt(const HeadsLayout& layout, QPointF point);
