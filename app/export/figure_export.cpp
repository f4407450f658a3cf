#include "figure_export.h"
#include "write_whole.h"

#include <QBuffer>
#include <QDir>
#include <QFileInfo>
#include <QImage>
#include <QPainter>
#include <QRegularExpression>
#include <QSaveFile>
#include <QSvgGenerator>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

#include <fcntl.h>
#include <unistd.h>

namespace {

// The extension a name asks for a format with, as typed; empty where it asks for none: no
// suffix, or digits only (figure-v1.2). Read from the name alone, so that what is refused
// does not depend on the image plugins installed (.gif and .webp once got PNG bytes).
QString formatExtension(const QString& path)
{
    const QString suffix = QFileInfo(path).suffix();
    return std::any_of(suffix.cbegin(), suffix.cend(), [](QChar c) { return c.isLetter(); }) ? suffix : QString();
}

// An existing file that is not a figure (a layer, a session, notes) is never written over:
// an export of the wrong name would otherwise destroy it without a word.
bool holdsSomethingElse(const QString& path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return false; // unreadable: writing reports its own reason
    const QByteArray start = file.read(4096);
    return !start.isEmpty() && !start.startsWith("\x89PNG\r\n\x1a\n") && !start.contains("<svg");
}

// A device or pipe (say /dev/stdout), written in place, not as a file.
bool namesADevice(const QString& path)
{
    const QFileInfo info(path);
    return info.exists() && !info.isFile() && !info.isDir();
}

// Text for the SVG's <desc>, which QSvgGenerator writes unescaped: markup escaped, and
// the control characters XML 1.0 does not allow left out.
QString xmlText(const QString& text)
{
    QString kept;
    for (const QChar c : text)
        if (c.unicode() >= 0x20 || c == u'\t' || c == u'\n' || c == u'\r')
            kept += c;
    return kept.toHtmlEscaped();
}

// QSvgGenerator names one font family; a viewer without it (DejaVu Sans is rare outside
// Linux) then falls back to its default, often a serif. A generic sans-serif after each
// family keeps the figure's look there.
QByteArray withGenericFontFamily(const QByteArray& svg)
{
    static const QRegularExpression family(u"font-family=\"([^\"]*)\""_qs);
    return QString::fromUtf8(svg).replace(family, u"font-family=\"\\1, sans-serif\""_qs).toUtf8();
}

// QSvgGenerator declares the size in millimetres rounded to 3 decimals (370.417mm for a
// 1400-pixel page), which renderers round up to 1401 pixels, a transparent strip at the
// edge. Points are exact at 96 pixels per inch, as the PNG is tagged: a pixel is 0.75 pt.
QByteArray withExactSize(const QByteArray& svg, QSize size)
{
    static const QRegularExpression declared(u"<svg width=\"[^\"]*\" height=\"[^\"]*\""_qs);
    const auto points = [](int pixels) { return QString::number(pixels * 0.75, 'f', 2); };
    return QString::fromUtf8(svg)
        .replace(declared, u"<svg width=\""_qs + points(size.width()) + u"pt\" height=\""_qs + points(size.height())
                               + u"pt\""_qs)
        .toUtf8();
}

// The rectangle the painting covers on its page; empty where it paints nothing but the
// background.
QRect paintedRect(const Page& page)
{
    QImage image(page.size, QImage::Format_RGB32);
    image.fill(page.background);
    {
        QPainter painter(&image);
        page.paint(painter, QRectF(QPointF(0, 0), QSizeF(page.size)));
    }
    const QRgb background = page.background.rgb();
    int left = image.width(), top = image.height(), right = -1, bottom = -1;
    for (int y = 0; y < image.height(); ++y) {
        const auto* line = reinterpret_cast<const QRgb*>(image.constScanLine(y));
        for (int x = 0; x < image.width(); ++x)
            if (line[x] != background) {
                left = std::min(left, x);
                right = std::max(right, x);
                top = std::min(top, y);
                bottom = std::max(bottom, y);
            }
    }
    return right < 0 ? QRect() : QRect(QPoint(left, top), QPoint(right, bottom));
}

// The page fitted to its painting. Cut: a view laid out on a window's page leaves bands of
// background (a square matrix on a wide page) that a figure for a slide or paper should not
// carry. Centred: a slide's page keeps its size, and the figure (heads of square matrices
// on a wide slide, the next tokens' short list) its place in the middle rather than in the
// top left corner. The painting is the same, moved; nothing is laid out anew.
Page fitted(const Page& page)
{
    if (page.fit == PageFit::AsLaidOut || !page.paint || page.size.isEmpty())
        return page;
    const QRect painted = paintedRect(page);
    if (painted.isEmpty())
        return page;
    Page moved = page;
    moved.fit = PageFit::AsLaidOut;
    QPoint offset;
    if (page.fit == PageFit::CropToContent) {
        constexpr int margin = 8;
        const QRect kept = painted.adjusted(-margin, -margin, margin, margin).intersected(QRect(QPoint(0, 0), page.size));
        moved.size = kept.size();
        offset = -kept.topLeft();
    } else {
        offset = QRect(QPoint(0, 0), page.size).center() - painted.center();
    }
    // The page's own colour first: the view's background moves with it, and an SVG (which
    // no image underlies) would leave the band it moved from see-through.
    moved.paint = [paint = page.paint, whole = page.size, size = moved.size, background = page.background,
                   offset](QPainter& painter, QRectF) {
        painter.fillRect(QRectF(QPointF(0, 0), QSizeF(size)), background);
        painter.translate(offset);
        paint(painter, QRectF(QPointF(0, 0), QSizeF(whole)));
    };
    return moved;
}

} // namespace

