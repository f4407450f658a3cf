// A small line rasteriser for the token links on screen and in PNGs. Qt's raster engine
// blends each thin line as hundreds of one-pixel spans and hands every batch of spans to
// its thread pool; with tens of thousands of links that hand-off, not the drawing, took
// most of a paint. Drawing the lines here, single-threaded into one premultiplied image,
// is an order of magnitude quicker. SVG and other vector devices never come here.
#pragma once

#include <QImage>
#include <QPointF>
#include <QRgb>

#include <vector>

// One straight line in the image's pixel coordinates, with its colour and opacity.
struct RasterLine {
    QPointF from, to;
    QRgb color;  // opaque colour; its alpha byte is ignored
    float alpha; // opacity 0..1
};

// Draws the lines in order with `width` pixels of thickness, each blended over what is
// already there (source-over). Edges are smoothed by the covered share of each pixel, so
// thin lines do not stair-step. image must be Format_ARGB32_Premultiplied; lines are
// clipped to it.
void rasterizeLines(QImage& image, const std::vector<RasterLine>& lines, double width);
