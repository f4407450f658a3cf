#include "model_export.h"

#include <QBuffer>
#include <QDir>
#include <QFileInfo>
#include <QPainter>
#include <QSaveFile>
#include <QSvgGenerator>

#include <algorithm>

namespace {

QRectF pageOf(const ModelFigure& figure)
{
    return QRectF(QPointF(0, 0), QSizeF(figure.size));
}

QByteArray renderSvg(const ModelFigure& figure, const ModelResult& result)
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
    modelViewKind(figure.view).paint(painter, pageOf(figure), result, figure.options, figure.focus);
    painter.end();
    return bytes;
}

} // namespace

QImage renderModelImage(const ModelFigure& figure, const ModelResult& result)
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
    modelViewKind(figure.view).paint(painter, pageOf(figure), result, figure.options, figure.focus);
    painter.end();
    return image;
}

QString exportModelFigure(const ModelFigure& figure, const ModelResult& result, const QString& path)
{
    if (path.isEmpty())
        return u"No file name was given for the export."_qs;
    if (figure.size.isEmpty())
        return u"There is no figure to export."_qs;
    const QFileInfo info(path);
    if (!info.absoluteDir().exists())
        return u"Cannot write "_qs + QDir::toNativeSeparators(path) + u": the folder "_qs
               + QDir::toNativeSeparators(info.absolutePath()) + u" does not exist."_qs;
    QByteArray bytes;
    if (path.endsWith(u".svg"_qs, Qt::CaseInsensitive)) {
        bytes = renderSvg(figure, result);
    } else {
        QBuffer buffer(&bytes);
        buffer.open(QIODevice::WriteOnly);
        const QImage image = renderModelImage(figure, result);
        if (image.isNull() || !image.save(&buffer, "PNG"))
            bytes.clear();
    }
    if (bytes.isEmpty())
        return u"Could not render the figure for "_qs + QDir::toNativeSeparators(path)
               + u" (an image this large may not fit in memory; try a smaller scale)."_qs;
    // QSaveFile writes beside the target and renames at the end: no half-written file.
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
