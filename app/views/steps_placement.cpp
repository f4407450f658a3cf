// Where each matrix of the steps board goes: windows, cell sizes, lines, numbers.
#include "steps_board.h"

#include "paint_common.h"

#include <algorithm>
#include <cmath>

namespace stepsboard {

namespace {

// Whether any cell of `shown` (x: columns, y: rows) is one the mask hides.
bool anyMasked(const Spec& s, const QRect& shown)
{
    if (!s.masked)
        return false;
    for (int r = shown.top(); r <= shown.bottom(); ++r)
        for (int c = shown.left(); c <= shown.right(); ++c)
            if (s.masked(r, c))
                return true;
    return false;
}

} // namespace

void Builder::measure(Panel& panel, int window) const
{
    const QFontMetricsF& fm = m_fonts.metrics;
    if (panel.readout) {
        panel.textWidth = readoutColumnsWidth();
        return;
    }
    const Spec& s = *panel.spec;
    const bool keyColumns = stepsColumnsAreKeys(s.id);
    const int rowAnchor = s.id == StepId::Pair ? -1 : (s.keyRows ? m_anchor.key : m_anchor.query);
    const auto [row0, rowCount] = stableWindow(s.rows, s.rowCentre, rowAnchor, window);
    const auto [col0, colCount] = s.columnFirst >= 0
                                      ? windowFrom(s.columns, s.columnFirst, window)
                                      : stableWindow(s.columns, s.columnCentre, keyColumns ? m_anchor.key : -1, window);
    panel.shown = QRect(col0, row0, colCount, rowCount);
    // One line: the whole shape, then the window shown ("14 × 64 · rows 9–14 · cols 1–6").
    QStringList parts;
    parts << (s.id == StepId::Pair ? paintkit::countOf(s.columns, u"term"_qs)
                                   : (m_compact ? QString::number(s.rows) + u'×' + QString::number(s.columns)
                                                : dimsText(s.rows, s.columns)));
    if (rowCount < s.rows)
        parts << u"rows "_qs + QString::number(row0 + 1) + u'–' + QString::number(row0 + rowCount);
    if (colCount < s.columns)
        parts << u"cols "_qs + QString::number(col0 + 1) + u'–' + QString::number(col0 + colCount);
    // Compact: the window is said once, under the header (windowNote), not under each matrix;
    // but for columns that do not start at the first (the selected head's part of the
    // concatenation), which that note does not tell.
    if (m_compact && s.id != StepId::Pair) {
        const QString columnsFromElsewhere = !keyColumns && col0 > 0 ? parts.constLast() : QString();
        parts = parts.mid(0, 1);
        if (!columnsFromElsewhere.isEmpty())
            parts << columnsFromElsewhere;
    }
    panel.notes.clear();
    if (!parts.isEmpty())
        panel.notes << parts.join(u" · "_qs);
    panel.notes << s.extraNotes;
    // The last query sees every key: a window of late rows and early keys holds no −∞, and
    // the mask step then reads the same as the one before it.
    if (s.id == StepId::Masked && m_trace.config.causal && !anyMasked(s, panel.shown))
        panel.notes << (m_compact ? u"none masked here"_qs : u"no key shown is later than its query"_qs);
    panel.legendLow = s.diverging ? stepsNumberText(-s.range, stepsThreeSignificant) : u"0"_qs;
    panel.legendHigh = s.diverging ? stepsNumberText(s.range, stepsThreeSignificant) : paintkit::shareText(double(s.range));
    panel.belowLines = int(panel.notes.size()) + 1;

    qreal text = m_fonts.captionMetrics.horizontalAdvance(captionOf(s));
    const QFontMetricsF& nm = m_fonts.noteMetrics;
    for (const QString& note : panel.notes)
        text = std::max(text, nm.horizontalAdvance(note));
    text = std::max(text, nm.horizontalAdvance(panel.legendLow) + nm.horizontalAdvance(panel.legendHigh) + 8 + 28);
    panel.textWidth = std::ceil(text) + 2;

    setLabels(panel, s.labels);
}

// The row labels of a panel and the room they take.
void Builder::setLabels(Panel& panel, Labels labels) const
{
    const QFontMetricsF& fm = m_fonts.metrics;
    panel.labels = labels;
    qreal widest = 0;
    if (labels == Labels::Pair) {
        widest = fm.horizontalAdvance(stepsPairRowName(2));
    } else if (labels != Labels::None) {
        // Bold metrics: the chosen token's label is drawn bold.
        for (int r = panel.shown.top(); r <= panel.shown.bottom(); ++r)
            widest = std::max(widest, m_fonts.captionMetrics.horizontalAdvance(
                                          paintkit::tokenText(m_trace, r, labels == Labels::Keys)));
    }
    panel.labelWidth =
        labels == Labels::None ? 0 : std::ceil(std::min(widest, fm.averageCharWidth() * 11) + 4 + paintkit::markReach(m_options.look));
}

// The pair's three rows are named (q, k, q∘k): each is at least a note line tall.
qreal Builder::rowHeight(const Panel& panel, qreal cell) const
{
    return panel.spec && panel.spec->labels == Labels::Pair ? std::max(cell, m_fonts.noteLine) : cell;
}

// From the top of a line of the board to its cells: the captions, and, where the line has
// a matrix whose columns are keys, a line for the keys' names above them.
qreal Builder::cellsOffset(const std::vector<int>& line) const
{
    const bool keyNames = std::any_of(line.cbegin(), line.cend(), [this](int n) {
        const Panel& panel = m_panels[std::size_t(n)];
        return !panel.readout && stepsColumnsAreKeys(panel.spec->id);
    });
    return m_fonts.line + (keyNames ? m_fonts.noteLine : 0) + 4;
}

// Without the arrow before it.
qreal Builder::panelWidth(const Panel& panel, qreal cellWidth) const
{
    if (panel.readout)
        return panel.textWidth;
    return panel.labelWidth + std::max(panel.shown.width() * cellWidth, panel.textWidth);
}

qreal Builder::rowWidth(const std::vector<int>& row, qreal cellWidth) const
{
    qreal width = 0;
    for (std::size_t n = 0; n < row.size(); ++n) {
        const Panel& panel = m_panels[std::size_t(row[n])];
        width += panelWidth(panel, cellWidth) + (n > 0 ? m_fonts.gap : 0) + (drawsArrow(panel, n == 0) ? arrowWidth() : 0);
    }
    return width;
}

// The widest number the cells of a matrix would show written so, in the cell font.
// Remembered: the windows and wrappings tried ask for the same ones many times.
qreal Builder::numberWidth(const Spec& s, const QRect& shown, int decimals) const
{
    const auto key = std::make_tuple(int(s.id), shown.left(), shown.top(), shown.width(), shown.height(), decimals);
    if (const auto known = m_numberWidths.find(key); known != m_numberWidths.end())
        return known->second;
    qreal widest = 0;
    for (int r = shown.top(); r <= shown.bottom(); ++r)
        for (int c = shown.left(); c <= shown.right(); ++c)
            widest = std::max(widest, m_fonts.cellMetrics.horizontalAdvance(stepsNumberText(s.value(r, c), decimals)));
    m_numberWidths.emplace(key, widest);
    return widest;
}

// The decimals that give the matrix's largest value three significant digits (4.57,
// 16.2, 0.700): numbers near 0 then take no more room than it does, where three
// significant digits of their own (−0.00534) would.
int Builder::rangeDecimals(const Spec& s)
{
    if (!(s.range > 0.f) || !std::isfinite(s.range))
        return 0;
    return std::max(0, threeSignificantDecimals(double(s.range)));
}

int Builder::preferredDecimals(const Spec& s, const QRect& shown)
{
    if (s.id != StepId::Weights)
        return stepsThreeSignificant;
    float largest = 0.f;
    for (int r = shown.top(); r <= shown.bottom(); ++r)
        for (int c = shown.left(); c <= shown.right(); ++c)
            largest = std::max(largest, s.value(r, c));
    return largest > 0.f && largest < 0.01f ? stepsShare : stepsWeight;
}

// The narrower way of writing a matrix's numbers where the preferred one does not fit: the
// same decimals for all (enough for the largest); the weights' three decimals, with ≈0 for
// what would read 0.000, where the digits of the smallest widened the cells past a small
// page (a sharp head in presentation lost every number of the steps). Shares under 0.01
// have none: they would all read ≈0.
std::optional<int> Builder::fallbackDecimals(const Spec& s, const QRect& shown)
{
    const int preferred = preferredDecimals(s, shown);
    if (preferred == stepsThreeSignificant)
        return rangeDecimals(s);
    if (preferred == stepsWeight)
        return stepsNarrowWeight;
    return std::nullopt;
}

// The narrowest the matrix's numbers get, in either way of writing them.
qreal Builder::narrowestNumbers(const Spec& s, const QRect& shown) const
{
    const qreal preferred = numberWidth(s, shown, preferredDecimals(s, shown));
    const std::optional<int> fallback = fallbackDecimals(s, shown);
    return fallback ? std::min(preferred, numberWidth(s, shown, *fallback)) : preferred;
}

// How the matrix's numbers are written in cells of this width; nullopt: they do not fit.
std::optional<int> Builder::numberDecimals(const Spec& s, const QRect& shown, qreal cellWidth) const
{
    const int preferred = preferredDecimals(s, shown);
    if (numberWidth(s, shown, preferred) <= cellWidth - 3)
        return preferred;
    if (const std::optional<int> fallback = fallbackDecimals(s, shown); fallback && numberWidth(s, shown, *fallback) <= cellWidth - 3)
        return fallback;
    return std::nullopt;
}

StepsLayout Builder::place(QRectF area, int window)
{
    StepsLayout layout;
    layout.selection = m_selection;
    layout.readouts = m_readouts;
    layout.pair = m_pair;
    layout.window = window;
    m_rowsTallEnough = false; // until the board is laid out
    const Fonts& f = m_fonts;
    for (Panel& panel : m_panels)
        measure(panel, window);

    // Header: what is followed, and what this head does overall.
    const QRectF header(area.left(), area.top(), area.width(), f.line);
    addText(layout, header, headerText(), Qt::AlignLeft | Qt::AlignVCenter, StepText::Style::Normal, true);
    QRectF board = area.adjusted(0, f.line + f.gap * 0.6, 0, 0);
    if (m_compact) {
        addText(layout, QRectF(board.left(), board.top(), board.width(), f.noteLine), windowNote(window),
                Qt::AlignLeft | Qt::AlignVCenter, StepText::Style::Note, true);
        board.setTop(board.top() + f.noteLine + f.gap * 0.4);
    }

    // Lines of the board: forced breaks, and wraps where a line is full at the smallest
    // cells, or (wrapForNumbers) at the narrowest cells its numbers fit in.
    constexpr qreal minCell = 5;
    const auto wrapCell = [&](const std::vector<int>& line) {
        qreal cell = minCell;
        if (m_wrapForNumbers)
            for (int n : line)
                if (const Panel& panel = m_panels[std::size_t(n)]; !panel.readout)
                    cell = std::max(cell, narrowestNumbers(*panel.spec, panel.shown) + 3);
        return cell;
    };
    std::vector<std::vector<int>> lines;
    for (int n = 0; n < int(m_panels.size()); ++n) {
        const Panel& panel = m_panels[std::size_t(n)];
        if (lines.empty() || panel.lineBreak) {
            lines.push_back({n});
            continue;
        }
        std::vector<int> extended = lines.back();
        extended.push_back(n);
        if (rowWidth(extended, wrapCell(extended)) > board.width())
            lines.push_back({n});
        else
            lines.back() = extended;
    }

    // A matrix that starts a line names its rows, as the one it follows did beside it.
    for (const std::vector<int>& line : lines)
        if (Panel& first = m_panels[std::size_t(line.front())]; !first.readout && first.labels == Labels::None)
            setLabels(first, first.spec->keyRows ? Labels::Keys : Labels::Queries);

    // Compact: the lines closer together, for the presentation font on a small page.
    const qreal lineGap = m_compact ? f.gap * 0.6 : f.gap;
    // One cell height for the whole board, the largest at which every line fits.
    const auto lineHeight = [&](std::size_t l, qreal cell) {
        qreal matrices = 0, text = 0;
        int below = 0;
        bool any = false;
        for (int n : lines[l]) {
            const Panel& panel = m_panels[std::size_t(n)];
            if (panel.readout) {
                text = readoutHeight();
                continue;
            }
            any = true;
            below = std::max(below, panel.belowLines);
            matrices = std::max(matrices, panel.shown.height() * rowHeight(panel, cell));
        }
        return std::max(any ? cellsOffset(lines[l]) + 4 + matrices + below * f.noteLine : 0.0, text);
    };
    const auto boardHeight = [&](qreal cell) {
        qreal total = 0;
        for (std::size_t l = 0; l < lines.size(); ++l)
            total += lineHeight(l, cell) + (l > 0 ? lineGap : 0);
        return total;
    };
    const qreal maxCellHeight = f.cellMetrics.height() + 10;
    constexpr qreal minCellHeight = 3;
    if (boardHeight(minCellHeight) > board.height()) {
        layout.hint = u"No room to draw the steps; make the window larger or the font smaller."_qs;
        return layout;
    }
    qreal low = minCellHeight, high = maxCellHeight;
    if (boardHeight(high) <= board.height())
        low = high;
    for (int step = 0; step < 30 && high - low > 0.25; ++step) {
        const qreal mid = (low + high) / 2;
        (boardHeight(mid) <= board.height() ? low : high) = mid;
    }
    const qreal cellHeight = std::floor(low);
    m_rowsTallEnough = cellHeight >= f.cellMetrics.height();

    qreal top = board.top();
    for (std::size_t l = 0; l < lines.size(); ++l) {
        // The widest cells that let the line fit, up to what a number needs.
        qreal widestNumber = 0;
        for (int n : lines[l])
            if (const Panel& panel = m_panels[std::size_t(n)]; !panel.readout)
                widestNumber = std::max(widestNumber,
                                        numberWidth(*panel.spec, panel.shown, preferredDecimals(*panel.spec, panel.shown)));
        const qreal maxCellWidth = std::min<qreal>(90, std::max(cellHeight, std::ceil(widestNumber) + 8));
        qreal narrow = minCell, wide = maxCellWidth;
        if (rowWidth(lines[l], wide) <= board.width())
            narrow = wide;
        for (int step = 0; step < 30 && wide - narrow > 0.25; ++step) {
            const qreal mid = (narrow + wide) / 2;
            (rowWidth(lines[l], mid) <= board.width() ? narrow : wide) = mid;
        }
        const qreal cellWidth = std::floor(narrow);
        const qreal height = lineHeight(l, cellHeight);

        qreal x = board.left();
        for (int n : lines[l]) {
            const Panel& panel = m_panels[std::size_t(n)];
            const bool startsLine = n == lines[l].front();
            if (!startsLine)
                x += f.gap;
            const qreal matrixTop = top + cellsOffset(lines[l]);
            if (drawsArrow(panel, startsLine)) {
                const qreal arrow = arrowWidth();
                const qreal middle = matrixTop + (panel.readout ? 1 : panel.shown.height()) * rowHeight(panel, cellHeight) / 2;
                addText(layout, QRectF(x - f.gap / 2, middle - f.line / 2, arrow, f.line), u"→"_qs, Qt::AlignCenter,
                        StepText::Style::Arrow, false);
                x += arrow;
            }
            if (panel.readout) // the readout takes the rest of its line
                placeReadout(layout, QRectF(x, top, std::max(panel.textWidth, board.right() - x), height));
            else
                placeMatrix(layout, panel, x, top, matrixTop, cellWidth, rowHeight(panel, cellHeight));
            x += panelWidth(panel, cellWidth);
        }
        top += height + lineGap;
    }
    return layout;
}

void Builder::placeMatrix(StepsLayout& layout, const Panel& panel, qreal x, qreal top, qreal cellsTop, qreal cellWidth,
                          qreal cellHeight)
{
    const Fonts& f = m_fonts;
    const Spec& s = *panel.spec;
    StepMatrix m;
    m.id = s.id;
    m.caption = captionOf(s);
    m.rows = s.rows;
    m.columns = s.columns;
    m.shown = panel.shown;
    m.diverging = s.diverging;
    m.range = s.range;
    m.highlightRow = s.highlightRow;
    m.highlightColumn = s.highlightColumn;
    m.highlightFirstColumn = s.blockFirst;
    m.highlightLastColumn = s.blockLast;
    m.keyRows = s.keyRows;

    const qreal left = x + panel.labelWidth;
    const qreal contentWidth = std::max(panel.shown.width() * cellWidth, panel.textWidth);
    m.rect = QRectF(left, cellsTop, panel.shown.width() * cellWidth, panel.shown.height() * cellHeight);
    addText(layout, QRectF(left, top, contentWidth, f.line), m.caption, Qt::AlignLeft | Qt::AlignVCenter,
            StepText::Style::Caption, true);

    if (cellHeight >= f.cellMetrics.height()) {
        const std::optional<int> decimals = numberDecimals(s, panel.shown, cellWidth);
        m.numbers = decimals.has_value();
        m.decimals = decimals.value_or(stepsThreeSignificant);
    }
    for (int r = panel.shown.top(); r <= panel.shown.bottom(); ++r)
        for (int c = panel.shown.left(); c <= panel.shown.right(); ++c) {
            StepCell cell;
            cell.row = r;
            cell.column = c;
            cell.masked = s.masked && s.masked(r, c);
            cell.value = s.value(r, c);
            cell.rect = QRectF(m.rect.left() + (c - panel.shown.left()) * cellWidth,
                               m.rect.top() + (r - panel.shown.top()) * cellHeight, cellWidth, cellHeight);
            m.cells << cell;
        }
    if (stepsColumnsAreKeys(s.id))
        placeKeyNames(layout, m, cellWidth);

    // Token labels left of the rows, every k-th when the rows are too short for their letters.
    if (panel.labels != Labels::None) {
        const bool pair = panel.labels == Labels::Pair;
        const qreal labelLine = pair ? f.noteLine : f.line;
        const auto labelText = [&](int r) {
            return pair ? stepsPairRowName(r) : paintkit::tokenText(m_trace, r, panel.labels == Labels::Keys);
        };
        // The height the letters take, not the font's line: rows as tall as the numbers in
        // the cells name every token ("the cat sat on a mat" lost every other name).
        qreal top = 0, bottom = 0;
        const QFontMetricsF& labelMetrics = pair ? f.noteMetrics : f.captionMetrics; // the bold one is the wider
        for (int r = panel.shown.top(); r <= panel.shown.bottom(); ++r) {
            const QRectF ink = labelMetrics.tightBoundingRect(labelText(r));
            top = std::min(top, ink.top());
            bottom = std::max(bottom, ink.bottom());
        }
        const qreal letters = std::min(labelLine, bottom - top + 1);
        const int every = std::max(1, int(std::ceil(letters / cellHeight)));
        const qreal pitch = std::min(labelLine, every * cellHeight); // the label's box, centred as the line was
        // The highlighted row (the query's, or the key's) is always named, and the others
        // every k-th row in step with it (counted from the top, the rows beside it gave way:
        // 2 of 6 named where 3 fit).
        const bool highlighted = !pair && s.highlightRow >= panel.shown.top() && s.highlightRow <= panel.shown.bottom();
        const int first = panel.shown.top() + (highlighted ? (s.highlightRow - panel.shown.top()) % every : 0);
        std::vector<int> rows;
        for (int r = first; r <= panel.shown.bottom(); r += every)
            rows.push_back(r);
        for (const int r : rows) {
            const qreal middle = m.rect.top() + (r - panel.shown.top() + 0.5) * cellHeight;
            const QString text = labelText(r);
            const bool chosen = !pair && r == s.highlightRow;
            const StepText::Style style = pair ? StepText::Style::Note
                                               : (chosen ? StepText::Style::Accent : StepText::Style::Normal);
            // Clear of a frame's halo by as much as of a plain border (they touched the dashed
            // frame of the selected head's columns in the concat).
            const qreal clear = paintkit::markReach(m_options.look) + 2;
            addText(layout, QRectF(x, middle - pitch / 2, panel.labelWidth - clear, pitch), text,
                    Qt::AlignRight | Qt::AlignVCenter, style, true);
        }
    }

    qreal y = m.rect.bottom() + 4;
    for (const QString& note : panel.notes) {
        addText(layout, QRectF(left, y, contentWidth, f.noteLine), note, Qt::AlignLeft | Qt::AlignVCenter,
                StepText::Style::Note, true);
        y += f.noteLine;
    }
    // The legend: low end, a small colour bar, high end.
    const qreal lowWidth = std::ceil(f.noteMetrics.horizontalAdvance(panel.legendLow)) + 1;
    const qreal highWidth = std::ceil(f.noteMetrics.horizontalAdvance(panel.legendHigh)) + 1;
    addText(layout, QRectF(left, y, lowWidth, f.noteLine), panel.legendLow, Qt::AlignLeft | Qt::AlignVCenter,
            StepText::Style::Note, false);
    const qreal barLeft = left + lowWidth + 4;
    const qreal barWidth = std::max<qreal>(16, std::min<qreal>(120, contentWidth - lowWidth - highWidth - 8));
    m.legendBar = QRectF(barLeft, y + f.noteLine * 0.25, barWidth, f.noteLine * 0.5);
    addText(layout, QRectF(barLeft + barWidth + 4, y, highWidth, f.noteLine), panel.legendHigh,
            Qt::AlignLeft | Qt::AlignVCenter, StepText::Style::Note, false);
    layout.matrices << m;
}

// Each column's key named above it, the chosen key's in the accent: a window of the keys
// ("cols 4–9") read without them looks square, its diagonal each token's weight on itself.
void Builder::placeKeyNames(StepsLayout& layout, const StepMatrix& m, qreal cellWidth) const
{
    const qreal bottom = m.rect.top() - 4;
    for (int c = m.shown.left(); c <= m.shown.right(); ++c) {
        const QRectF rect(m.rect.left() + (c - m.shown.left()) * cellWidth + 1, bottom - m_fonts.noteLine, cellWidth - 2,
                          m_fonts.noteLine);
        addText(layout, rect, paintkit::tokenText(m_trace, c, true), Qt::AlignHCenter | Qt::AlignBottom,
                c == m.highlightColumn ? StepText::Style::AccentNote : StepText::Style::Note, true);
    }
}

} // namespace stepsboard
