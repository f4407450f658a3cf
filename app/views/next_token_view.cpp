#include "next_token_view.h"

#include "model_page.h"
#include "paint_common.h"

#include <QFontMetricsF>

#include <algorithm>

QString probabilityText(double probability)
{
    // Below a tenth of a percent, two significant digits (a 0.015% token read "0.0%"); below
    // a thousandth, a bound rather than a power of ten.
    const double percent = probability * 100.0;
    if (percent >= 0.1 || percent == 0.0)
        return QString::number(percent, 'f', 1) + u'%';
    return percent >= 0.001 ? QString::number(percent, 'g', 2) + u'%' : u"<0.001%"_qs;
}

void paintNextToken(QPainter& painter, QRectF page, const ModelResult& result, const ViewOptions& options,
                    const ModelFocus&)
{
    const QRectF area = modelpaint::beginPage(painter, page, result, options, u"next token"_qs);
    if (!result.trace) {
        paintkit::paintHint(painter, area, options, u"Open a GPT-2 model folder to see its next-token predictions."_qs);
        return;
    }
    const attn::ModelTrace& trace = *result.trace;
    if (!trace.config.hasLanguageModelHead()) {
        paintkit::paintHint(painter, area, options,
                            QString::fromStdString(attn::toString(trace.config.architecture))
                                + u" has no next-token head: it reads the whole text at once. Open a GPT-2 model to see predictions."_qs);
        return;
    }
    if (trace.tokenCount() == 0 || trace.nextToken.empty()) {
        paintkit::paintHint(painter, area, options, u"Type a sentence to see what GPT-2 expects next."_qs);
        return;
    }
    const QFontMetricsF metrics(options.look.font);
    const qreal line = metrics.height() * 1.8;
    const QString note = u"Probabilities: softmax over the whole vocabulary of the tied output layer after the last token."_qs;
    const qreal noteHeight = paintkit::footnoteHeight(options, area.width(), {note});
    const qreal bottom = area.bottom() - noteHeight;
    QRectF row(area.left(), area.top() + 4, area.width(), line);
    // Where the page cuts the list short, the heading says how much of it is shown.
    const int total = int(trace.nextToken.size());
    const int fit = std::clamp(int((bottom - row.bottom()) / line), 0, total);
    painter.setPen(options.look.foreground);
    painter.drawText(row, Qt::AlignLeft | Qt::AlignVCenter,
                     metrics.elidedText(u"After "_qs + paintkit::quoted(paintkit::visibleTokenText(trace.tokens.back().text))
                                            + u", the model's most likely next tokens"_qs
                                            + (fit < total ? u" ("_qs + QString::number(fit) + u" of "_qs
                                                                 + QString::number(total) + u")"_qs
                                                           : QString())
                                            + u':',
                                        Qt::ElideMiddle, row.width()));
    row.translate(0, line);

    qreal labelWidth = 0;
    for (const attn::TokenPrediction& p : trace.nextToken)
        labelWidth = std::max(labelWidth, metrics.horizontalAdvance(paintkit::quoted(paintkit::visibleTokenText(p.text))));
    labelWidth = std::min(labelWidth + 12, area.width() * 0.4);
    const qreal percentWidth = metrics.horizontalAdvance(u"100.0%"_qs) + 12;
    const qreal barMax = std::max<qreal>(20, std::min<qreal>(420, area.width() - labelWidth - percentWidth));
    const ColorMap map = paintkit::weightColors(options.look);
    for (const attn::TokenPrediction& p : trace.nextToken) {
        if (row.bottom() > bottom)
            break;
        painter.setPen(options.look.foreground);
        painter.drawText(QRectF(row.left(), row.top(), labelWidth - 8, line), Qt::AlignRight | Qt::AlignVCenter,
                         metrics.elidedText(paintkit::quoted(paintkit::visibleTokenText(p.text)), Qt::ElideRight, labelWidth - 8));
        const QRectF bar(row.left() + labelWidth, row.top() + line * 0.2, barMax * std::clamp(p.probability, 0.0, 1.0), line * 0.6);
        painter.fillRect(bar, map.color(0.25f + 0.6f * float(p.probability)));
        painter.setPen(options.look.muted);
        painter.drawRect(QRectF(bar.left(), bar.top(), barMax, bar.height()));
        painter.setPen(options.look.foreground);
        painter.drawText(QRectF(bar.left() + barMax + 6, row.top(), percentWidth, line), Qt::AlignLeft | Qt::AlignVCenter,
                         probabilityText(p.probability));
        row.translate(0, line);
    }
    // The note right under the list, so that on a slide the figure is one block to centre.
    paintkit::paintFootnote(painter, QRectF(area.left(), area.top(), area.width(),
                                            std::min(area.height(), row.top() + 6 + noteHeight - area.top())),
                            options, note);
}
