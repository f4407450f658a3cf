// Writes a model view's figure to a PNG or SVG file, painted by the same function that
// paints the screen (the model views' counterpart of export/figure_export.h).
#pragma once

#include "model_result.h"
#include "export/figure_export.h"
#include "views/model_view_state.h"
#include "views/model_views.h"
#include "views/view_options.h"

#include <QImage>
#include <QSize>
#include <QString>

struct ModelFigure {
    ModelViewId view = ModelViewId::Grid;
    ViewOptions options;
    ModelFocus focus;
    QSize size;         // logical pixels of the page
    double scale = 1.0; // PNG pixels per logical pixel, 1 to 4
    PageFit fit = PageFit::AsLaidOut;
};

QImage renderModelImage(const ModelFigure& figure, const ModelResult& result);
// .svg by extension, PNG otherwise. Returns an empty string on success, otherwise a
// message naming the file and the reason; the file is written whole or not at all.
QString exportModelFigure(const ModelFigure& figure, const ModelResult& result, const QString& path);