FigureFormat formatForPath(const QString& path)
{
    return path.endsWith(u".svg"_qs, Qt::CaseInsensitive) ? FigureFormat::Svg : FigureFormat::Png;
}

Page makePage(std::function<void(QPainter&, QRectF)> paint, QSize size, double scale, const Appearance& look,
              PageFit fit)
{
    const QString texts = look.source.isEmpty() ? look.text : look.text + u" ← "_qs + look.source;
    return Page{std::move(paint), size, scale, look.background, texts, fit};
}

QImage renderPageImage(const Page& whole)
{
    const Page page = fitted(whole);
    const double scale = std::clamp(page.scale, 1.0, 4.0);
    QImage image(page.size * scale, QImage::Format_ARGB32_Premultiplied);
    if (image.isNull())
        return image;
    image.fill(page.background); // never leave uninitialised pixels in a file
    // 96 dots per inch of the page, so that a 2× image lands in a document (or a slide) at
    // the size of the 1× one and of the SVG, only sharper.
    const int dotsPerMeter = qRound(96.0 * scale / 0.0254);
    image.setDotsPerMeterX(dotsPerMeter);
    image.setDotsPerMeterY(dotsPerMeter);
    QPainter painter(&image);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setRenderHint(QPainter::TextAntialiasing);
    painter.scale(scale, scale);
    page.paint(painter, QRectF(QPointF(0, 0), QSizeF(page.size)));
    painter.end();
    return image;
}

QByteArray renderPagePng(const Page& page)
{
    const QImage image = renderPageImage(page);
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    if (image.isNull() || !image.save(&buffer, "PNG"))
        return QByteArray();
    return bytes;
}

QByteArray renderPageSvg(const Page& whole)
{
    const Page page = fitted(whole);
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    QSvgGenerator generator;
    generator.setOutputDevice(&buffer);
    generator.setSize(page.size);
    generator.setViewBox(QRect(QPoint(0, 0), page.size));
    generator.setResolution(96);
    generator.setTitle(u"Attention Explorer"_qs);
    generator.setDescription(xmlText(page.description));
    QPainter painter;
    if (!painter.begin(&generator))
        return QByteArray();
    painter.setRenderHint(QPainter::Antialiasing);
    page.paint(painter, QRectF(QPointF(0, 0), QSizeF(page.size)));
    painter.end();
    return withExactSize(withGenericFontFamily(bytes), page.size);
}

