#include "token_links_raster.h"

#include <algorithm>
#include <cmath>

namespace {

// x × a / 255 for each of the four bytes of a premultiplied pixel (Qt's BYTE_MUL).
inline quint32 byteMul(quint32 x, quint32 a)
{
    quint32 t = (x & 0xff00ffu) * a;
    t = (t + ((t >> 8) & 0xff00ffu) + 0x800080u) >> 8;
    t &= 0xff00ffu;
    x = ((x >> 8) & 0xff00ffu) * a;
    x = x + ((x >> 8) & 0xff00ffu) + 0x800080u;
    x &= 0xff00ff00u;
    return x | t;
}

// Source-over of an opaque colour at opacity a/255 onto a premultiplied pixel.
inline void blend(quint32& pixel, quint32 opaque, int a)
{
    pixel = byteMul(opaque, quint32(a)) + byteMul(pixel, quint32(255 - a));
}

// floor() for the small coordinates of a page, without a call into libm.
inline int floorToInt(float v)
{
    const int i = int(v);
    return i - (v < float(i));
}

// Walks the line along its long axis ("major"), one pixel step at a time, and covers the
// band of the line's thickness across the short axis ("minor") with partial pixels at
// its edges. majorStep and minorStep are the pixel strides of the two axes.
void drawAlongMajor(quint32* bits, qsizetype majorStep, qsizetype minorStep, int majorBegin, int majorEnd, int minorSize,
                    float a0, float b0, float a1, float b1, float halfWidth, quint32 opaque, float alpha255)
{
    if (a1 < a0) {
        std::swap(a0, a1);
        std::swap(b0, b1);
    }
    const float length = a1 - a0;
    if (!(length > 0.f))
        return;
    const float slope = (b1 - b0) / length;
    // The line's band measured across the minor axis is wider than the line by 1/cos.
    const float half = halfWidth * std::sqrt(1.f + slope * slope);
    const int lineFirst = floorToInt(a0), lineLast = floorToInt(a1 - 1e-4f);
    const int first = std::max(majorBegin, lineFirst);
    const int last = std::min(majorEnd - 1, lineLast);
    float center = b0 + slope * (float(first) + 0.5f - a0);
    if (halfWidth <= 0.5f) {
        // A one-pixel line: Wu's two pixels per step, split by where the centre falls.
        // Most links are drawn here. Blending at opacity 0 changes nothing, so a line
        // well inside the image needs no branch per pixel (mispredicted branches, not
        // arithmetic, were the cost here).
        const bool inside = std::min(b0, b1) >= 1.f && std::max(b0, b1) + 2.f < float(minorSize);
        for (int a = first; a <= last; ++a, center += slope) {
            float strength = alpha255;
            if (a == lineFirst || a == lineLast)
                strength *= std::min(float(a) + 1.f, a1) - std::max(float(a), a0);
            const float upper = center - 0.5f;
            const int m = floorToInt(upper);
            const float below = upper - float(m); // the share of the lower pixel
            quint32* column = bits + a * majorStep;
            const int lower = std::min(255, int(strength * below + 0.5f));
            const int higher = std::min(255, std::max(0, int(strength + 0.5f) - lower));
            if (inside) {
                blend(column[m * minorStep], opaque, higher);
                blend(column[(m + 1) * minorStep], opaque, lower);
                continue;
            }
            if (m >= 0 && m < minorSize)
                blend(column[m * minorStep], opaque, higher);
            if (m + 1 >= 0 && m + 1 < minorSize)
                blend(column[(m + 1) * minorStep], opaque, lower);
        }
        return;
    }
    for (int a = first; a <= last; ++a, center += slope) {
        // Only the two end pixels are partly along the line's length.
        float strength = alpha255;
        if (a == lineFirst || a == lineLast)
            strength *= std::min(float(a) + 1.f, a1) - std::max(float(a), a0);
        const float lo = center - half, hi = center + half;
        const int top = std::max(0, floorToInt(lo));
        const int bottom = std::min(minorSize - 1, floorToInt(hi));
        quint32* column = bits + a * majorStep;
        for (int m = top; m <= bottom; ++m) {
            const float cover = std::min(hi, float(m) + 1.f) - std::max(lo, float(m));
            const int opacity = std::min(255, int(strength * cover + 0.5f));
            if (opacity > 0)
                blend(column[m * minorStep], opaque, opacity);
        }
    }
}

} // namespace

void rasterizeLines(QImage& image, const std::vector<RasterLine>& lines, double width)
{
    if (image.format() != QImage::Format_ARGB32_Premultiplied || image.isNull())
        return;
    auto* bits = reinterpret_cast<quint32*>(image.bits());
    const qsizetype stride = image.bytesPerLine() / qsizetype(sizeof(quint32));
    const float halfWidth = float(std::max(0.5, width / 2.0));
    // Lines mostly run across the page. Drawn one after another over the whole image,
    // each would pull every row it crosses through the cache; drawn strip by strip (every
    // line's part within a strip of columns, then the next strip) the pixels touched stay
    // in cache. Each pixel still sees the lines in their order. Steep lines (rare) are
    // drawn whole after the strips.
    constexpr int stripWidth = 128;
    for (int begin = 0; begin < image.width(); begin += stripWidth) {
        const int end = std::min(image.width(), begin + stripWidth);
        for (const RasterLine& line : lines) {
            const float alpha255 = std::clamp(line.alpha, 0.f, 1.f) * 255.f;
            const float x0 = float(line.from.x()), y0 = float(line.from.y());
            const float x1 = float(line.to.x()), y1 = float(line.to.y());
            if (alpha255 >= 0.5f && std::abs(x1 - x0) >= std::abs(y1 - y0))
                drawAlongMajor(bits, 1, stride, begin, end, image.height(), x0, y0, x1, y1, halfWidth, line.color | 0xff000000u,
                               alpha255);
        }
    }
    for (const RasterLine& line : lines) {
        const float alpha255 = std::clamp(line.alpha, 0.f, 1.f) * 255.f;
        const float x0 = float(line.from.x()), y0 = float(line.from.y());
        const float x1 = float(line.to.x()), y1 = float(line.to.y());
        if (alpha255 >= 0.5f && std::abs(x1 - x0) < std::abs(y1 - y0))
            drawAlongMajor(bits, stride, 1, 0, image.height(), image.width(), y0, x0, y1, x1, halfWidth, line.color | 0xff000000u,
                           alpha255);
    }
}
