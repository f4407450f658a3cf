#include "token_links_view.h"

#include "display_weights.h"
#include "paint_common.h"
#include "token_links_raster.h"

#include <QFontMetricsF>
#include <QLocale>
#include <QPaintEngine>

#include <algorithm>
#include <optional>
#include <array>
#include <cmath>

namespace {

const QString viewName = u"token links"_qs;
constexpr qreal sumBarWidth = 48;
// A figure sized to its rows (tokenLinksPageSize) spaces them at most this many lines of
// type apart; on a page of given size (a slide, the window) they share its height out.
constexpr qreal maxRowLines = 5;

bool headShown(const ViewOptions& options, int head)
{
    return !options.focus.hiddenHeads.contains(head);
}

// One link to draw: its ends on the page, its shown head (an index into the shown heads'
// list) and its opacity 0..255.
struct Link {
    QPointF from, to;
    int head;
    float alpha;
};

struct LinkSet {
    std::vector<Link> lines;
    double hiddenShare = 0;  // links weaker than this share of the opaque weight are not drawn
    bool capped = false;     // more than maxLines passed: only the strongest are drawn
};

// Thousands of tokens attending evenly pass every link: 5000 tokens and 8 heads made 200
// million lines, a paint of minutes and gigabytes for a page of solid colour. The strongest
// this many are drawn, and the footnote says so.
constexpr std::size_t maxLines = 100'000;

// The largest of weights[first, end), or 0. Kept in four running maxima: with one, each
// comparison waits for the one before, which was most of a long text's paint.
float largestWeight(const float* weights, int first, int end)
{
    std::array<float, 4> largest{};
    int k = first;
    for (; k + int(largest.size()) <= end; k += int(largest.size()))
        for (std::size_t lane = 0; lane < largest.size(); ++lane)
            largest[lane] = std::max(largest[lane], weights[std::size_t(k) + lane]);
    for (; k < end; ++k)
        largest[0] = std::max(largest[0], weights[k]);
    return *std::max_element(largest.begin(), largest.end());
}

// The links worth drawing, and (when wanted) the attention each key receives from the
// active queries. Opacity is proportional to the weight, with the strongest link drawn
// opaque, so long sentences (small weights everywhere) still show their structure; on the
// unit colour scale a weight of 1 is opaque instead, so that settings compare. With
// every query shown at once the lines are fainter, so that the strong links of a
// 20-token sentence with 8 heads stand out of the crowd; links fainter than `faintest`
// only add haze and are left out (the footnote says so). One pass over the weights: a
// link is kept while it passes the cut of the strongest weight seen so far (a superset
// of the final cut), and the final cut is applied at the end.
LinkSet gatherLinks(const DisplayWeights& weights, const TokenLinksLayout& layout, const std::vector<int>& active,
                    const std::vector<int>& shownHeads, bool focused, bool unitScale, std::vector<double>* summed)
{
    const float maxAlpha = focused ? 255.f : 200.f;
    const float faintest = focused ? 8.f : 40.f;
    const float share = faintest / maxAlpha;
    struct Candidate {
        int head, query, key;
        float weight;
    };
    std::vector<Candidate> candidates;
    std::vector<float> buffer(std::size_t(weights.keys()));
    const int firstKey = weights.firstKey(), keys = weights.keys();
    float strongest = unitScale ? 1.f : 0.f; // the weight drawn opaque (or the largest so far)
    float weakestKept = 0.f; // once more than maxLines passed, the weakest of the strongest maxLines
    const auto keepStrongest = [&] {
        const auto last = candidates.begin() + std::ptrdiff_t(maxLines) - 1;
        std::nth_element(candidates.begin(), last, candidates.end(),
                         [](const Candidate& a, const Candidate& b) { return a.weight > b.weight; });
        weakestKept = last->weight;
        candidates.resize(maxLines);
    };
    for (std::size_t i = 0; i < shownHeads.size(); ++i) {
        for (int q : active) {
            const float* row = weights.directRow(shownHeads[i], q);
            if (!row) {
                weights.row(shownHeads[i], q, buffer.data());
                row = buffer.data();
            }
            const float rowMax = largestWeight(row, firstKey, keys);
            if (summed)
                for (int k = firstKey; k < keys; ++k)
                    (*summed)[std::size_t(k)] += row[k];
            strongest = std::max(strongest, rowMax);
            // Below the final cut, despite rounding; once capped, above the weakest kept (ties
            // with it too: a page of even weights would keep them all).
            const float cut = share * strongest * 0.999f;
            if (rowMax < cut || rowMax <= 0.f || rowMax <= weakestKept)
                continue;
            for (int k = firstKey; k < keys; ++k)
                if (row[k] >= cut && row[k] > weakestKept)
                    candidates.push_back({int(i), q, k, row[k]});
            if (candidates.size() > 2 * maxLines)
                keepStrongest();
        }
    }

    LinkSet links;
    links.hiddenShare = share;
    if (strongest <= 0.f)
        return links;
    if (candidates.size() > maxLines)
        keepStrongest();
    if (weakestKept > 0.f) {
        // Capped only where the trim left out links the final cut keeps: a trim while the
        // strongest weight was still small drops only what the cut drops anyway.
        links.capped = weakestKept >= share * strongest * 0.999f;
        if (links.capped)
            links.hiddenShare = double(weakestKept) / strongest;
    }
    // Heads stay distinct: each shown head's lines are shifted a little.
    const qreal spread = std::min<qreal>(2.0, layout.rowHeight / (shownHeads.size() + 1.0));
    const float opacity = maxAlpha / strongest;
    for (const Candidate& c : candidates) {
        const float alpha = c.weight * opacity;
        if (alpha < faintest)
            continue;
        const qreal offset = (qreal(c.head) - (shownHeads.size() - 1) / 2.0) * spread;
        const QRectF from = layout.queries[std::size_t(c.query)];
        const QRectF to = layout.keys[std::size_t(c.key)];
        links.lines.push_back({QPointF(from.right() + 4, from.center().y() + offset),
                               QPointF(to.left() - 4, to.center().y() + offset), c.head, std::min(255.f, alpha)});
    }
    return links;
}

// The faintest links first and the strongest last, whatever their head: drawn head after
// head, the last head's lines covered the others' (a page of even weights came out in its
// colour alone). Vector devices (SVG, PDF) get one drawLines call per opacity step and head,
// so a file holds lines, not pixels. Raster devices (screen, PNG) get the lines drawn by
// rasterizeLines into one image: the same lines at their exact opacity, much quicker than
// Qt's thin-line path (see token_links_raster.h).
void drawLinks(QPainter& painter, QRectF page, const LinkSet& links, const std::vector<QColor>& colors, qreal width)
{
    if (links.lines.empty())
        return;
    const QTransform device = painter.deviceTransform();
    const bool raster = painter.paintEngine() && painter.paintEngine()->type() == QPaintEngine::Raster;
    if (raster && device.type() <= QTransform::TxScale) {
        qreal left = page.right(), right = page.left(), top = page.bottom(), bottom = page.top();
        for (const Link& link : links.lines)
            for (const QPointF& end : {link.from, link.to}) {
                left = std::min(left, end.x());
                right = std::max(right, end.x());
                top = std::min(top, end.y());
                bottom = std::max(bottom, end.y());
            }
        const QRectF bounds = QRectF(QPointF(left, top), QPointF(right, bottom)).adjusted(-width - 1, -width - 1, width + 1, width + 1) & page;
        const QRect pixels = device.mapRect(bounds).toAlignedRect();
        if (pixels.isEmpty())
            return;
        std::vector<RasterLine> lines;
        lines.reserve(links.lines.size());
        const QPointF origin = pixels.topLeft();
        for (const Link& link : links.lines)
            lines.push_back({device.map(link.from) - origin, device.map(link.to) - origin,
                             colors[std::size_t(link.head)].rgb(), link.alpha / 255.f});
        std::stable_sort(lines.begin(), lines.end(), [](const RasterLine& a, const RasterLine& b) { return a.alpha < b.alpha; });
        painter.drawImage(device.inverted().mapRect(QRectF(pixels)),
                          rasterizeLines(pixels.size(), lines, width * std::sqrt(std::abs(device.m11() * device.m22()))));
        return;
    }

    constexpr int opacitySteps = 32;
    std::vector<std::vector<std::vector<QLineF>>> batches(opacitySteps, std::vector<std::vector<QLineF>>(colors.size()));
    for (const Link& link : links.lines) {
        const int step = std::min(opacitySteps - 1, int(link.alpha / 256.f * opacitySteps));
        batches[std::size_t(step)][std::size_t(link.head)].push_back(QLineF(link.from, link.to));
    }
    painter.setRenderHint(QPainter::Antialiasing, true);
    for (int step = 0; step < opacitySteps; ++step)
        for (std::size_t head = 0; head < colors.size(); ++head) {
            const std::vector<QLineF>& batch = batches[std::size_t(step)][head];
            if (batch.empty())
                continue;
            QColor color = colors[head];
            color.setAlpha(std::min(255, (step * 256 + 128) / opacitySteps));
            painter.setPen(QPen(color, width));
            painter.drawLines(batch.data(), int(batch.size()));
        }
}

} // namespace