QString exportPathProblem(const QString& path)
{
    if (path.isEmpty())
        return u"No file name was given for the export."_qs;
    const QFileInfo info(path);
    const QString cannot = u"Cannot write "_qs + QDir::toNativeSeparators(path) + u": "_qs;
    if (const QString extension = formatExtension(path); !extension.isEmpty()
        && extension.compare(u"png"_qs, Qt::CaseInsensitive) != 0 && extension.compare(u"svg"_qs, Qt::CaseInsensitive) != 0)
        return cannot + u"figures are saved as PNG or SVG, not as ."_qs + extension
               + u"; end the file name with .png or .svg."_qs;
    // Checked before anything opens it: opening a pipe with no reader waits forever.
    if (info.isDir())
        return cannot + u"it is a folder; give the name of a file in it, as in "_qs
               + QDir::toNativeSeparators(QDir(path).filePath(u"figure.png"_qs)) + u'.';
    if (info.isFile() && holdsSomethingElse(path))
        return cannot + u"it holds something other than a PNG or SVG figure (an input of yours?); choose another name, "
                        u"or delete the file first."_qs;
    if (!info.absoluteDir().exists())
        return cannot + u"the folder "_qs + QDir::toNativeSeparators(info.absolutePath()) + u" does not exist; create it first, or choose another folder."_qs;
    return QString();
}

bool isFigureFile(const QString& path)
{
    const QFileInfo info(path);
    const QString extension = info.suffix();
    return info.isFile() && (extension.compare(u"png"_qs, Qt::CaseInsensitive) == 0 || extension.compare(u"svg"_qs, Qt::CaseInsensitive) == 0)
           && info.size() > 0 && !holdsSomethingElse(path);
}

QString exportPage(const Page& page, const QString& path)
{
    if (const QString problem = exportPathProblem(path); !problem.isEmpty())
        return problem;
    if (!page.paint || page.size.isEmpty())
        return u"There is no figure to export."_qs;
    const QByteArray bytes = formatForPath(path) == FigureFormat::Svg ? renderPageSvg(page) : renderPagePng(page);
    if (bytes.isEmpty())
        return u"Could not render the figure for "_qs + QDir::toNativeSeparators(path)
               + u" (an image this large may not fit in memory; try a smaller scale)."_qs;

    // A device or pipe is written in place; renaming a finished file over it, as below,
    // would replace the device itself.
    if (namesADevice(path)) {
        // Opened without waiting: a pipe that nothing reads fails at once (ENXIO), where a
        // plain open would wait for a reader for ever. Then written as any file is.
        const int fd = ::open(QFile::encodeName(path).constData(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0)
            return u"Cannot write "_qs + QDir::toNativeSeparators(path) + u": "_qs
                   + (errno == ENXIO ? u"it is a pipe that nothing reads; start its reader first, or give the name of a file."_qs
                                     : QString::fromLocal8Bit(std::strerror(errno)) + u'.');
        ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
        QFile device;
        if (!device.open(fd, QIODevice::WriteOnly, QFileDevice::AutoCloseHandle)) {
            ::close(fd);
            return u"Cannot write "_qs + QDir::toNativeSeparators(path) + u": "_qs + device.errorString();
        }
        if (device.write(bytes) != bytes.size() || !device.flush())
            return u"Could not write all of "_qs + QDir::toNativeSeparators(path) + u": "_qs + device.errorString();
        return QString();
    }
    // QSaveFile writes beside the target and renames at the end, so a full disk or a
    // read-only folder leaves no half-written file, and any earlier figure as it was.
    const QString kept = u"; any earlier file of that name is unchanged."_qs;
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Unbuffered))
        return u"Cannot write "_qs + QDir::toNativeSeparators(path) + u": "_qs + file.errorString()
               + u"; save it in a folder where you may create files."_qs;
    if (!writeWhole(file, bytes)) {
        const QString reason = file.errorString();
        file.cancelWriting();
        return u"Could not write all of "_qs + QDir::toNativeSeparators(path) + u": "_qs + reason + kept;
    }
    if (!file.commit())
        return u"Could not save "_qs + QDir::toNativeSeparators(path) + u": "_qs + file.errorString() + kept;
    return QString();
}

namespace {

// The sandbox figure as a page; it refers to figure and trace, which outlive the call.
Page pageOf(const Figure& figure, const attn::Trace& trace)
{
    // No paint function stays an empty one, which exportPage reports as no figure.
    std::function<void(QPainter&, QRectF)> paint;
    if (figure.paint)
        paint = [&figure, &trace](QPainter& painter, QRectF rect) { figure.paint(painter, rect, trace, figure.options); };
    return makePage(std::move(paint), figure.size, figure.scale, figure.options.look, figure.fit);
}

} // namespace

QImage renderImage(const Figure& figure, const attn::Trace& trace)
{
    return renderPageImage(pageOf(figure, trace));
}

QString exportFigure(const Figure& figure, const attn::Trace& trace, const QString& path)
{
    return exportPage(pageOf(figure, trace), path);
}
