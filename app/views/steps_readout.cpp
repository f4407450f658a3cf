// The steps board's per-head readout for the selected query, and the note on the windows.
#include "steps_board.h"

#include "paint_common.h"

#include <algorithm>
#include <cmath>

namespace stepsboard {

namespace {
// A key's name in a head's column is cut at about this many characters, so that four
// heads fit; where every head fits with room to spare, at about the second.
constexpr int keyChars = 7, roomyKeyChars = 14;
} // namespace

QStringList Builder::readoutColumn(const attn::QueryReadout& r) const
{
    const QString key = r.largestKey >= 0 ? paintkit::tokenText(m_trace, r.largestKey, true) : u"–"_qs;
    return {QString::number(r.head + 1), paintkit::shareText(r.largest), key, QString::number(r.entropy, 'f', 2)};
}

qreal Builder::readoutNameWidth() const
{
    qreal widest = 0;
    for (const QString& name : readoutNames())
        widest = std::max(widest, m_fonts.metrics.horizontalAdvance(name));
    return std::ceil(widest) + m_fonts.gap;
}

qreal Builder::readoutHeadWidth(int keyChars) const
{
    const QFontMetricsF& fm = m_fonts.captionMetrics; // the chosen head's column is bold
    qreal widest = 0;
    for (const attn::QueryReadout& r : m_readouts) {
        const QStringList cells = readoutColumn(r);
        for (int c = 0; c < 4; ++c)
            widest = std::max(widest, c == 2 ? std::min(fm.horizontalAdvance(cells[c]), fm.averageCharWidth() * keyChars)
                                             : fm.horizontalAdvance(cells[c]));
    }
    return std::ceil(widest) + m_fonts.gap * 0.6;
}

// Room for up to four heads (two when compact), and at least for the footer's short form:
// one head's column alone cut "even: ln 20000 = 9.90 nats" short.
qreal Builder::readoutColumnsWidth() const
{
    const qreal columns =
        readoutNameWidth() + std::min<int>(m_compact ? 2 : 4, int(m_readouts.size())) * readoutHeadWidth(keyChars);
    return std::max(columns, std::ceil(m_fonts.noteMetrics.horizontalAdvance(readoutFooter(0))) + 2);
}

QString Builder::readoutTitle(int first, int shown) const
{
    QString title = u"every head"_qs;
    if (shown < int(m_readouts.size()))
        title += u" ("_qs + QString::number(first + 1) + u'–' + QString::number(first + shown) + u" of "_qs
                 + QString::number(m_readouts.size()) + u')';
    return title;
}

// The entropy of an even row, for comparison: ln of the keys the query sees. Where the
// sentence does not fit, a shorter one that keeps the number and the unit.
QString Builder::readoutFooter(qreal width) const
{
    const int visible = m_readouts.empty() ? 0 : m_readouts.front().visibleKeys;
    const QString even = u"ln "_qs + QString::number(visible) + u" = "_qs
                         + QString::number(visible > 0 ? std::log(double(visible)) : 0.0, 'f', 2);
    const QString sentence = u"entropy in nats; even = "_qs + even;
    return m_fonts.noteMetrics.horizontalAdvance(sentence) <= width ? sentence : u"even: "_qs + even + u" nats"_qs;
}

void Builder::placeReadout(StepsLayout& layout, QRectF box)
{
    const Fonts& f = m_fonts;
    const qreal nameWidth = readoutNameWidth();
    const int count = int(m_readouts.size());
    const qreal cutWidth = readoutHeadWidth(keyChars);
    const int fit = std::max(1, int((box.width() - nameWidth) / cutWidth));
    // Where every head fits with room to spare, the keys' names get more of it.
    const qreal headWidth = fit >= count && count > 0
                                ? std::max(cutWidth, std::min(readoutHeadWidth(roomyKeyChars), (box.width() - nameWidth) / count))
                                : cutWidth;
    const auto [first, shown] = windowAround(count, m_selection.head, std::min(count, fit));
    addText(layout, QRectF(box.left(), box.top(), box.width(), f.line), readoutTitle(first, shown),
            Qt::AlignLeft | Qt::AlignVCenter, StepText::Style::Caption, true);
    const QStringList names = readoutNames();
    for (int c = 0; c < 4; ++c) {
        const qreal y = box.top() + (c + 1) * f.line;
        addText(layout, QRectF(box.left(), y, nameWidth - f.gap / 2, f.line), names[c], Qt::AlignLeft | Qt::AlignVCenter,
                StepText::Style::Muted, true);
        for (int n = first; n < first + shown; ++n) {
            const attn::QueryReadout& r = m_readouts[std::size_t(n)];
            const qreal x = box.left() + nameWidth + (n - first) * headWidth;
            const int align = Qt::AlignRight | Qt::AlignVCenter;
            addText(layout, QRectF(x, y, headWidth - f.gap * 0.6, f.line), readoutColumn(r)[c], align,
                    r.head == m_selection.head ? StepText::Style::Accent : StepText::Style::Normal, true);
        }
    }
    addText(layout, QRectF(box.left(), box.top() + 5 * f.line, box.width(), f.noteLine), readoutFooter(box.width()),
            Qt::AlignLeft | Qt::AlignVCenter, StepText::Style::Note, true);
}

// "showing query rows 10–14 of 14, key rows 8–12 of 14, columns 1–5": the windows, said once.
QString Builder::windowNote(int window) const
{
    const auto range = [](std::pair<int, int> w, int total) -> QString {
        return QString::number(w.first + 1) + u'–' + QString::number(w.first + w.second) + u" of "_qs
               + QString::number(total);
    };
    const int nq = int(m_trace.queryCount()), nk = int(m_trace.keyCount());
    QString note = u"showing query rows "_qs + range(stableWindow(nq, m_selection.query, m_anchor.query, window), nq)
                   + u", key rows "_qs + range(stableWindow(nk, m_selection.key, m_anchor.key, window), nk);
    return note + u", at most "_qs + QString::number(window) + u" columns of each matrix"_qs;
}

} // namespace stepsboard
