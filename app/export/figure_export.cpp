#include "figure_export.h"

#include <QBuffer>
#include <QDir>
#include <QFileInfo>
#include <QImage>
#include <QImageWriter>
#include <QPainter>
#include <QSaveFile>
#include <QSvgGenerator>

#include <algorithm>

FigureFormat formatForPath(const QString& path)
{
    return path.endsWith(u".svg"_qs, Qt::CaseInsensitive) ? FigureFormat::Svg : FigureFormat::Png;
}

QImage renderImage(const Figure& figure, const attn::Trace& trace)
{
    const double scale = std::clamp(figure.scale, 1.0, 4.0);
    QImage image(figure.size * scale, QImage::Format_ARGB32_Premultiplied);
    if (image.isNull())
        return image;
    image.fill(figure.options.look.background); // never leave uninitialised pixels in a file
    QPainter painter(&image);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setRenderHint(QPainter::TextAntialiasing);
    painter.scale(scale, scale);
    figure.paint(painter, QRectF(QPointF(0, 0), QSizeF(figure.size)), trace, figure.options);
    painter.end();
    return image;
}

QByteArray renderPng(const Figure& figure, const attn::Trace& trace)
{
    const QImage image = renderImage(figure, trace);
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    if (image.isNull() || !image.save(&buffer, "PNG"))
        return QByteArray();
    return bytes;
}

QByteArray renderSvg(const Figure& figure, const attn::Trace& trace)
{
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    QSvgGenerator generator;
    generator.setOutputDevice(&buffer);
    generator.setSize(figure.size);
    generator.setViewBox(QRect(QPoint(0, 0), figure.size));
    generator.setResolution(96);
    generator.setTitle(u"Attention Explorer"_qs);
    generator.setDescription(figure.options.look.text);
    QPainter painter;
    if (!painter.begin(&generator))
        return QByteArray();
    painter.setRenderHint(QPainter::Antialiasing);
    figure.paint(painter, QRectF(QPointF(0, 0), QSizeF(figure.size)), trace, figure.options);
    painter.end();
    return bytes;
}

QString exportFigure(const Figure& figure, const attn::Trace& trace, const QString& path)
{
    if (path.isEmpty())
        return u"No file name was given for the export."_qs;
    if (!figure.paint || figure.size.isEmpty())
        return u"There is no figure to export."_qs;
    const QFileInfo info(path);
    if (!info.absoluteDir().exists())
        return u"Cannot write "_qs + QDir::toNativeSeparators(path) + u": the folder "_qs
               + QDir::toNativeSeparators(info.absolutePath()) + u" does not exist."_qs;

    const QByteArray bytes = formatForPath(path) == FigureFormat::Svg ? renderSvg(figure, trace) : renderPng(figure, trace);
    if (bytes.isEmpty())
        return u"Could not render the figure for "_qs + QDir::toNativeSeparators(path)
               + u" (an image this large may not fit in memory; try a smaller scale)."_qs;

    // A device or pipe (say /dev/stdout) is written in place; renaming a finished file
    // over it, as below, would replace the device itself.
    if (info.exists() && !info.isFile()) {
        QFile device(path);
        if (!device.open(QIODevice::WriteOnly))
            return u"Cannot write "_qs + QDir::toNativeSeparators(path) + u": "_qs + device.errorString();
        if (device.write(bytes) != bytes.size() || !device.flush())
            return u"Could not write all of "_qs + QDir::toNativeSeparators(path) + u": "_qs + device.errorString();
        return QString();
    }
    // QSaveFile writes beside the target and renames at the end, so a full disk or a
    // read-only folder leaves no half-written file and reports why.
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return u"Cannot write "_qs + QDir::toNativeSeparators(path) + u": "_qs + file.errorString();
    if (file.write(bytes) != bytes.size()) {
        const QString reason = file.errorString();
        file.cancelWriting();
        return u"Could not write all of "_qs + QDir::toNativeSeparators(path) + u": "_qs + reason;
    }
    if (!file.commit())
        return u"Could not save "_qs + QDir::toNativeSeparators(path) + u": "_qs + file.errorString();
    return QString();
}
