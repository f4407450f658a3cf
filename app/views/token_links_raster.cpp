#include "token_links_raster.h"

#include <QRect>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <thread>

namespace {

// Four floats or ints in the compiler's vector type: one operation works on all four.
using Floats = float __attribute__((vector_size(16)));
using Ints = std::int32_t __attribute__((vector_size(16)));
constexpr int lanes = 4;

// One premultiplied pixel (blue, green, red, alpha; 0..255): a blend is then three vector
// operations.
using Pixel = Floats;

Pixel unpack(quint32 argb)
{
    return Pixel{float(qBlue(argb)), float(qGreen(argb)), float(qRed(argb)), float(qAlpha(argb))};
}

// Blends keep every channel within 0..255 and no colour above the alpha, but rounding
// could lift a colour one step above it, which a premultiplied pixel must not have.
quint32 pack(Pixel pixel)
{
    Ints channel = __builtin_convertvector(pixel + 0.5f, Ints);
    const Ints alpha = Ints{} + channel[3];
    channel = channel < alpha ? channel : alpha;
    return quint32(channel[3] << 24 | channel[2] << 16 | channel[1] << 8 | channel[0]);
}

// floor() for the small coordinates of a page, without a call into libm.
inline int floorToInt(float v)
{
    const int i = int(v);
    return i - (v < float(i));
}

// Source-over of an opaque colour at opacity `share` (0..1).
inline void blend(Pixel& pixel, Pixel color, float share)
{
    pixel += (color - pixel) * share;
}

// Pixels kept along the lines' long axis ("major"): each major position holds a
// contiguous run of the pixels across it ("minor"), so that all the lines' pixels at one
// major position lie in a few kilobytes. A band of major positions at a time keeps the
// memory small at any image size. Spare pixels on each side of a run take what falls
// beyond the edge, so drawing needs no bounds test per pixel.
class Band {
public:
    static constexpr int margin = 2;

    Band(int majorCount, int minorCount)
        : m_minorCount(minorCount), m_stride(qsizetype(minorCount) + 2 * margin),
          m_pixels(std::size_t(majorCount) * std::size_t(m_stride))
    {
    }
    int minorCount() const { return m_minorCount; }
    // The run at major position `major` counted from the band's start; index -margin is
    // its first spare pixel.
    Pixel* run(int major) { return m_pixels.data() + major * m_stride + margin; }
    void clear() { std::fill(m_pixels.begin(), m_pixels.end(), Pixel{}); }

private:
    int m_minorCount;
    qsizetype m_stride;
    std::vector<Pixel> m_pixels;
};

// Lines as the sweep walks them, four side by side, so that where each one falls at a
// major pixel is worked out for the four at once: its centre across the band, and which
// major pixels it covers. Unused lanes cover no pixel.
struct LineGroup {
    Floats center0{};    // centre on the minor axis at major pixel 0 (pixel centres at +0.5)
    Floats slope{};      // minor per major
    Floats half{};       // half the band across the minor axis, wider than the line by 1/cos
    Floats opacity{};    // 0..1
    Floats firstCover{}, lastCover{}; // of the end pixels, covered only in part along the line
    Ints first = Ints{} + 1, last{};  // covered major pixels within the image
    Ints lineFirst = Ints{} - 1, lineLast = Ints{} - 1; // the line's end pixels
    Pixel color[lanes] = {};
};

// The lines of one drawing pass, in their order, four to a group.
class Lines {
public:
    bool empty() const { return m_count == 0; }
    const std::vector<LineGroup>& groups() const { return m_groups; }

