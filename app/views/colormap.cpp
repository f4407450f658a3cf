#include "colormap.h"

#include <algorithm>
#include <cmath>

namespace {

int channel(double value01)
{
    return std::clamp(int(std::lround(value01 * 255.0)), 0, 255);
}

// Matt Zucker's degree-6 polynomial fit of matplotlib's viridis (CC0).
QRgb viridis(double t)
{
    static constexpr double c[7][3] = {
        {0.2777273272234177, 0.005407344544966578, 0.3340998053353061},
        {0.1050930431085774, 1.404613529898575, 1.384590162594685},
        {-0.3308618287255563, 0.214847559468213, 0.09509516302823659},
        {-4.634230498983486, -5.799100973351585, -19.33244095627987},
        {6.228269936347081, 14.17993336680509, 56.69055260068105},
        {4.776384997670288, -13.74514537774601, -65.35303263337234},
        {-5.435455855934631, 4.645852612178535, 26.3124352495832},
    };
    double rgb[3];
    for (int k = 0; k < 3; ++k) {
        double v = c[6][k];
        for (int i = 5; i >= 0; --i)
            v = v * t + c[i][k];
        rgb[k] = v;
    }
    return qRgb(channel(rgb[0]), channel(rgb[1]), channel(rgb[2]));
}

// d3-scale-chromatic's polynomial fit of cividis (Nuñez et al. 2018), a map that reads
// the same with red-green colour blindness.
QRgb cividis(double t)
{
    const double r = -4.54 - t * (35.34 - t * (2381.73 - t * (6402.7 - t * (7024.72 - t * 2710.57))));
    const double g = 32.49 + t * (170.73 + t * (52.82 - t * (131.46 - t * (176.58 - t * 67.37))));
    const double b = 81.24 + t * (442.36 - t * (2482.43 - t * (6167.24 - t * (6614.94 - t * 2475.67))));
    return qRgb(channel(r / 255.0), channel(g / 255.0), channel(b / 255.0));
}

// For printing: white paper to near black ink, even steps in CIE L* (perceived lightness).
QRgb greys(double t)
{
    const double lightness = 100.0 - 88.0 * t; // L*, 100 = white
    const double fy = (lightness + 16.0) / 116.0;
    const double y = lightness > 8.0 ? fy * fy * fy : lightness / 903.3;
    const double srgb = y <= 0.0031308 ? 12.92 * y : 1.055 * std::pow(y, 1.0 / 2.4) - 0.055;
    const int v = channel(srgb);
    return qRgb(v, v, v);
}

} // namespace

ColorMap::ColorMap(ColorMapId id, bool darkPage) : m_id(id)
{
    const bool lightOnDark = darkPage && id == ColorMapId::Greys;
    for (std::size_t i = 0; i < m_table.size(); ++i) {
        const double t = lightOnDark ? 1.0 - double(i) / 255.0 : double(i) / 255.0;
        switch (id) {
        case ColorMapId::Viridis: m_table[i] = viridis(t); break;
        case ColorMapId::Cividis: m_table[i] = cividis(t); break;
        case ColorMapId::Greys: m_table[i] = greys(t); break;
        }
    }
}

QString ColorMap::key(ColorMapId id)
{
    switch (id) {
    case ColorMapId::Viridis: return QStringLiteral("viridis");
    case ColorMapId::Cividis: return QStringLiteral("cividis");
    case ColorMapId::Greys: return QStringLiteral("greys");
    }
    return QStringLiteral("viridis");
}

QString ColorMap::displayName(ColorMapId id)
{
    switch (id) {
    case ColorMapId::Viridis: return QStringLiteral("Viridis");
    case ColorMapId::Cividis: return QStringLiteral("Cividis (colour-blind safe)");
    case ColorMapId::Greys: return QStringLiteral("Greys (for print)");
    }
    return QString();
}

ColorMapId ColorMap::fromKey(const QString& key, ColorMapId fallback)
{
    return findKey(key).value_or(fallback);
}

std::optional<ColorMapId> ColorMap::findKey(const QString& key)
{
    for (ColorMapId id : all())
        if (ColorMap::key(id) == key)
            return id;
    return std::nullopt;
}

QList<ColorMapId> ColorMap::all()
{
    return {ColorMapId::Viridis, ColorMapId::Cividis, ColorMapId::Greys};
}

QStringList ColorMap::keys()
{
    QStringList keys;
    for (ColorMapId id : all())
        keys << key(id);
    return keys;
}
