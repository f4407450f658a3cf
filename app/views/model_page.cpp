#include "model_page.h"

#include <QFontMetricsF>

#include <algorithm>

namespace modelpaint {

QRectF pageContent(QRectF page, const ViewOptions& options)
{
    QRectF area = page.adjusted(8, 6, -8, -6);
    if (!options.look.title)
        return area;
    QFont bold = options.look.font;
    bold.setBold(true);
    return area.adjusted(0, QFontMetricsF(bold).height() + 6, 0, 0);
}

QRectF beginPage(QPainter& painter, QRectF page, const ModelResult& result, const ViewOptions& options,
                 const QString& viewName)
{
    painter.fillRect(page, options.look.background);
    painter.setFont(options.look.font);
    painter.setPen(options.look.foreground);
    if (!options.look.title)
        return pageContent(page, options);
    const QRectF area = page.adjusted(8, 6, -8, -6);
    QFont bold = options.look.font;
    bold.setBold(true);
    painter.setFont(bold);
    const QFontMetricsF metrics(bold);
    QString facts;
    if (result.trace) {
        const attn::ModelConfig& config = result.trace->config;
        facts = u"  ·  "_qs + QString::fromStdString(result.trace->modelName) + u": "_qs + QString::number(config.layers)
                + u" layers × "_qs + QString::number(config.heads) + u" heads, dₖ = "_qs + QString::number(config.d_k());
    }
    facts += u"  ·  "_qs + viewName;
    const qreal factsWidth = metrics.horizontalAdvance(facts);
    const QString text = metrics.elidedText(u'“' + options.look.text.simplified() + u'”', Qt::ElideMiddle,
                                            std::max<qreal>(40.0, area.width() - factsWidth));
    painter.drawText(QRectF(area.left(), area.top(), area.width(), metrics.height()), Qt::AlignLeft | Qt::AlignVCenter,
                     text + facts);
    painter.setFont(options.look.font);
    return pageContent(page, options);
}

QString headName(int layer, int head)
{
    return u"L"_qs + QString::number(layer + 1) + u" H"_qs + QString::number(head + 1);
}

} // namespace modelpaint