QColor headColor(int head, int heads, bool dark)
{
    // Golden-angle steps would also separate hues, but an even wheel keeps neighbours
    // as far apart as the count allows and reads as an ordered legend.
    const double hue = heads > 0 ? std::fmod(double(head) / double(heads) + 0.58, 1.0) : 0.0;
    return QColor::fromHsvF(float(hue), dark ? 0.6f : 0.85f, dark ? 1.0f : 0.8f);
}

std::vector<int> activeQueries(const attn::Trace& trace, const ViewOptions& options)
{
    const DisplayWeights weights(trace, options.filter);
    const auto valid = [&](int q) { return q >= weights.firstQuery() && q < weights.queries(); };
    std::vector<int> active;
    if (valid(options.focus.hoverQuery)) {
        active.push_back(options.focus.hoverQuery);
        return active;
    }
    for (int q : options.focus.pinnedQueries)
        if (valid(q) && std::find(active.begin(), active.end(), q) == active.end())
            active.push_back(q);
    if (!active.empty())
        return active;
    for (int q = weights.firstQuery(); q < weights.queries(); ++q)
        active.push_back(q);
    return active;
}

namespace {

// The rows of the visible queries and keys.
QRect linkCells(const DisplayWeights& weights)
{
    return QRect(QPoint(weights.firstKey(), weights.firstQuery()), QPoint(weights.keys() - 1, weights.queries() - 1));
}

// `labels`: the room the token names want (paintkit::labelExtent), measured once for both
// of withFootnoteRoom's layouts.
TokenLinksLayout layoutTokenLinksWith(QRectF page, const attn::Trace& trace, const ViewOptions& options, qreal footHeight,
                                      qreal labels)
{
    TokenLinksLayout layout;
    const DisplayWeights weights(trace, options.filter);
    QRectF area = paintkit::pageContent(page, trace, options, viewName);
    const QFontMetricsF metrics(options.look.font);
    const qreal line = metrics.height();
    layout.footnote = QRectF(area.left(), area.bottom() - footHeight, area.width(), footHeight);
    if (weights.isEmpty())
        return layout;
    area.setBottom(layout.footnote.top() - 4);

    // Legend: one swatch per head, wrapping, then the unpin button.
    qreal x = area.left(), y = area.top();
    const qreal swatchWidth = metrics.horizontalAdvance(u"head 00"_qs) + 22;
    for (int head = 0; head < weights.heads(); ++head) {
        if (x + swatchWidth > area.right() && x > area.left()) {
            x = area.left();
            y += line + 6;
        }
        layout.swatches.push_back(QRectF(x, y, swatchWidth - 6, line + 2));
        x += swatchWidth;
    }
    if (!options.focus.pinnedQueries.isEmpty() && options.look.interactive) { // a button: not in a figure
        const qreal width = metrics.horizontalAdvance(u"✕ unpin (Esc)"_qs) + 14;
        if (x + width > area.right()) {
            x = area.left();
            y += line + 6;
        }
        layout.unpin = QRectF(x + 8, y, width, line + 2);
    }
    area.setTop(y + line + 14);

    const QRect cells = linkCells(weights);
    const qreal column = std::min(labels + 8, area.width() * 0.3);
    const int rows = std::max(cells.height(), cells.width());
    // The rows share the room out: "I love you" took the top fifth of a slide with its rows
    // a few lines apart, and the window's Token links a band of it.
    layout.rowHeight = area.height() / std::max(1, rows);
    // Rows lower than a line carry every k-th label, centred on its row: the rows keep half a
    // line from the legend and the footnote, or the first and last labels would reach over them.
    if (layout.rowHeight < line) {
        area.adjust(0, line / 2, 0, -line / 2);
        layout.rowHeight = area.height() / std::max(1, rows);
    }
    // Rows in less than three lines (a small page, a legend of many heads) are no figure:
    // 14 tokens drawn a pixel apart once read as one pair. The window draws what fits, with
    // its legend, where heads can be hidden to make room.
    if ((!options.look.interactive && area.height() < 3 * line) || area.height() <= 0
        || area.width() < 2 * column + sumBarWidth + 40)
        return layout;
    layout.queries.assign(std::size_t(weights.queries()), QRectF());
    layout.keys.assign(std::size_t(weights.keys()), QRectF());
    for (int q = cells.top(); q <= cells.bottom(); ++q)
        layout.queries[std::size_t(q)] = QRectF(area.left(), area.top() + (q - cells.top()) * layout.rowHeight, column, layout.rowHeight);
    const qreal keyLeft = area.right() - sumBarWidth - column;
    for (int k = cells.left(); k <= cells.right(); ++k)
        layout.keys[std::size_t(k)] = QRectF(keyLeft, area.top() + (k - cells.left()) * layout.rowHeight, column, layout.rowHeight);
    layout.empty = false;
    return layout;
}

// The note under the links: which labels are shown, what is too faint to draw (given the
// share left out, where links are drawn), what the bars and the lines mean.
QString linksNote(const attn::Trace& trace, const ViewOptions& options, const TokenLinksLayout& layout,
                  std::optional<double> hiddenShare, bool capped)
{
    const std::vector<int> active = activeQueries(trace, options);
    const bool focused = options.focus.hasHover() || !options.focus.pinnedQueries.isEmpty();
    QString note;
    if (focused && active.size() > 1)
        note = u"Bars: attention the "_qs + QString::number(active.size()) + u" pinned tokens give each key, summed."_qs;
    else if (focused)
        note = u"Bars: attention "_qs + paintkit::quoted(paintkit::tokenText(trace, active.front(), false))
               + u" gives each key, averaged over the shown heads."_qs;
    else if (options.look.interactive)
        note = u"Hover a query (left) to preview its links, click to pin (Ctrl+click: several). Click a head to switch it, double-click to solo."_qs;
    // What is left out is said on the figure.
    if (hiddenShare) {
        // Capped, the share can be near 100% (even weights): three digits, not "under 100%".
        const QString percent = capped ? QString::number(std::min(99.9, *hiddenShare * 100), 'f', 1)
                                       : QString::number(qRound(*hiddenShare * 100));
        const QString under = options.look.unitColorScale
                                  ? QString(u"links under weight "_qs + QString::number(*hiddenShare, 'g', 3))
                                  : QString(u"links under "_qs + percent + u"% of the strongest"_qs);
        const QString left = capped ? QString(u"Only the strongest "_qs + QLocale(QLocale::English).toString(qint64(maxLines))
                                              + u" links drawn: "_qs + under + u" left out.  "_qs)
                                    : QString(under.front().toUpper() + under.mid(1) + u" too faint to draw.  "_qs);
        note = left + note;
    }
    if (const int every = paintkit::labelEvery(layout.rowHeight, options); every > 1)
        note = paintkit::labelsNote(every, every) + u"  "_qs + note;
    // Last: where the line is cut short, the notes before it matter more.
    return QString(note + u"  Queries left, keys right; the stronger the weight, the more opaque its line."_qs).trimmed();
}

} // namespace

