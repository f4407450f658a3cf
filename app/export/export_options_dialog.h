// What the window's export asks after the file name: the page the figure is drawn on (the
// view as shown, or a slide's) and, for a PNG, its pixel scale.
#pragma once

#include <QSize>

#include <optional>

class QWidget;

struct ExportOptions {
    std::optional<QSize> page; // a slide's page; none: the view as shown, cut to what is painted
    double scale = 2.0;        // PNG pixels per page pixel
};

// `shown`: the view's size, named in the first choice. `png`: ask for the pixel scale too.
// `last`: the choices it opens with (a series of slides is exported alike). None when cancelled.
std::optional<ExportOptions> askExportOptions(QWidget* parent, QSize shown, bool png, const ExportOptions& last = {});

// The pages offered besides the view as shown.
inline constexpr QSize slidePages[] = {QSize(1280, 720), QSize(1920, 1080)};
