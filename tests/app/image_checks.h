// What the GUI tests read off an image: how many colours it holds (a blank page has one).
#pragma once

#include <QImage>
#include <QSet>

// Distinct colours among every `step`-th pixel of every `step`-th row.
inline int distinctColours(const QImage& image, int step = 2)
{
    QSet<QRgb> colours;
    for (int y = 0; y < image.height(); y += step)
        for (int x = 0; x < image.width(); x += step)
            colours.insert(image.pixel(x, y));
    return int(colours.size());
}
