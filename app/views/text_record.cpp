#include "text_record.h"

#include <QPaintDevice>
#include <QPaintEngine>
#include <QPainter>
#include <QTextItem>

namespace {

// Draws nothing; keeps the text items. Claims every feature so QPainter hands it the
// transform and the text as they are, rather than emulating them with paths.
class RecordingEngine : public QPaintEngine {
public:
    RecordingEngine() : QPaintEngine(QPaintEngine::AllFeatures) {}

    QList<DrawnText> texts;

    bool begin(QPaintDevice*) override { return true; }
    bool end() override { return true; }
    Type type() const override { return QPaintEngine::User; }
    void updateState(const QPaintEngineState& state) override
    {
        if (state.state() & QPaintEngine::DirtyTransform)
            m_transform = state.transform();
    }
    void drawTextItem(const QPointF& origin, const QTextItem& item) override
    {
        const QString text = item.text();
        if (text.trimmed().isEmpty())
            return;
        const QRectF box(origin.x(), origin.y() - item.ascent(), item.width(), item.ascent() + item.descent());
        texts.append(DrawnText{text, m_transform.mapRect(box)});
    }
    // Shapes and images are not text: nothing to keep. Both polygon overloads are given,
    // since each default calls the other.
    void drawPixmap(const QRectF&, const QPixmap&, const QRectF&) override {}
    void drawImage(const QRectF&, const QImage&, const QRectF&, Qt::ImageConversionFlags) override {}
    void drawTiledPixmap(const QRectF&, const QPixmap&, const QPointF&) override {}
    void drawPath(const QPainterPath&) override {}
    void drawPolygon(const QPointF*, int, PolygonDrawMode) override {}
    void drawPolygon(const QPoint*, int, PolygonDrawMode) override {}
    void drawLines(const QLineF*, int) override {}
    void drawLines(const QLine*, int) override {}
    void drawRects(const QRectF*, int) override {}
    void drawRects(const QRect*, int) override {}
    void drawEllipse(const QRectF&) override {}
    void drawPoints(const QPointF*, int) override {}

private:
    QTransform m_transform;
};

class RecordingDevice : public QPaintDevice {
public:
    explicit RecordingDevice(QSize size) : m_size(size) {}
    ~RecordingDevice() override = default;

    QPaintEngine* paintEngine() const override { return &m_engine; }
    QList<DrawnText> texts() const { return m_engine.texts; }

protected:
    int metric(PaintDeviceMetric metric) const override
    {
        switch (metric) {
        case PdmWidth: return m_size.width();
        case PdmHeight: return m_size.height();
        case PdmWidthMM: return m_size.width() * 254 / 960;
        case PdmHeightMM: return m_size.height() * 254 / 960;
        case PdmNumColors: return 0x7fffffff;
        case PdmDepth: return 32;
        case PdmDpiX:
        case PdmDpiY:
        case PdmPhysicalDpiX:
        case PdmPhysicalDpiY: return 96;
        case PdmDevicePixelRatio: return 1;
        case PdmDevicePixelRatioScaled: return int(QPaintDevice::devicePixelRatioFScale());
        default: return QPaintDevice::metric(metric);
        }
    }

private:
    QSize m_size;
    mutable RecordingEngine m_engine;
};

} // namespace

QList<DrawnText> recordDrawnText(PaintFunction paint, QSize page, const attn::Trace& trace, const ViewOptions& options)
{
    RecordingDevice device(page);
    QPainter painter(&device);
    paint(painter, QRectF(QPointF(0, 0), QSizeF(page)), trace, options);
    painter.end();
    return device.texts();
}

QStringList overlappingTexts(const QList<DrawnText>& texts, QSize page, qreal tolerance)
{
    QStringList problems;
    const QRectF bounds = QRectF(QPointF(0, 0), QSizeF(page)).adjusted(-tolerance, -tolerance, tolerance, tolerance);
    QList<QRectF> shrunk;
    for (const DrawnText& text : texts) {
        if (!bounds.contains(text.rect))
            problems << u"“"_qs + text.text + u"” lies outside the page"_qs;
        shrunk << text.rect.adjusted(tolerance, tolerance, -tolerance, -tolerance);
    }
    for (qsizetype a = 0; a < texts.size(); ++a)
        for (qsizetype b = a + 1; b < texts.size(); ++b)
            if (shrunk[a].intersects(shrunk[b]))
                problems << u"“"_qs + texts[a].text + u"” and “"_qs + texts[b].text + u"” overlap"_qs;
    return problems;
}