    // Adds the line from (a0, b0) to (a1, b1) in major/minor coordinates, unless it covers
    // no major pixel of the image.
    void add(float a0, float b0, float a1, float b1, const RasterLine& line, float halfWidth, int majorCount)
    {
        if (a1 < a0) {
            std::swap(a0, a1);
            std::swap(b0, b1);
        }
        const float length = a1 - a0;
        const int lineFirst = floorToInt(a0), lineLast = floorToInt(a1 - 1e-4f);
        const int first = std::max(0, lineFirst), last = std::min(majorCount - 1, lineLast);
        if (!(length > 0.f) || first > last)
            return;
        if (m_count % lanes == 0)
            m_groups.emplace_back();
        LineGroup& group = m_groups.back();
        const int lane = int(m_count++ % lanes);
        const float slope = (b1 - b0) / length;
        group.center0[lane] = b0 + slope * (0.5f - a0);
        group.slope[lane] = slope;
        group.half[lane] = halfWidth * std::sqrt(1.f + slope * slope);
        group.opacity[lane] = std::clamp(line.alpha, 0.f, 1.f);
        group.firstCover[lane] = std::min(float(lineFirst) + 1.f, a1) - a0;
        group.lastCover[lane] = a1 - std::max(float(lineLast), a0);
        group.first[lane] = first;
        group.last[lane] = last;
        group.lineFirst[lane] = lineFirst;
        group.lineLast[lane] = lineLast;
        group.color[lane] = unpack(line.color | 0xff000000u);
    }

private:
    std::vector<LineGroup> m_groups;
    std::size_t m_count = 0;
};

// Draws the lines on the band's major positions [begin, end), one major position at a
// time, every line's pixels there before the next; each pixel still sees the lines in
// their order. Thin lines (one pixel) take Wu's two pixels per step, split by where the
// centre falls; wider ones cover their band with partial pixels at its edges.
template <bool thin>
void sweep(Band& band, int begin, int end, const Lines& lines)
{
    const int minor = band.minorCount();
    for (int major = begin; major < end; ++major) {
        Pixel* run = band.run(major - begin);
        const Ints here = Ints{} + major;
        const Floats hereF = Floats{} + float(major);
        for (const LineGroup& group : lines.groups()) {
            // Opacity 0 where a line does not reach; only its end pixels are partly covered.
            Floats strength = (here >= group.first && here <= group.last) ? group.opacity : Floats{};
            strength *= here == group.lineFirst ? group.firstCover
                                                : (here == group.lineLast ? group.lastCover : Floats{} + 1.f);
            const Floats center = group.center0 + group.slope * hereF;
            if constexpr (thin) {
                // Shifted by the margin so that truncation is floor; beyond the edges both
                // pixels land in the margin.
                Floats upper = center + float(Band::margin - 0.5);
                upper = upper > 0.f ? upper : 0.f;
                upper = upper < float(minor + Band::margin) ? upper : float(minor + Band::margin);
                const Ints m = __builtin_convertvector(upper, Ints);
                const Floats lower = strength * (upper - __builtin_convertvector(m, Floats));
                const Floats higher = strength - lower;
                for (int lane = 0; lane < lanes; ++lane) {
                    Pixel* pixels = run + (m[lane] - Band::margin);
                    blend(pixels[0], group.color[lane], higher[lane]);
                    blend(pixels[1], group.color[lane], lower[lane]);
                }
            } else {
                const Floats lo = center - group.half, hi = center + group.half;
                for (int lane = 0; lane < lanes; ++lane) {
                    if (!(strength[lane] > 0.f))
                        continue;
                    const float laneLo = std::max(lo[lane], -1.f), laneHi = std::min(hi[lane], float(minor) + 1.f);
                    const int top = std::max(0, floorToInt(laneLo)), bottom = std::min(minor - 1, floorToInt(laneHi));
                    for (int m = top; m <= bottom; ++m)
                        blend(run[m], group.color[lane],
                              strength[lane] * (std::min(laneHi, float(m) + 1.f) - std::max(laneLo, float(m))));
                }
            }
        }
    }
}

// Draws the lines (all shallow, or all steep) over the image, a band of major positions
// at a time: the band is read from the image, drawn on, and written back. Bands touch
// different pixels, so the processor's cores take them in turn.
void drawOver(QImage& image, bool alongX, const Lines& lines, float halfWidth, bool imageBlank)
{
    if (lines.empty())
        return;
    auto* bits = reinterpret_cast<quint32*>(image.bits());
    const qsizetype stride = image.bytesPerLine() / qsizetype(sizeof(quint32));
    const int majorCount = alongX ? image.width() : image.height();
    const int minorCount = alongX ? image.height() : image.width();
    constexpr int bandSize = 64;
    std::atomic<int> nextBand = 0;
    const auto drawBands = [&] {
        Band band(bandSize, minorCount);
        for (int begin = nextBand.fetch_add(bandSize); begin < majorCount; begin = nextBand.fetch_add(bandSize)) {
            const int end = std::min(majorCount, begin + bandSize);
            // The band's pixels in the image's order, so that the image's memory is walked
            // straight whichever way the band runs.
            const QRect area =
                alongX ? QRect(begin, 0, end - begin, minorCount) : QRect(0, begin, minorCount, end - begin);
            const auto forEachPixel = [&](auto&& move) {
                for (int y = area.top(); y <= area.bottom(); ++y)
                    for (int x = area.left(); x <= area.right(); ++x)
                        move(bits[y * stride + x], alongX ? band.run(x - begin)[y] : band.run(y - begin)[x]);
            };
            if (imageBlank)
                band.clear();
            else
                forEachPixel([](quint32 pixel, Pixel& drawn) { drawn = unpack(pixel); });
            if (halfWidth <= 0.5f)
                sweep<true>(band, begin, end, lines);
            else
                sweep<false>(band, begin, end, lines);
            forEachPixel([](quint32& pixel, Pixel drawn) { pixel = pack(drawn); });
        }
    };
    const int bands = (majorCount + bandSize - 1) / bandSize;
    const int helpers = std::clamp(int(std::thread::hardware_concurrency()) - 1, 0, bands - 1);
    std::vector<std::jthread> threads;
    for (int i = 0; i < helpers; ++i)
        threads.emplace_back(drawBands);
    drawBands();
}

} // namespace

QImage rasterizeLines(QSize size, const std::vector<RasterLine>& lines, double width)
{
    QImage image(size, QImage::Format_ARGB32_Premultiplied);
    if (image.isNull())
        return image;
    const float halfWidth = float(std::max(0.5, width / 2.0));
    // Lines mostly run across the page and are drawn column by column; steep ones (rare)
    // row by row, after the others.
    Lines across, down;
    for (const RasterLine& line : lines) {
        if (!(line.alpha * 255.f >= 0.5f))
            continue;
        const float x0 = float(line.from.x()), y0 = float(line.from.y());
        const float x1 = float(line.to.x()), y1 = float(line.to.y());
        if (std::abs(x1 - x0) >= std::abs(y1 - y0))
            across.add(x0, y0, x1, y1, line, halfWidth, size.width());
        else
            down.add(y0, x0, y1, x1, line, halfWidth, size.height());
    }
    // The first drawing writes every pixel; without it the image starts transparent.
    if (across.empty())
        image.fill(Qt::transparent);
    drawOver(image, true, across, halfWidth, true);
    drawOver(image, false, down, halfWidth, across.empty());
    return image;
}
