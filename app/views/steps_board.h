// The steps view's board while it is laid out: the matrices it shows (Spec), their places
// (Panel), and the Builder that tries windows until the numbers fit. Private to the steps
// view, and split by job: steps_layout.cpp builds the board and writes its text,
// steps_panels.cpp says what it shows, steps_placement.cpp where each matrix goes, and
// steps_readout.cpp lays out the per-head readout.
#pragma once

#include "steps_layout.h"
#include "view_options.h"

#include <attn/head_stats.h>
#include <attn/trace.h>

#include <QFont>
#include <QFontMetricsF>
#include <QRect>
#include <QRectF>
#include <QString>
#include <QStringList>

#include <functional>
#include <map>
#include <optional>
#include <tuple>
#include <utility>
#include <vector>

namespace stepsboard {

// The decimals that write a number of this magnitude (> 0) with three significant digits:
// 4.57, 16.2, 0.700.
int threeSignificantDecimals(double magnitude);
QString dimsText(int rows, int columns);
// Rows or columns [first, first + count) around `centre` (or from 0 when centre < 0).
std::pair<int, int> windowAround(int total, int centre, int window);
// The window of `window` (or all) of `total` that starts at `first`, or as near as fits.
std::pair<int, int> windowFrom(int total, int first, int window);
// The window around `anchor` (the resting selection: pinned query, selected key) while it
// still shows `centre` (the hovered one), else the window around `centre`. Hovering a
// cell must not slide the board under the pointer, or the next move hovers another cell.
std::pair<int, int> stableWindow(int total, int centre, int anchor, int window);
float maxAbs(const float* begin, const float* end);
// Head h's slice of a [h x rows x columns] tensor.
std::pair<const float*, const float*> headSlice(const attn::Tensor& tensor, int head);

enum class Labels { None, Queries, Keys, Pair };

// A matrix before it has a place on the board.
struct Spec {
    StepId id = StepId::Input;
    QString caption;
    int rows = 0, columns = 0;
    int rowCentre = -1, columnCentre = -1;
    int columnFirst = -1; // where the columns shown start, where they can (concat: in line with A·V's)
    bool diverging = true;
    bool keyRows = false;
    float range = 0.f;
    std::function<float(int, int)> value;
    std::function<bool(int, int)> masked;
    int highlightRow = -1, highlightColumn = -1;
    int blockFirst = -1, blockLast = -1;
    Labels labels = Labels::None;
    QStringList extraNotes; // lines under the shape (the opened-up pair)
};

struct Panel {
    bool lineBreak = false; // starts a new line of the board
    bool arrow = false;     // an arrow from the panel before
    std::optional<Spec> spec;
    bool readout = false;   // the per-head readout instead of a matrix

    // Filled for the window being tried.
    Labels labels = Labels::None; // the spec's, or the rows' tokens where the panel starts a line
    QRect shown;
    QStringList notes;
    qreal labelWidth = 0;
    qreal textWidth = 0;
    int belowLines = 0;
    QString legendLow, legendHigh;
};

struct Fonts {
    QFont font, caption, cell, note;
    QFontMetricsF metrics, captionMetrics, cellMetrics, noteMetrics, boldNoteMetrics;
    qreal line, noteLine, gap;

    explicit Fonts(const ViewOptions& options)
        : font(options.look.font), caption(captionFont(options.look.font)), cell(stepsCellFont(options)),
          note(stepsNoteFont(options)), metrics(font), captionMetrics(caption), cellMetrics(cell), noteMetrics(note),
          boldNoteMetrics(captionFont(note)), line(metrics.height()), noteLine(noteMetrics.height()),
          gap(std::round(metrics.height() * 0.7))
    {
    }

    // The metrics of the font a text of this style is drawn in.
    const QFontMetricsF& of(StepText::Style style) const
    {
        switch (style) {
        case StepText::Style::Caption:
        case StepText::Style::Accent: return captionMetrics;
        case StepText::Style::Note: return noteMetrics;
        case StepText::Style::AccentNote: return boldNoteMetrics;
        case StepText::Style::Normal:
        case StepText::Style::Muted:
        case StepText::Style::Arrow: break;
        }
        return metrics;
    }

