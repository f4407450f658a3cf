#include "paint_common.h"

#include <attn/head_stats.h>

#include <QFontMetricsF>
#include <QLinearGradient>
#include <QPaintEngine>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <limits>

namespace paintkit {

QString withoutControls(QString text)
{
    for (QChar& c : text) {
        const char16_t u = c.unicode();
        if (u < 0x20 || u == 0x7f || (u >= 0x202a && u <= 0x202e) || (u >= 0x2066 && u <= 0x2069))
            c = QChar::ReplacementCharacter;
    }
    return text;
}

QString isolated(const QString& text)
{
    // Left-to-right text needs none, and stays one run of type (an SVG keeps it one <text>).
    const bool rightToLeft = std::any_of(text.begin(), text.end(), [](QChar c) {
        return c.direction() == QChar::DirR || c.direction() == QChar::DirAL;
    });
    if (!rightToLeft)
        return text;
    constexpr char16_t firstStrongIsolate = 0x2068, popDirectionalIsolate = 0x2069;
    return QChar(firstStrongIsolate) + text + QChar(popDirectionalIsolate);
}

QString quoted(const QString& text)
{
    return u'“' + isolated(text) + u'”';
}

QString visibleTokenText(const std::string& text)
{
    // Every control character as its escape: a vertical tab (GPT-2 has it as a token) was "�".
    QString shown;
    for (const QChar c : QString::fromStdString(text)) {
        const char16_t u = c.unicode();
        if (u == u' ')
            shown += u'␣';
        else if (u == u'\n')
            shown += u"\\n"_qs;
        else if (u == u'\t')
            shown += u"\\t"_qs;
        else if (u == u'\r')
            shown += u"\\r"_qs;
        else if (u < 0x20 || (u >= 0x7f && u <= 0x9f)) // C0, DEL and C1 (GPT-2 has U+0085 too)
            shown += u"\\x"_qs + QString::number(u, 16).rightJustified(2, u'0');
        else
            shown += c;
    }
    return withoutControls(shown);
}

QString tokenText(const attn::Trace& trace, int index, bool key)
{
    const auto& tokens = key ? trace.keyTokens() : trace.tokens;
    if (index < 0 || std::size_t(index) >= tokens.size())
        return QString();
    return visibleTokenText(tokens[std::size_t(index)].text);
}

QString unknownTokenNote(const attn::Trace& trace, int index, bool key, const ViewOptions& options)
{
    const auto& tokens = key ? trace.keyTokens() : trace.tokens;
    if (index < 0 || std::size_t(index) >= tokens.size() || tokens[std::size_t(index)].text != "[UNK]")
        return QString();
    const attn::Token& token = tokens[std::size_t(index)];
    const QByteArray typed = (key && trace.isCross() ? options.look.source : options.look.text).toUtf8();
    if (token.end <= token.begin || token.end > std::size_t(typed.size()))
        return QString();
    return u" (typed "_qs + quoted(QString::fromUtf8(typed.mid(qsizetype(token.begin), qsizetype(token.end - token.begin)))) + u')';
}

QString countOf(qint64 count, const QString& thing)
{
    return QString::number(count) + u' ' + thing + (count == 1 ? QString() : u"s"_qs);
}

namespace {

constexpr qreal shortestQuote = 40; // the title keeps at least this much of the sentence
const QString separator = u"  ·  "_qs;

const QString sourceArrow = u"  ←  "_qs;

QString quotedLine(const QString& text)
{
    return quoted(withoutControls(text.simplified()));
}

QString quotedText(const ViewOptions& options)
{
    const Appearance& look = options.look;
    return look.source.isEmpty() ? quotedLine(look.text) : quotedLine(look.text) + sourceArrow + quotedLine(look.source);
}

// The quoted text in `width`, cut in the middle; with a source, each text cut on its own,
// so that the arrow between them stays (one cut across both read as one sentence).
QString elidedQuote(const ViewOptions& options, const QFontMetricsF& metrics, qreal width)
{
    const QString text = quotedLine(options.look.text);
    if (options.look.source.isEmpty())
        return metrics.elidedText(text, Qt::ElideMiddle, width);
    const QString source = quotedLine(options.look.source);
    const qreal room = std::max<qreal>(0, width - metrics.horizontalAdvance(sourceArrow));
    const qreal textWidth = metrics.horizontalAdvance(text), sourceWidth = metrics.horizontalAdvance(source);
    // Half the room each, and what one needs less than its half to the other.
    const qreal forText = textWidth <= room / 2 ? textWidth : std::max(room / 2, room - sourceWidth);
    return metrics.elidedText(text, Qt::ElideMiddle, forText) + sourceArrow
           + metrics.elidedText(source, Qt::ElideMiddle, room - forText);
}

// The facts after the quoted texts, the note first.
QString titleFacts(const ViewOptions& options, const QString& facts)
{
    return options.look.note.isEmpty() ? facts : separator + options.look.note + facts;
}

QFont titleFont(const ViewOptions& options)
{
    QFont bold = options.look.font;
    bold.setBold(true);
    return bold;
}

// One line where all of it fits, or where the quote keeps at least half of the line;
// else the quote on one line and the facts on a second, so that many settings in large
// type (presentation) cut neither the sentence nor the settings to nothing.
bool titleTakesTwoLines(qreal width, const ViewOptions& options, const QString& facts)
{
    const QFontMetricsF metrics(titleFont(options));
    const qreal factsWidth = metrics.horizontalAdvance(titleFacts(options, facts));
    return factsWidth > width / 2 && metrics.horizontalAdvance(quotedText(options)) + factsWidth > width;
}

// The settings of a two-line title in `width`: one line where they fit, else two, broken
// between settings (a model's facts at a column's width once lost the view's name to "…").
QStringList settingsLines(qreal width, const ViewOptions& options, const QString& facts)
{
    const QFontMetricsF metrics(titleFont(options));
    QString settings = titleFacts(options, facts);
    if (settings.startsWith(separator))
        settings = settings.mid(separator.size());
    if (metrics.horizontalAdvance(settings) <= width)
        return {settings};
    const QStringList parts = settings.split(separator);
    QString first = parts.front();
    int next = 1;
    while (next < parts.size() && metrics.horizontalAdvance(first + separator + parts[next]) <= width)
        first += separator + parts[next++];
    if (next == parts.size())
        return {first};
    return {metrics.elidedText(first, Qt::ElideRight, width),
            metrics.elidedText(QStringList(parts.mid(next)).join(separator), Qt::ElideRight, width)};
}

int titleLines(qreal width, const ViewOptions& options, const QString& facts)
{
    if (!options.look.title)
        return 0;
    return titleTakesTwoLines(width, options, facts) ? 1 + int(settingsLines(width, options, facts).size()) : 1;
}

} // namespace

QRectF pageContent(QRectF page, const ViewOptions& options, const QString& facts)
{
    QRectF area = page.adjusted(8, 6, -8, -6);
    if (!options.look.title)
        return area;
    const int lines = titleLines(area.width(), options, facts);
    return area.adjusted(0, lines * QFontMetricsF(titleFont(options)).height() + 6, 0, 0);
}

QRectF pageContent(QRectF page, const attn::Trace& trace, const ViewOptions& options, const QString& viewName)
{
    return pageContent(page, options, layerFacts(trace, viewName));
}

QString layerFacts(const attn::Trace& trace, const QString& viewName)
{
    const attn::Config& c = trace.config;
    const attn::Config defaults;
    QString facts = separator + countOf(c.heads, u"head"_qs) + u"  ·  dₖ = "_qs + QString::number(c.d_k);
    if (c.valueDim() != c.d_k)
        facts += u"  ·  dᵥ = "_qs + QString::number(c.valueDim());
    // Files (weights and inputs both given) or a model decide these: the title names them.
    if (trace.seedUsed && c.d_model != defaults.d_model)
        facts += u"  ·  d_model = "_qs + QString::number(c.d_model);
    if (c.scaling == attn::Scaling::None)
        facts += u"  ·  not scaled by 1/√dₖ"_qs;
    if (c.temperature != 1.f)
        facts += u"  ·  T = "_qs + exactText(c.temperature);
    if (c.causal)
        facts += u"  ·  causal"_qs;
    if (trace.seedUsed && c.seed != defaults.seed)
        facts += u"  ·  seed "_qs + QString::number(c.seed);
    if (trace.textEmbedded && c.positional == attn::Positional::None)
        facts += u"  ·  no positional encoding"_qs;
    return facts + separator + viewName;
}

QRectF beginTitledPage(QPainter& painter, QRectF page, const ViewOptions& options, const QString& viewFacts)
{
    painter.fillRect(page, options.look.background);
    painter.setFont(options.look.font);
    painter.setPen(options.look.foreground);
    const QRectF area = page.adjusted(8, 6, -8, -6);
    if (!options.look.title)
        return area;

    const QFont bold = titleFont(options);
    painter.setFont(bold);
    const QFontMetricsF metrics(bold);
    const QString facts = titleFacts(options, viewFacts);
    const QRectF firstLine(area.left(), area.top(), area.width(), metrics.height());
    if (titleTakesTwoLines(area.width(), options, viewFacts)) {
        painter.drawText(firstLine, Qt::AlignLeft | Qt::AlignVCenter, elidedQuote(options, metrics, area.width()));
        qreal y = 0;
        for (const QString& line : settingsLines(area.width(), options, viewFacts))
            painter.drawText(firstLine.translated(0, y += metrics.height()), Qt::AlignLeft | Qt::AlignVCenter, line);
    } else {
        const qreal quoteWidth = std::max<qreal>(shortestQuote, area.width() - metrics.horizontalAdvance(facts));
        painter.drawText(firstLine, Qt::AlignLeft | Qt::AlignVCenter,
                         elidedQuote(options, metrics, quoteWidth) + facts);
    }
    painter.setFont(options.look.font);
    return pageContent(page, options, viewFacts);
}

QRectF beginPage(QPainter& painter, QRectF page, const attn::Trace& trace, const ViewOptions& options, const QString& viewName)
{
    return beginTitledPage(painter, page, options, layerFacts(trace, viewName));
}

qreal pageWidthForLine(const QFont& font, const QString& line)
{
    return std::ceil(QFontMetricsF(font).horizontalAdvance(line)) + 16 + 2;
}

namespace {

qreal titledPageWidth(const QString& viewFacts, const ViewOptions& options, qreal content, qreal most)
{
    if (!options.look.title)
        return 0;
    const QFont bold = titleFont(options);
    const QString facts = titleFacts(options, viewFacts);
    const qreal whole = pageWidthForLine(bold, quotedText(options) + facts);
    // Quote and facts on two lines, each whole, as wide as the figure: a long title line
    // once widened a presentation's heads by a third of blank page.
    if (whole > content && content < most && titleTakesTwoLines(content - 16, options, viewFacts)
        && pageWidthForLine(bold, quotedText(options)) <= content && pageWidthForLine(bold, facts) <= content)
        return content;
    if (whole <= most)
        return whole;
    // Narrower than `most`, the title keeps the lines it has there: one line where the
    // facts take at most half of it, else two.
    if (!titleTakesTwoLines(most - 16, options, viewFacts))
        return std::min(most, std::max(2 * pageWidthForLine(bold, facts), pageWidthForLine(bold, facts) + shortestQuote));
    return std::min(most, std::max(pageWidthForLine(bold, quotedText(options)), pageWidthForLine(bold, facts)));
}

} // namespace

qreal titledPageWidth(const attn::Trace& trace, const ViewOptions& options, const QString& viewName, qreal content, qreal most)
{
    return titledPageWidth(layerFacts(trace, viewName), options, content, most);
}

void paintEmptyPage(QPainter& painter, QRectF page, const Appearance& look, const QString& why)
{
    painter.fillRect(page, look.background);
    painter.setPen(look.muted);
    painter.setFont(look.font);
    painter.drawText(page, Qt::AlignCenter | Qt::TextWordWrap, why);
}

void paintHint(QPainter& painter, QRectF area, const ViewOptions& options, const QString& hint)
{
    painter.save();
    QFont font = options.look.font;
    font.setPixelSize(font.pixelSize() + 3);
    painter.setFont(font);
    painter.setPen(options.look.muted);
    painter.drawText(area, Qt::AlignCenter | Qt::TextWordWrap,
                     hint.isEmpty() ? u"No room to draw; make the window larger."_qs : hint);
    painter.restore();
}

namespace {

// The note's lines in `width`: words kept whole where they fit (the spaces between
// sentences kept within a line), at most `most` (and maxFootnoteLines), the last cut with "…".
QStringList footnoteLines(const QFontMetricsF& metrics, qreal width, const QString& note, int most = maxFootnoteLines)
{
    most = std::min(most, maxFootnoteLines);
    QStringList lines;
    QString line;
    const QStringList words = note.split(u' ');
    for (int i = 0; i < words.size(); ++i) {
        const QString longer = line.isEmpty() ? words[i] : line + u' ' + words[i];
        if (line.trimmed().isEmpty() || metrics.horizontalAdvance(longer.trimmed()) <= width) {
            line = longer;
            continue;
        }
        if (lines.size() + 1 >= most) { // the last line takes the rest, cut
            line += u' ' + words.mid(i).join(u' ');
            break;
        }
        lines << metrics.elidedText(line.trimmed(), Qt::ElideRight, width); // one word wider than the page
        line = words[i];
    }
    if (!line.trimmed().isEmpty())
        lines << metrics.elidedText(line.trimmed(), Qt::ElideRight, width);
    return lines;
}

} // namespace

QRectF paintFootnote(QPainter& painter, QRectF area, const ViewOptions& options, const QString& note)
{
    if (note.isEmpty())
        return area;
    const QFontMetricsF metrics(options.look.font);
    const qreal line = metrics.height();
    const QStringList lines = footnoteLines(metrics, area.width(), note, std::max(1, int(area.height() / line)));
    painter.save();
    painter.setFont(options.look.font);
    painter.setPen(options.look.muted);
    for (int i = 0; i < lines.size(); ++i)
        painter.drawText(QRectF(area.left(), area.bottom() - (lines.size() - i) * line, area.width(), line),
                         Qt::AlignLeft | Qt::AlignVCenter, lines[i]);
    painter.restore();
    return area.adjusted(0, 0, 0, -(lines.size() * line + 4));
}

qreal footnoteHeight(const ViewOptions& options, qreal width, const QStringList& notes)
{
    const QFontMetricsF metrics(options.look.font);
    qreal height = 0;
    for (const QString& note : notes)
        if (!note.isEmpty())
            height += footnoteLines(metrics, width, note).size() * metrics.height() + 4;
    return height;
}

qreal colorBarWidth(const ViewOptions& options)
{
    const QFontMetricsF metrics(options.look.font);
    // The widest of colorBarTicks' labels: four decimals, or a power of ten of two digits.
    return 14 + 6 + std::max(metrics.horizontalAdvance(u"0.0000"_qs), metrics.horizontalAdvance(u"8.8e−88"_qs)) + 12;
}

float colorScaleTop(float largest, const ViewOptions& options)
{
    return options.look.unitColorScale ? 1.f : largest;
}

namespace {

// Fixed decimals; or, where the top would need more than four, every mark with two
// significant digits and a power of ten (3.8e-5), as short.
QString tickText(double value, int decimals, bool exponent)
{
    if (!exponent)
        return QString::number(value, 'f', decimals);
    if (value == 0.0)
        return u"0"_qs;
    return shortExponentText(value);
}

} // namespace

QList<ColorBarTick> colorBarTicks(float vmax, int most, double gap)
{
    if (!(vmax > 0.f))
        return {ColorBarTick{0.f, u"0"_qs}};
    // Round marks stop short of the top by `gap`, so that no label is read into the top's.
    const double top = vmax;
    const double highest = top * (1 - std::clamp(gap, 1e-9, 1.0));
    // The smallest round step that leaves at most `most` marks above 0 and below the top.
    const int marks = std::max(1, most);
    double step = std::pow(10.0, std::floor(std::log10(top / marks)));
    for (const double factor : {1.0, 2.0, 5.0, 10.0})
        if (std::floor(highest / (step * factor) + 1e-9) <= marks) {
            step *= factor;
            break;
        }
    const int decimals = std::max(1, int(std::ceil(-std::log10(step) - 1e-9)));
    // A round step that lands on the top (1 on the unit scale) is the top's own mark.
    const bool roundTop = std::abs(top / step - std::round(top / step)) < 1e-6;
    // Three significant digits (up to four decimals), so that the same largest weight reads
    // alike on any bar, and a digit more than the marks.
    const int significant = 2 - int(std::floor(std::log10(top)));
    const int topDecimals = roundTop ? decimals : std::max(decimals + 1, std::min(significant, 4));
    const bool exponent = topDecimals > 4;
    QList<ColorBarTick> ticks = {ColorBarTick{0.f, tickText(0.0, decimals, exponent)}};
    // A top on a round value (within float's rounding) is that value's one mark.
    const double below = roundTop ? std::round(top / step) : std::numeric_limits<double>::infinity();
    for (int i = 1; i < below && step * i <= highest * (1 + 1e-12); ++i)
        ticks.append({float(step * i), tickText(step * i, decimals, exponent)});
    ticks.append({vmax, tickText(top, topDecimals, exponent)});
    return ticks;
}

void paintColorBar(QPainter& painter, QRectF area, float vmax, const ViewOptions& options)
{
    const QFontMetricsF metrics(options.look.font);
    const qreal barTop = area.top() + 2 * metrics.height();
    const qreal barHeight = std::max<qreal>(20.0, area.height() - 3 * metrics.height());
    const QRectF bar(area.left() + 10, barTop, 14, barHeight);
    const ColorMap map = paintkit::weightColors(options.look);
    QImage ramp(1, 256, QImage::Format_RGB32);
    for (int i = 0; i < 256; ++i)
        ramp.setPixel(0, 255 - i, map.rgb(float(i) / 255.f));
    paintMatrixImage(painter, bar, ramp);
    painter.save();
    painter.setPen(QPen(options.look.muted, 1));
    painter.setBrush(Qt::NoBrush);
    painter.drawRect(bar);
    painter.setPen(options.look.foreground);
    painter.setFont(options.look.font);
    const qreal textLeft = bar.right() + 6;
    // A mark for about every two lines of type, and none read into the top's label.
    const int most = std::clamp(int(bar.height() / (2 * metrics.height())), 1, 5);
    for (const ColorBarTick& tick : colorBarTicks(vmax, most, 1.5 * metrics.height() / bar.height())) {
        const qreal y = vmax > 0.f ? bar.bottom() - bar.height() * double(tick.value) / double(vmax) : bar.bottom();
        painter.drawLine(QPointF(bar.right(), y), QPointF(bar.right() + 3, y));
        painter.drawText(QRectF(textLeft, y - metrics.height() / 2, area.right() - textLeft, metrics.height()),
                         Qt::AlignLeft | Qt::AlignVCenter, tick.label);
    }
    painter.setPen(options.look.muted);
    painter.drawText(QRectF(area.left(), area.top(), area.width(), metrics.height()), Qt::AlignLeft | Qt::AlignVCenter,
                     u"weight"_qs);
    painter.restore();
}

qreal labelExtent(const QFontMetricsF& metrics, const attn::Trace& trace, const QRect& cells, int capCharacters)
{
    const qreal cap = capCharacters * metrics.averageCharWidth(); // grows with the type, as in presentation mode
    qreal widest = 0;
    const int count = cells.height() + cells.width();
    if (count > 4000) // long texts: labels are sampled anyway; measuring all would be slow
        return cap;
    for (int q = cells.top(); q <= cells.bottom(); ++q)
        widest = std::max(widest, metrics.horizontalAdvance(tokenText(trace, q, false)));
    for (int k = cells.left(); k <= cells.right(); ++k)
        widest = std::max(widest, metrics.horizontalAdvance(tokenText(trace, k, true)));
    return std::min(widest + 4, cap);
}

int labelEvery(qreal rowSize, const ViewOptions& options)
{
    return rowSize > 0 ? std::max(1, int(std::ceil(QFontMetricsF(options.look.font).height() * 0.9 / rowSize))) : 1;
}

namespace {

QString ordinal(int n)
{
    const int lastTwo = n % 100, last = n % 10;
    const char* suffix = (lastTwo >= 11 && lastTwo <= 13) ? "th" : last == 1 ? "st" : last == 2 ? "nd" : last == 3 ? "rd" : "th";
    return QString::number(n) + QLatin1String(suffix);
}

} // namespace

QString labelsNote(int everyQuery, int everyKey)
{
    if (everyQuery == 1 && everyKey == 1)
        return QString();
    if (everyQuery == everyKey)
        return u"Labels: every "_qs + ordinal(everyQuery) + u" token."_qs;
    QStringList parts;
    if (everyQuery > 1)
        parts << u"every "_qs + ordinal(everyQuery) + u" query"_qs;
    if (everyKey > 1)
        parts << u"every "_qs + ordinal(everyKey) + u" key"_qs;
    return u"Labels: "_qs + parts.join(u", "_qs) + u'.';
}

QString labelsNote(const MatrixGeometry& matrix, const ViewOptions& options, qreal leftSpace, qreal bottomSpace)
{
    return labelsNote(leftSpace > 0 ? labelEvery(matrix.cellHeight(), options) : 1,
                      bottomSpace > 0 ? labelEvery(matrix.cellWidth(), options) : 1);
}

bool hasMaskedCells(const attn::Trace& trace)
{
    const int keys = int(trace.keyCount());
    return trace.queryCount() > 0 && attn::visibleKeyCount(0, keys, trace.config.causal) < keys;
}

void paintMaskedCells(QPainter& painter, const MatrixGeometry& matrix, const attn::Trace& trace, const Appearance& look)
{
    if (!hasMaskedCells(trace) || matrix.cells.isEmpty())
        return;
    // An image at the device's resolution, so that the hatching stays one pixel thin.
    const qreal deviceScale = std::max<qreal>(1.0, painter.deviceTransform().m11());
    const int width = std::max(1, int(std::lround(matrix.rect.width() * deviceScale)));
    const int height = std::max(1, int(std::lround(matrix.rect.height() * deviceScale)));
    const int period = std::max(4, int(std::lround(6 * deviceScale)));
    const int stroke = std::max(1, int(std::lround(deviceScale)));
    const QRgb line = QColor::fromRgbF((look.background.redF() + look.muted.redF()) / 2,
                                       (look.background.greenF() + look.muted.greenF()) / 2,
                                       (look.background.blueF() + look.muted.blueF()) / 2)
                          .rgb();
    const QRgb ground = look.background.rgb();
    const QRect& cells = matrix.cells;
    QImage image(width, height, QImage::Format_ARGB32_Premultiplied);
    image.fill(Qt::transparent);
    bool any = false;
    for (int y = 0; y < height; ++y) {
        const int query = cells.top() + std::min(cells.height() - 1, y * cells.height() / height);
        const int firstHidden = attn::visibleKeyCount(query, int(trace.keyCount()), trace.config.causal);
        // The pixel column where the first hidden key begins: rounded down, as the heatmap's
        // scaled image may round its cell edges the other way (a sliver of the colour of 0).
        const long long from = static_cast<long long>(firstHidden - cells.left()) * width / cells.width();
        auto* pixels = reinterpret_cast<QRgb*>(image.scanLine(y));
        for (int x = int(std::clamp<long long>(from, 0, width)); x < width; ++x) {
            pixels[x] = (x + y) % period < stroke ? line : ground;
            any = true;
        }
    }
    if (any)
        paintMatrixImage(painter, matrix.rect, image);
}

QString filterNote(const WeightFilter& filter)
{
    QStringList notes;
    if (filter.hideFirst)
        notes << u"First token hidden, rows renormalised."_qs;
    if (filter.keepShare < 1.0)
        notes << u"Each row keeps its strongest links up to "_qs + QString::number(std::lround(filter.keepShare * 100))
                     + u"% of its weight."_qs;
    return notes.join(u"  "_qs);
}

void paintAxisLabels(QPainter& painter, const MatrixGeometry& matrix, const attn::Trace& trace, const ViewOptions& options,
                     qreal leftSpace, qreal bottomSpace)
{
    const QFontMetricsF metrics(options.look.font);
    const qreal lineHeight = metrics.height();
    painter.save();
    painter.setFont(options.look.font);
    painter.setPen(options.look.foreground);
    if (leftSpace > 0 && matrix.cellHeight() > 0) {
        const int every = labelEvery(matrix.cellHeight(), options);
        for (int q = matrix.cells.top(); q <= matrix.cells.bottom(); q += every) {
            const QRectF row = matrix.rowRect(q);
            const QRectF box(matrix.rect.left() - leftSpace, row.center().y() - lineHeight / 2, leftSpace - 4, lineHeight);
            painter.drawText(box, Qt::AlignRight | Qt::AlignVCenter,
                             metrics.elidedText(tokenText(trace, q, false), Qt::ElideRight, box.width()));
        }
    }
    if (bottomSpace > 0 && matrix.cellWidth() > 0) {
        const int every = labelEvery(matrix.cellWidth(), options);
        for (int k = matrix.cells.left(); k <= matrix.cells.right(); k += every) {
            const QRectF column = matrix.columnRect(k);
            painter.save();
            painter.translate(column.center().x(), matrix.rect.bottom() + 4);
            painter.rotate(-90);
            const QRectF box(-(bottomSpace - 4), -lineHeight / 2, bottomSpace - 4, lineHeight);
            painter.drawText(box, Qt::AlignRight | Qt::AlignVCenter,
                             metrics.elidedText(tokenText(trace, k, true), Qt::ElideRight, box.width()));
            painter.restore();
        }
    }
    painter.restore();
}

void paintMatrixImage(QPainter& painter, const QRectF& target, const QImage& image)
{
    if (image.isNull())
        return;
    painter.save();
    painter.setRenderHint(QPainter::SmoothPixmapTransform, false);
    const bool vector = painter.paintEngine() && painter.paintEngine()->type() == QPaintEngine::SVG;
    if (vector && (image.width() < target.width() || image.height() < target.height())) {
        // Cells larger than a pixel, drawn with up to four image pixels per page pixel (and 4 M
        // in all): a viewer that smooths images as it zooms in then blurs a cell's edge over a
        // quarter of a page pixel, not a whole one. Flat cells cost a PNG little.
        const qreal area = std::max<qreal>(1.0, target.width() * target.height());
        const qreal perPixel = std::clamp(std::sqrt(4e6 / area), 1.0, 4.0);
        const QSize crisp(std::max(image.width(), int(std::ceil(target.width() * perPixel))),
                          std::max(image.height(), int(std::ceil(target.height() * perPixel))));
        painter.drawImage(target, image.scaled(crisp, Qt::IgnoreAspectRatio, Qt::FastTransformation));
    } else {
        painter.drawImage(target, image);
    }
    painter.restore();
}

void paintHeatmap(QPainter& painter, const QRectF& target, const QImage& image, const Appearance& look)
{
    paintMatrixImage(painter, target, image);
    painter.save();
    painter.setPen(QPen(look.muted, 0)); // one device pixel, at any scale
    painter.setBrush(Qt::NoBrush);
    painter.drawRect(target.adjusted(-0.5, -0.5, 0.5, 0.5)); // around the cells, over none of them
    painter.restore();
}

namespace {

qreal haloWidth(qreal penWidth, const Appearance& look)
{
    return penWidth + 2 * look.lineScale;
}

} // namespace

qreal markReach(const Appearance& look)
{
    return haloWidth(2.5 * look.lineScale, look) / 2 + 1; // + 1: the pixel a line's edge may round into
}

void paintMarks(QPainter& painter, const std::vector<Mark>& marks, const Appearance& look, bool halo)
{
    painter.save();
    painter.setBrush(Qt::NoBrush);
    if (halo)
        for (const Mark& mark : marks) {
            painter.setPen(QPen(look.background, haloWidth(mark.pen.widthF(), look)));
            painter.drawRect(mark.rect);
        }
    for (const Mark& mark : marks) {
        painter.setPen(mark.pen);
        painter.drawRect(mark.rect);
    }
    painter.restore();
}

void paintFocus(QPainter& painter, const MatrixGeometry& matrix, const ViewOptions& options)
{
    const auto visibleRow = [&](int q) { return q >= matrix.cells.top() && q <= matrix.cells.bottom(); };
    const QPen thick(options.look.accent, 2 * options.look.lineScale);
    std::vector<Mark> marks;
    for (int q : options.focus.pinnedQueries)
        if (visibleRow(q))
            marks.push_back({matrix.rowRect(q), thick});
    const Focus& focus = options.focus;
    if (focus.hasHover() && visibleRow(focus.hoverQuery)) {
        const QPen dashed(options.look.foreground, options.look.lineScale, Qt::DashLine);
        marks.push_back({matrix.rowRect(focus.hoverQuery), dashed});
        if (focus.hoverKey >= matrix.cells.left() && focus.hoverKey <= matrix.cells.right()) {
            marks.push_back({matrix.columnRect(focus.hoverKey), dashed});
            marks.push_back({matrix.cellRect(focus.hoverKey, focus.hoverQuery), thick});
        }
    }
    // The selected cell (clicked here or in another view) stays marked after the pointer leaves.
    const int selectedQuery = focus.selectedQuery();
    if (!focus.hasHover() && focus.selectedKey >= matrix.cells.left() && focus.selectedKey <= matrix.cells.right()
        && visibleRow(selectedQuery))
        marks.push_back({matrix.cellRect(focus.selectedKey, selectedQuery), QPen(options.look.foreground, thick.widthF())});
    painter.save();
    painter.setRenderHint(QPainter::Antialiasing, false);
    paintMarks(painter, marks, options.look, std::min(matrix.cellWidth(), matrix.cellHeight()) >= 6);
    painter.restore();
}

QString weightText(double weight, int decimals)
{
    const QString fixed = QString::number(weight, 'f', decimals);
    const double shown = fixed.toDouble();
    if (shown == 0.0 && weight != 0.0)
        return weight < 0 ? u"−"_qs + shortExponentText(-weight) : shortExponentText(weight);
    if (shown == 1.0 && weight != 1.0)
        return (weight < 1.0 ? u"1 − "_qs : u"1 + "_qs) + shortExponentText(std::abs(weight - 1.0));
    return fixed;
}

QString weightText(float weight)
{
    return weight == 0.f ? u"0"_qs : weightText(double(weight), weight >= 0.1f ? 2 : 3);
}

QString shortExponentText(double value)
{
    QString text = QString::number(value, 'e', 1); // "3.8e-05"
    return text.replace(u"e-0"_qs, u"e−"_qs).replace(u"e-"_qs, u"e−"_qs).replace(u"e+0"_qs, u"e"_qs).replace(u"e+"_qs, u"e"_qs);
}

QString shareText(double share)
{
    if (share > 0 && share < 0.01)
        return shortExponentText(share);
    return QString::number(share, 'f', 3);
}

QString shareFigureText(double share)
{
    return share < 0.01 ? shareText(share) : weightText(share, 3);
}

QString exactText(float value)
{
    std::array<char, 32> buffer;
    const auto [end, error] = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value);
    return withRealMinus(QString::fromLatin1(buffer.data(), error == std::errc() ? end - buffer.data() : 0));
}

QString withRealMinus(QString text)
{
    return text.replace(u'-', u'−');
}

} // namespace paintkit