TokenLinksLayout layoutTokenLinks(QRectF page, const attn::Trace& trace, const ViewOptions& options)
{
    // Room for the longest the note can be: links drawn, capped, the largest share left out. A
    // filter's note gets lines of its own, above it.
    const double longestShare = options.look.unitColorScale ? 0.123456 : 1.0;
    const bool mayCap = double(trace.config.heads) * double(trace.queryCount()) * double(trace.keyCount()) > double(maxLines);
    const qreal labels = paintkit::labelExtent(QFontMetricsF(options.look.font), trace,
                                               linkCells(DisplayWeights(trace, options.filter)), 21);
    return paintkit::withFootnoteRoom(
        paintkit::pageContent(page, trace, options, viewName).width(), options,
        [&](qreal footHeight) { return layoutTokenLinksWith(page, trace, options, footHeight, labels); },
        [&](const TokenLinksLayout& layout) {
            return QStringList{linksNote(trace, options, layout, longestShare, mayCap), paintkit::filterNote(options.filter)};
        });
}

QSize tokenLinksPageSize(QSize most, const attn::Trace& trace, const ViewOptions& options)
{
    const TokenLinksLayout layout = layoutTokenLinks(QRectF(QPointF(0, 0), QSizeF(most)), trace, options);
    if (layout.empty) // a hint: a page of modest size
        return QSize(most.width(), std::min(most.height(), 360));
    qreal rowsTop = most.height();
    int rows = 0;
    for (const std::vector<QRectF>* side : {&layout.queries, &layout.keys}) {
        const auto shown = std::count_if(side->begin(), side->end(), [](const QRectF& row) { return !row.isNull(); });
        rows = std::max(rows, int(shown));
        for (const QRectF& row : *side)
            if (!row.isNull())
                rowsTop = std::min(rowsTop, row.top());
    }
    const qreal pitch = std::min(maxRowLines * QFontMetricsF(options.look.font).height(), layout.rowHeight);
    const qreal height = rowsTop + rows * pitch + 8 + layout.footnote.height() + (most.height() - layout.footnote.bottom());
    return QSize(most.width(), std::min(most.height(), int(std::ceil(height))));
}

