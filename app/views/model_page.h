// The frame every model view shares: background and a title line naming the text, the
// model and its shape, like paintkit::beginPage does for the sandbox.
#pragma once

#include "model/model_result.h"
#include "view_options.h"

#include <QPainter>
#include <QRectF>
#include <QString>

namespace modelpaint {

// The page below the title beginPage paints.
QRectF pageContent(QRectF page, const ModelResult& result, const ViewOptions& options, const QString& viewName);
// Fills the page, paints the title when wanted, returns the area below it.
QRectF beginPage(QPainter& painter, QRectF page, const ModelResult& result, const ViewOptions& options,
                 const QString& viewName);
// "L3 H5", counted from 1 as the rest of the window counts heads.
QString headName(int layer, int head);

} // namespace modelpaint
