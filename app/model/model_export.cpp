#include "model_export.h"

#include "export/figure_export.h"

namespace {

// The model figure as a page for the shared PNG/SVG writer; it refers to figure and
// result, which outlive the call.
Page pageOf(const ModelFigure& figure, const ModelResult& result)
{
    const auto paint = [&figure, &result](QPainter& painter, QRectF rect) {
        modelViewKind(figure.view).paint(painter, rect, result, figure.options, figure.focus);
    };
    return makePage(paint, figure.size, figure.scale, figure.options.look, figure.fit);
}

} // namespace

QImage renderModelImage(const ModelFigure& figure, const ModelResult& result)
{
    return renderPageImage(pageOf(figure, result));
}

QString exportModelFigure(const ModelFigure& figure, const ModelResult& result, const QString& path)
{
    return exportPage(pageOf(figure, result), path);
}
