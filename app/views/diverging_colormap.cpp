#include "diverging_colormap.h"

#include <algorithm>
#include <array>
#include <cmath>

namespace {

// ColorBrewer RdBu, 11 classes (Cynthia Brewer, Apache-2.0), ordered from -1 (blue) to +1 (red).
constexpr std::array<QRgb, 11> stops = {
    0x053061, 0x2166ac, 0x4393c3, 0x92c5de, 0xd1e5f0, 0xf7f7f7,
    0xfddbc7, 0xf4a582, 0xd6604d, 0xb2182b, 0x67001f,
};

int mix(int a, int b, double t)
{
    return int(std::lround(a + (b - a) * t));
}

} // namespace

QColor divergingColor(double value, double maxAbs)
{
    if (!(maxAbs > 0.0) || !std::isfinite(value))
        return QColor::fromRgb(stops[5]);
    const double t = (std::clamp(value / maxAbs, -1.0, 1.0) + 1.0) / 2.0 * double(stops.size() - 1);
    const std::size_t low = std::min(std::size_t(t), stops.size() - 2);
    const double f = t - double(low);
    const QRgb a = stops[low], b = stops[low + 1];
    return QColor(mix(qRed(a), qRed(b), f), mix(qGreen(a), qGreen(b), f), mix(qBlue(a), qBlue(b), f));
}
