// What the GUI tests read off an image: how many colours it holds (a blank page has one).
#pragma once

#include <QImage>
#include <QSet>

// Distinct colours among every second pixel of every second row.
inline int distinctColours(const QImage& image)
{
    QSet<QRgb> colours;
    for (int y = 0; y < image.height(); y += 2)
        for (int x = 0; x < image.width(); x += 2)
            colours.insert(image.pixel(x, y));
    return int(colours.size());
}
