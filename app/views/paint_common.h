// Pieces every view paints the same way: background, title line, hints, colour bar,
// token labels along a matrix's axes, and the matrix image itself.
#pragma once

#include "heatmap.h"
#include "view_options.h"

#include <attn/trace.h>

#include <QPainter>
#include <QRectF>
#include <QString>

#include <vector>

namespace paintkit {

// Control characters (U+0000 to U+001F, U+007F) and the bidirectional embeddings,
// overrides and isolates (U+202A to U+202E, U+2066 to U+2069) as U+FFFD (�), as the
// tokenizer shows invalid UTF-8: drawn raw, the first show as nothing (and an SVG may not
// hold them at all), the others silently reorder the text around them ("evil" as "live").
QString withoutControls(QString text);
// The text set apart as a bidirectional isolate where it holds right-to-left letters, so
// that it neither turns the direction of a line of left-to-right words nor moves the
// numbers beside it.
QString isolated(const QString& text);
// “text”, isolated.
QString quoted(const QString& text);
// A token's display text with its spaces, tabs and line breaks made visible ("␣the"):
// a model's tokens carry the space before a word, which a label would otherwise hide.
QString visibleTokenText(const std::string& text);
// The query's (or key's) token as labels show it.
QString tokenText(const attn::Trace& trace, int index, bool key);
// Where a model's tokenizer put "[UNK]" (a word it has no piece for: an emoji, a script it
// never saw), what the text holds there: ` (typed “👍🏿”)`; else empty. `options`' texts are
// the ones the tokens came from.
QString unknownTokenNote(const attn::Trace& trace, int index, bool key, const ViewOptions& options);

// "1 head", "4 heads": a count and its thing, plural but for one.
QString countOf(qint64 count, const QString& thing);

// The facts a sandbox figure's title gives after its quoted text, each after a separator:
// heads, dₖ, then what else shaped the numbers where it differs from the default (dᵥ,
// d_model, scaling, T, causal, seed, positions), so that figures made with other settings
// never carry the same title; then the view's name.
QString layerFacts(const attn::Trace& trace, const QString& viewName);

// The page without its margins and the title (one line, or two where many facts would
// leave the quote less than half of one), for a title with these facts.
QRectF pageContent(QRectF page, const ViewOptions& options, const QString& facts);
// pageContent for beginPage's title.
QRectF pageContent(QRectF page, const attn::Trace& trace, const ViewOptions& options, const QString& viewName);

// Fills the page and, when wanted, paints the title: the quoted text, then `facts` (which
// start with a separator); returns what is left below it.
QRectF beginTitledPage(QPainter& painter, QRectF page, const ViewOptions& options, const QString& facts);

// beginTitledPage with layerFacts.
QRectF beginPage(QPainter& painter, QRectF page, const attn::Trace& trace, const ViewOptions& options, const QString& viewName);

// The width of a page on which one line of text in `font` is not shortened: the text, the
// page's margins and a pixel each side for rounding.
qreal pageWidthForLine(const QFont& font, const QString& line);
// The page width beginPage's title needs beside a figure `content` wide, up to `most`: the
// figure's where quote and facts fit it whole on two lines; else all of it on one line where
// that fits; else a width at which it keeps the lines it has at `most` (the quote shortened
// to half a line, or quote and facts on two lines). 0 without a title.
qreal titledPageWidth(const attn::Trace& trace, const ViewOptions& options, const QString& viewName, qreal content,
                      qreal most);

// A short centred message in place of a figure (empty text, nothing to show); an empty
// hint says that the figure has no room.
void paintHint(QPainter& painter, QRectF area, const ViewOptions& options, const QString& hint);
// A view with nothing computed to show: the page in its background, and why.
void paintEmptyPage(QPainter& painter, QRectF page, const Appearance& look, const QString& why);

// Small muted text at the bottom of area, wrapped at spaces onto the lines it needs in the
// area's width (up to maxFootnoteLines and as many as the area holds, the last then cut
// with "…"); returns the area above.
QRectF paintFootnote(QPainter& painter, QRectF area, const ViewOptions& options, const QString& note);
constexpr int maxFootnoteLines = 3;
// The height the notes take in `width`, stacked as paintFootnote paints them; empty notes
// take none.
qreal footnoteHeight(const ViewOptions& options, qreal width, const QStringList& notes);
// A layout whose footnote has room: laid out with one line kept for it, then, where its
// note (as that layout words it) takes more lines in the page's width, again with those.
// `layoutWith(height)` lays out with `height` kept for the footnote; `notesOf(layout)` says
// what the footnote will hold.
template <typename LayoutWith, typename NotesOf>
auto withFootnoteRoom(qreal width, const ViewOptions& options, LayoutWith layoutWith, NotesOf notesOf)
{
    const qreal oneLine = footnoteHeight(options, width, {u"."_qs});
    auto layout = layoutWith(oneLine);
    const qreal needed = footnoteHeight(options, width, notesOf(layout));
    return needed > oneLine ? layoutWith(needed) : layout;
}

// The width a vertical colour bar with its labels needs.
qreal colorBarWidth(const ViewOptions& options);
void paintColorBar(QPainter& painter, QRectF area, float vmax, const ViewOptions& options);
// The weight at the top of the colour map: 1 with look.unitColorScale, else the largest shown.
float colorScaleTop(float largest, const ViewOptions& options);
struct ColorBarTick {
    float value = 0.f; // where on the bar: 0 at the bottom, vmax at the top
    QString label;
};
// The bar's marks: 0, round values below the top (steps of 1, 2 or 5 times a power of ten,
// at most `most` of them besides 0, as in a plot's axis), and the top itself, vmax, which names the
// largest weight shown (or 1). A round mark closer to the top than `gap` (a share of vmax)
// would be read into its label and is left out. Each label is within half a unit of its
// last digit of the value, and the top has three significant digits (up to four decimals,
// and a digit more than the round marks).
QList<ColorBarTick> colorBarTicks(float vmax, int most, double gap);

// The widest label among the shown tokens, capped at about capCharacters characters of
// the font (so that a presentation's larger type keeps as many).
qreal labelExtent(const QFontMetricsF& metrics, const attn::Trace& trace, const QRect& cells, int capCharacters);

// Labels go on every how many rows (or columns) of this size: 1 where each has room.
int labelEvery(qreal rowSize, const ViewOptions& options);
// "Labels: every 2nd token." (or "every 2nd query, every 3rd key"), said on a figure whose
// labels skip rows or columns so that nobody reads them as consecutive; empty otherwise.
QString labelsNote(int everyQuery, int everyKey);
// The note for the labels paintAxisLabels draws with this room (none: no labels, no note).
QString labelsNote(const MatrixGeometry& matrix, const ViewOptions& options, qreal leftSpace, qreal bottomSpace);

// Whether the causal mask hides any of the trace's cells (keys after their query).
bool hasMaskedCells(const attn::Trace& trace);
// Hatches the cells of the matrix that the causal mask hides, over the page's colour: a
// weight the mask forbids reads apart from one that is merely small (both are 0).
void paintMaskedCells(QPainter& painter, const MatrixGeometry& matrix, const attn::Trace& trace, const Appearance& look);
// The footnote's words for the hatching.
inline QString maskedCellsNote() { return u"Hatched: keys the causal mask hides."_qs; }

// What the weight filter changed, said on every figure it changes ("First token hidden,
// rows renormalised.  Each row keeps …"); empty for no filter.
QString filterNote(const WeightFilter& filter);

// Query labels to the left of the matrix and key labels below it (rotated), every k-th
// one (labelEvery) when they do not all fit.
void paintAxisLabels(QPainter& painter, const MatrixGeometry& matrix, const attn::Trace& trace, const ViewOptions& options,
                     qreal leftSpace, qreal bottomSpace);

// Draws the image with crisp cells (pre-scaled for SVG, whose viewers smooth images).
void paintMatrixImage(QPainter& painter, const QRectF& target, const QImage& image);
// A heatmap: paintMatrixImage in a hairline frame, so that its edge shows where its
// weakest cells take the page's colour (Greys on paper).
void paintHeatmap(QPainter& painter, const QRectF& target, const QImage& image, const Appearance& look);
// The colour map of the look, for its page (ColorMap's darkPage).
inline ColorMap weightColors(const Appearance& look) { return ColorMap(look.colorMap, look.isDark()); }

// A frame drawn over cells: where it goes and how.
struct Mark {
    QRectF rect;
    QPen pen;
};
// The frames, each over a halo of the page's colour (all halos first), so that a red or
// black frame shows on the darkest cells of a colour map as well as on the lightest. Cells
// of a few pixels get no halo: it would cover their neighbours.
void paintMarks(QPainter& painter, const std::vector<Mark>& marks, const Appearance& look, bool halo = true);
// How far the widest mark (a pen of 2.5 × lineScale) and its halo reach out of the
// rectangle they frame: labels beside a matrix keep clear of it.
qreal markReach(const Appearance& look);

// Outlines of the hovered cell's row and column and of pinned rows.
void paintFocus(QPainter& painter, const MatrixGeometry& matrix, const ViewOptions& options);

// A weight with that many decimals, unless they would read as exactly 0 or 1 where it is
// not: then 1.5e−9 or 1 − 3.2e−7, as 0.000 would say the key is ignored entirely.
QString weightText(double weight, int decimals);
// A weight in a line of text: two decimals from 0.1, three below (as above), and 0 as "0".
QString weightText(float weight);
// Two significant digits and a power of ten, as short as it gets: 5.4e−4.
QString shortExponentText(double value);
// A share or weight in a table's column or a matrix's cell: three decimals, and under 0.01
// two significant digits (5.4e−4), which three decimals round to 0.000 or 0.001
// (thousands of tokens).
QString shareText(double share);
// A weight or share said on its own (a statistic, the pair's softmax): as shareText, and one
// short of 1 as 1 − 4.0e−5, as weightText.
QString shareFigureText(double share);

// A number's text with a real minus sign (−), as type sets it, not a hyphen.
QString withRealMinus(QString text);

// A float exactly: the shortest decimal that reads back as the same float, with a real
// minus sign (for tooltips, where a cell's rounded number is spelled out).
QString exactText(float value);

} // namespace paintkit
