// Steps: the arithmetic of one head for one query, as on a blackboard —
// X → Q, K, V → QKᵀ → ÷√dₖ (÷T) → mask → softmax → ·V → concat → ·W_O, each step a small
// matrix with its shape and colour legend, the query's row marked throughout, one
// query-key pair opened up and every head's largest weight and entropy for the query.
// Follows focus.head, focus.hoverQuery (else the last pinned query) and focus.hoverKey.
#pragma once

#include "steps_layout.h"
#include "view_options.h"

#include <attn/trace.h>

#include <QPainter>
#include <QPointF>
#include <QRectF>
#include <QSize>
#include <QSizeF>

// The view's paint function, in the shape view_registry's PaintFunction expects.
void paintSteps(QPainter& painter, QRectF page, const attn::Trace& trace, const ViewOptions& options);

// Paints a layout made by computeStepsLayout (the page background and title already painted).
void paintStepsLayout(QPainter& painter, const StepsLayout& layout, const ViewOptions& options);

// The query and key of the cell under a point: a row of X, Q, the scores or the outputs
// gives a query; a row of K or V gives a key; a cell of the scores or weights gives both.
struct StepsHit {
    int query = -1;
    int key = -1;
};
StepsHit stepsHitAt(const StepsLayout& layout, QPointF point);

// What a page that scrolls keeps in sight of the selection moved by the keys: the query's
// row of the weights with the opened-up pair where both fit in `room`, else that row, each
// from the page's left edge (the title, the query names) where that fits too; else the
// chosen cell. Empty where nothing is laid out.
QRectF stepsSelectionInSight(const StepsLayout& layout, QSizeF room);

// The cell under a point, said in full for a tooltip: its matrix, its row and column, and
// the trace's number exactly (the cells round it); empty where there is no cell.
QString stepsCellToolTip(const StepsLayout& layout, const attn::Trace& trace, QPointF point);

// The smallest page the window gives the steps (it scrolls below that), with the standard
// or the presentation font: every matrix still writes its numbers there.
inline QSize stepsMinimumPageSize(bool presentation)
{
    return presentation ? QSize(1260, 640) : QSize(1060, 640); // presentation: what a 720p screen leaves it
}

// The page size of an exported figure: a 720p slide.
inline QSize stepsExportPageSize()
{
    return QSize(1280, 720);
}
