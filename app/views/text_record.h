// Where a view's paint function puts its text: every string it draws, with the box it
// covers on the page. Painted through a paint device that draws nothing and records each
// text item with the painter's transform (so rotated axis labels are boxed as drawn).
// Tests check with it that labels never overlap, for every view and any look; it is the
// text that is painted, not a layout that hopes to match it.
#pragma once

#include "view_options.h"
#include "view_registry.h"

#include <attn/trace.h>

#include <QList>
#include <QRectF>
#include <QSize>
#include <QString>

struct DrawnText {
    QString text;
    QRectF rect; // page coordinates: the advance width × ascent + descent, transformed
};

QList<DrawnText> recordDrawnText(PaintFunction paint, QSize page, const attn::Trace& trace, const ViewOptions& options);

// Pairs of drawn texts whose boxes overlap by more than `tolerance` pixels each way, as
// "“a” and “b”" lines; empty when none do. Texts outside the page are reported too.
QStringList overlappingTexts(const QList<DrawnText>& texts, QSize page, qreal tolerance = 0.5);
