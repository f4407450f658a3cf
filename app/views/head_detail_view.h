// Head detail: one head large, with token labels, the hovered cell's exact weight and
// pinned rows; zoomable to a region of cells.
#pragma once

#include "heatmap.h"
#include "view_options.h"

#include <attn/trace.h>

#include <QPainter>
#include <QRectF>
#include <QStringList>

struct HeadDetailLayout {
    MatrixGeometry matrix;
    qreal leftSpace = 0;
    qreal bottomSpace = 0;
    QRectF colorBar;
    QRectF info; // lines of text under the matrix
    bool empty = true;
};

// The head the view shows: focus.head, clamped to the trace's heads.
int detailHead(const attn::Trace& trace, const ViewOptions& options);

// The facts under the matrix, a line each (the view draws as many as it has room for): the
// hovered or selected cell's weight in full, then each pinned row's strongest keys.
QStringList headDetailFacts(const attn::Trace& trace, const ViewOptions& options);

HeadDetailLayout layoutHeadDetail(QRectF page, const attn::Trace& trace, const ViewOptions& options);
void paintHeadDetail(QPainter& painter, QRectF page, const attn::Trace& trace, const ViewOptions& options);
