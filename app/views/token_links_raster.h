// A small line rasteriser for the token links on screen and in PNGs. Qt's raster engine
// blends each thin line as hundreds of one-pixel spans and hands every batch of spans to
// its thread pool; with tens of thousands of links that hand-off, not the drawing, took
// most of a paint. Here the image is swept one column at a time, every line's pixels in
// that column before the next column: the column's pixels stay in the processor's
// nearest cache, four lines' positions are worked out at once, and bands of columns go
// to the cores in turn. SVG and other vector devices never come here.
#pragma once

#include <QImage>
#include <QPointF>
#include <QRgb>
#include <QSize>

#include <vector>

// One straight line in the image's pixel coordinates, with its colour and opacity.
struct RasterLine {
    QPointF from, to;
    QRgb color;  // opaque colour; its alpha byte is ignored
    float alpha; // opacity 0..1
};

// An image of `size` (Format_ARGB32_Premultiplied, transparent where no line is) with the
// lines drawn `width` pixels thick, each blended over the ones before it (source-over);
// lines steeper than 45° are drawn after the others. Edges are smoothed by the covered
// share of each pixel, so thin lines do not stair-step. Lines are clipped to the image.
QImage rasterizeLines(QSize size, const std::vector<RasterLine>& lines, double width);
