#include "page_size.h"

#include "views/steps_view.h"
#include "views/view_registry.h"

#include <QFontMetricsF>

#include <cmath>
#include <optional>

namespace {

QString sizeText(QSize size)
{
    return QString::number(size.width()) + u'x' + QString::number(size.height());
}

} // namespace

QString pngSizeProblem(QSize size, double scale)
{
    constexpr double mostPixels = 64e6;
    const double width = std::ceil(size.width() * scale), height = std::ceil(size.height() * scale);
    if (width * height <= mostPixels)
        return {};
    return u"--size "_qs + sizeText(size) + u" at --scale "_qs + QString::number(scale) + u" makes a PNG of "_qs
           + QString::number(width, 'f', 0) + u" × "_qs + QString::number(height, 'f', 0) + u" pixels ("_qs
           + QString::number(width * height * 4 / 1e9, 'f', 1)
           + u" GB while it is drawn); give a smaller --size or --scale (at most 64 million pixels), or export an .svg."_qs;
}

QString pageSizeProblem(const QString& view, QSize size, const Appearance& look)
{
    const qreal line = QFontMetricsF(look.font).height();
    const auto tens = [](qreal pixels) { return int(std::ceil(pixels / 10)) * 10; };
    const QSize least(tens(20 * line), tens(12 * line));
    const std::optional<ViewChoice> choice = parseViewChoice(view, nullptr);
    if (choice && choice->id == ViewId::Steps) {
        const QSize steps = stepsMinimumPageSize(look.presentation);
        if (size.width() < steps.width() || size.height() < steps.height())
            return u"--size "_qs + sizeText(size) + u" is too small for the steps: they need at least "_qs
                   + sizeText(steps) + (look.presentation ? u" in presentation"_qs : QString())
                   + u", where every matrix writes its numbers. Give a larger --size, or leave it out for "_qs
                   + sizeText(stepsExportPageSize()) + u'.';
    }
    if (size.width() < least.width() || size.height() < least.height())
        return u"--size "_qs + sizeText(size) + u" leaves no room for a figure's title, labels and footnote in "_qs
               + (look.presentation ? u"the presentation's"_qs : u"this"_qs) + u" type ("_qs
               + QString::number(look.font.pixelSize()) + u" px): give at least "_qs + sizeText(least)
               + (look.presentation ? u", or leave --presentation out for smaller type."_qs : u"."_qs);
    return {};
}