    static QFont captionFont(QFont font)
    {
        font.setBold(true);
        return font;
    }
};

class Builder {
public:
    Builder(QRectF page, const attn::Trace& trace, const ViewOptions& options);
    StepsLayout build(); // steps_layout.cpp

private:
    // ---- what the board shows (steps_panels.cpp) ----------------------------------
    void makePanels();
    QString captionOf(const Spec& s) const;
    QString scaledCaption() const;
    Spec pairSpec();
    float sliceRange(const attn::Tensor& tensor, int head) const;
    void addMatrix(Spec spec, bool lineBreak, bool arrow);

    // ---- where it goes (steps_placement.cpp) ----------------------------------------
    qreal arrowWidth() const { return m_fonts.metrics.horizontalAdvance(u"→"_qs) + m_fonts.gap; }

    void measure(Panel& panel, int window) const;
    void setLabels(Panel& panel, Labels labels) const;
    qreal rowHeight(const Panel& panel, qreal cell) const;
    qreal cellsOffset(const std::vector<int>& line) const;

    // The arrow from the panel before is drawn only beside it: a line does not start with one.
    static bool drawsArrow(const Panel& panel, bool startsLine) { return panel.arrow && !startsLine; }

    qreal panelWidth(const Panel& panel, qreal cellWidth) const;
    qreal rowWidth(const std::vector<int>& row, qreal cellWidth) const;
    qreal numberWidth(const Spec& s, const QRect& shown, int decimals) const;

    static int rangeDecimals(const Spec& s);

    // The weights with three decimals, the rest with three significant digits; the weights
    // shown as shares where all are under 0.01 (thousands of tokens), which three decimals
    // wrote as a matrix of 0.000.
    static int preferredDecimals(const Spec& s, const QRect& shown);
    static std::optional<int> fallbackDecimals(const Spec& s, const QRect& shown);

    qreal narrowestNumbers(const Spec& s, const QRect& shown) const;
    std::optional<int> numberDecimals(const Spec& s, const QRect& shown, qreal cellWidth) const;
    StepsLayout place(QRectF area, int window);
    void placeMatrix(StepsLayout& layout, const Panel& panel, qreal x, qreal top, qreal cellsTop, qreal cellWidth,
                     qreal cellHeight);
    void placeKeyNames(StepsLayout& layout, const StepMatrix& m, qreal cellWidth) const;

    // ---- the per-head readout (steps_readout.cpp) -----------------------------------
    // A small table with one column per head: largest weight, the key it falls on, and
    // the row's entropy, for the selected query. As many heads as fit, around the chosen one.
    qreal readoutHeight() const { return 5 * m_fonts.line + m_fonts.noteLine; }

    QStringList readoutColumn(const attn::QueryReadout& r) const;

    static QStringList readoutNames() { return {u"head"_qs, u"largest"_qs, u"key"_qs, u"entropy"_qs}; }

    qreal readoutNameWidth() const;
    // A head's column, its key's name cut at about `keyChars` characters.
    qreal readoutHeadWidth(int keyChars) const;
    qreal readoutColumnsWidth() const;
    QString readoutTitle(int first, int shown) const;
    QString readoutFooter(qreal width) const;
    void placeReadout(StepsLayout& layout, QRectF box);
    QString windowNote(int window) const;

    // ---- text (steps_layout.cpp) ----------------------------------------------------
    QString headerText() const;
    void addText(StepsLayout& layout, QRectF rect, const QString& text, int align, StepText::Style style, bool elide) const;

    QRectF m_page;
    const attn::Trace& m_trace;
    const ViewOptions& m_options;
    Fonts m_fonts;
    StepsSelection m_selection;
    StepsSelection m_anchor; // the selection without the hover: where the windows rest
    std::vector<attn::QueryReadout> m_readouts;
    PairDetail m_pair;
    std::vector<Panel> m_panels;
    bool m_compact = false;
    bool m_wrapForNumbers = false; // lines break where their numbers no longer fit
    bool m_rowsTallEnough = false; // the last board tried had rows tall enough for numbers
    mutable std::map<std::tuple<int, int, int, int, int, int>, qreal> m_numberWidths; // see numberWidth
};

} // namespace stepsboard
