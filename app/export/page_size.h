// --size: the page a figure from the command line is laid out on, and whether its type
// leaves room on it for a figure worth keeping.
#pragma once

#include "views/view_options.h"

#include <QSize>
#include <QString>

// Why a page of `size` is too small for the figure of `view` (a sandbox view, or a model's),
// drawn in look's type (empty when it is not): every figure needs about twenty lines of type
// across and twelve down for its title, labels and footnote, and the steps the page the
// window gives them, where every matrix writes its numbers.
QString pageSizeProblem(const QString& view, QSize size, const Appearance& look);

// Why a PNG of this page at this pixel scale is too large to draw (empty when it is not):
// past 64 million pixels, a figure held 1 GB and took half a minute to write.
QString pngSizeProblem(QSize size, double scale);