void paintTokenLinks(QPainter& painter, QRectF page, const attn::Trace& trace, const ViewOptions& options)
{
    const QRectF area = paintkit::beginPage(painter, page, trace, options, viewName);
    const TokenLinksLayout layout = layoutTokenLinks(page, trace, options);
    if (layout.empty) {
        paintkit::paintHint(painter, area, options,
                            trace.queryCount() == 0 ? u"Type a sentence to see which words each word attends to."_qs
                                                    : QString());
        return;
    }
    const DisplayWeights weights(trace, options.filter);
    const bool dark = options.look.isDark();
    const QFontMetricsF metrics(options.look.font);
    painter.setFont(options.look.font);

    // Legend.
    for (int head = 0; head < weights.heads(); ++head) {
        const QRectF swatch = layout.swatches[std::size_t(head)];
        const QColor color = headColor(head, weights.heads(), dark);
        const QRectF box(swatch.left(), swatch.center().y() - 6, 12, 12);
        painter.setPen(QPen(color, 2));
        painter.setBrush(headShown(options, head) ? QBrush(color) : QBrush(Qt::NoBrush));
        painter.drawRect(box);
        // On screen the selected head (Page Up/Down, the detail's) is named in the accent
        // colour, as over its heatmap.
        const bool selected = options.look.interactive && head == options.focus.head && weights.heads() > 1;
        painter.setPen(selected ? options.look.accent
                                : headShown(options, head) ? options.look.foreground : options.look.muted);
        painter.drawText(QRectF(box.right() + 5, swatch.top(), swatch.right() - box.right() - 5, swatch.height()),
                         Qt::AlignLeft | Qt::AlignVCenter, u"head "_qs + QString::number(head + 1));
    }
    if (!layout.unpin.isNull()) {
        painter.setPen(QPen(options.look.accent, 1));
        painter.setBrush(Qt::NoBrush);
        painter.drawRoundedRect(layout.unpin, 4, 4);
        painter.setPen(options.look.accent);
        painter.drawText(layout.unpin, Qt::AlignCenter, u"✕ unpin (Esc)"_qs);
    }

    const std::vector<int> active = activeQueries(trace, options);
    const bool focused = options.focus.hasHover() || !options.focus.pinnedQueries.isEmpty();
    std::vector<int> shownHeads;
    for (int head = 0; head < weights.heads(); ++head)
        if (headShown(options, head))
            shownHeads.push_back(head);

    std::vector<double> summed(std::size_t(weights.keys()), 0.0);
    const LinkSet links = gatherLinks(weights, layout, active, shownHeads, focused, options.look.unitColorScale,
                                      focused ? &summed : nullptr);
    std::vector<QColor> colors;
    for (int head : shownHeads)
        colors.push_back(headColor(head, weights.heads(), dark));
    drawLinks(painter, page, links, colors, (focused ? 2.0 : 1.0) * options.look.lineScale);

    // Token labels; the active queries stand out while some are hovered or pinned. A row
    // may be lower than the text (every `every`th is labelled then), so labels are not
    // clipped to their row.
    const int every = paintkit::labelEvery(layout.rowHeight, options);
    QFont bold = options.look.font;
    bold.setBold(true);
    const QFontMetricsF boldMetrics(bold); // an active label is shortened in the type it is drawn in
    painter.setRenderHint(QPainter::Antialiasing, true);
    const auto isActiveQuery = [&](int q) { return focused && std::find(active.begin(), active.end(), q) != active.end(); };
    // Where every k-th row is named, a name gives way to an active one within a line of it,
    // which it would overlap (a hovered "mouse" over the sampled "cat").
    const auto besideAnActive = [&](int q) {
        return every > 1 && focused && std::any_of(active.begin(), active.end(), [&](int a) {
                   return a != q && std::abs(a - q) * layout.rowHeight < metrics.height();
               });
    };
    for (int q = weights.firstQuery(); q < weights.queries(); ++q) {
        const bool isActive = isActiveQuery(q);
        const bool pinned = options.focus.pinnedQueries.contains(q);
        if (!isActive && ((q - weights.firstQuery()) % every != 0 || besideAnActive(q)))
            continue;
        const QRectF box = layout.queries[std::size_t(q)];
        if (pinned) {
            painter.setPen(QPen(options.look.accent, 1.5));
            painter.setBrush(Qt::NoBrush);
            painter.drawRoundedRect(box.adjusted(1, 1, -1, -1), 3, 3);
        }
        painter.setFont(isActive ? bold : options.look.font);
        painter.setPen(focused && !isActive ? options.look.muted : options.look.foreground);
        painter.drawText(box.adjusted(0, 0, -6, 0), Qt::AlignRight | Qt::AlignVCenter | Qt::TextDontClip,
                         (isActive ? boldMetrics : metrics).elidedText(paintkit::tokenText(trace, q, false), Qt::ElideRight, box.width() - 8));
    }
    painter.setFont(options.look.font);

    // Keys, with a bar of the attention they receive from the active queries (summed over
    // queries, averaged over the shown heads).
    const double headCount = std::max<std::size_t>(1, shownHeads.size());
    const double largest = std::max(1e-12, *std::max_element(summed.begin(), summed.end()) / headCount);
    QColor barColor = options.look.foreground;
    barColor.setAlpha(110);
    for (int k = weights.firstKey(); k < weights.keys(); ++k) {
        const QRectF box = layout.keys[std::size_t(k)];
        const double received = summed[std::size_t(k)] / headCount;
        if (focused && received > 0) {
            const qreal length = (sumBarWidth - 8) * received / largest;
            painter.fillRect(QRectF(box.right() + 4, box.center().y() - box.height() * 0.3, length, box.height() * 0.6),
                             barColor);
        }
        if ((k - weights.firstKey()) % every != 0)
            continue;
        painter.setPen(options.look.foreground);
        painter.drawText(box.adjusted(6, 0, 0, 0), Qt::AlignLeft | Qt::AlignVCenter | Qt::TextDontClip,
                         metrics.elidedText(paintkit::tokenText(trace, k, true), Qt::ElideRight, box.width() - 8));
    }

    const QString note = linksNote(trace, options, layout,
                                   !links.lines.empty() || focused ? std::optional<double>(links.hiddenShare) : std::nullopt,
                                   links.capped);
    const QRectF above = paintkit::paintFootnote(painter, layout.footnote, options, note);
    paintkit::paintFootnote(painter, above, options, paintkit::filterNote(options.filter));
}

int indexAt(const std::vector<QRectF>& rects, QPointF point)
{
    for (std::size_t i = 0; i < rects.size(); ++i)
        if (rects[i].contains(point))
            return int(i);
    return -1;
}
