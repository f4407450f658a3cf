// Writes a view's figure to a PNG or SVG file, painted by the same function that paints
// the screen.
#pragma once

#include "views/view_options.h"
#include "views/view_registry.h"

#include <attn/trace.h>

#include <QByteArray>
#include <QSize>
#include <QString>

enum class FigureFormat { Png, Svg };

struct Figure {
    PaintFunction paint = nullptr;
    ViewOptions options;
    QSize size;         // logical pixels of the page
    double scale = 1.0; // PNG pixels per logical pixel, 1 to 4
};

// .svg by extension, PNG otherwise.
FigureFormat formatForPath(const QString& path);

QImage renderImage(const Figure& figure, const attn::Trace& trace);
QByteArray renderPng(const Figure& figure, const attn::Trace& trace);
QByteArray renderSvg(const Figure& figure, const attn::Trace& trace);

// Writes the file whole or not at all. Returns an empty string on success, otherwise a
// message naming the file and the reason.
QString exportFigure(const Figure& figure, const attn::Trace& trace, const QString& path);
