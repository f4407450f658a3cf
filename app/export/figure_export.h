// Writes a view's figure to a PNG or SVG file, painted by the same function that paints
// the screen.
#pragma once

#include "views/view_options.h"
#include "views/view_registry.h"

#include <attn/trace.h>

#include <QByteArray>
#include <QColor>
#include <QImage>
#include <QPainter>
#include <QRectF>
#include <QSize>
#include <QString>

#include <functional>

enum class FigureFormat { Png, Svg };

// How the painting sits on its page.
enum class PageFit {
    AsLaidOut,     // where the view laid it out (a page sized to the figure)
    CropToContent, // the page cut to what is painted (a window's view, which has room to spare)
    CentreContent, // what is painted moved to the middle of the page (a slide's, of given size)
};

// One page to write, whatever paints it. The sandbox figures below and the model views'
// figures (model/model_export.h) both come down to a Page, so that filling the image,
// sizing the SVG and writing the file exist in one place.
struct Page {
    std::function<void(QPainter&, QRectF)> paint; // paints the page in logical pixels
    QSize size;                                   // logical pixels of the page
    double scale = 1.0;                           // PNG pixels per logical pixel, 1 to 4
    QColor background = Qt::white;                // fills the image before painting
    QString description;                          // the SVG's description (the text, ← its source)
    PageFit fit = PageFit::AsLaidOut;
};

// A page painted by paint, sized and scaled as given, on look's background and with
// look's texts (the sentence, ← its source) as the SVG description.
Page makePage(std::function<void(QPainter&, QRectF)> paint, QSize size, double scale, const Appearance& look,
              PageFit fit = PageFit::AsLaidOut);

QImage renderPageImage(const Page& page);
QByteArray renderPagePng(const Page& page);
QByteArray renderPageSvg(const Page& page);
// .svg by extension (any case), PNG otherwise (.png, no extension, figure-v1.2, a device
// such as /dev/stdout); any other extension (.jpg, .gif, .json) is refused, and so is a
// folder, a pipe that nothing reads, or a file that is no PNG or SVG figure. Writes the file whole or not at all. Returns an empty
// string on success, otherwise a message naming the file, the reason and what to do.
QString exportPage(const Page& page, const QString& path);
// What exportPage would refuse about the path itself, before anything is drawn; empty if
// nothing (a file that cannot be written is still found out when written).
QString exportPathProblem(const QString& path);
// Whether path is a file of a figure: .png or .svg by name, and a PNG or SVG inside.
bool isFigureFile(const QString& path);

struct Figure {
    PaintFunction paint = nullptr;
    ViewOptions options;
    QSize size;         // logical pixels of the page
    double scale = 1.0; // PNG pixels per logical pixel, 1 to 4
    PageFit fit = PageFit::AsLaidOut;
};

// .svg by extension, PNG otherwise.
FigureFormat formatForPath(const QString& path);

QImage renderImage(const Figure& figure, const attn::Trace& trace);

// Writes the file whole or not at all. Returns an empty string on success, otherwise a
// message naming the file and the reason.
QString exportFigure(const Figure& figure, const attn::Trace& trace, const QString& path);
