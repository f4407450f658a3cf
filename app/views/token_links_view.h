// Token links: queries on the left, keys on the right, a line from each query to each key
// whose opacity is its weight, one colour per head.
#pragma once

#include "view_options.h"

#include <attn/trace.h>

#include <QColor>
#include <QPainter>
#include <QRectF>

#include <vector>

struct TokenLinksLayout {
    std::vector<QRectF> queries;  // per query token (empty rect when hidden)
    std::vector<QRectF> keys;     // per key token
    std::vector<QRectF> swatches; // per head: click to switch on or off
    QRectF unpin;                 // shown while tokens are pinned
    QRectF footnote;
    qreal rowHeight = 0;
    bool empty = true;
};

// Head colours from a hue wheel: every head its own hue, however many heads.
QColor headColor(int head, int heads, bool dark);

// The queries whose links are drawn: the hovered one, else the pinned ones, else all.
std::vector<int> activeQueries(const attn::Trace& trace, const ViewOptions& options);

TokenLinksLayout layoutTokenLinks(QRectF page, const attn::Trace& trace, const ViewOptions& options);
void paintTokenLinks(QPainter& painter, QRectF page, const attn::Trace& trace, const ViewOptions& options);
// The page for a figure on its own (an export): `most`'s width, and the height the rows
// take at their widest spacing (or `most`'s, where they need more), so that a short
// sentence leaves no empty band below its links.
QSize tokenLinksPageSize(QSize most, const attn::Trace& trace, const ViewOptions& options);

// The index of the rectangle holding point, or -1.
int indexAt(const std::vector<QRectF>& rects, QPointF point);
