// Where everything of the steps view goes, and which numbers it shows: the arithmetic of
// one head, softmax(QKᵀ/√dₖ)V, laid out as a teacher writes it on the board. A plain value
// that the painter paints and the tests inspect, so what the tests check is what is drawn.
#pragma once

#include "view_options.h"

#include <attn/head_stats.h>
#include <attn/trace.h>

#include <QList>
#include <QRect>
#include <QRectF>
#include <QString>

#include <vector>

// The view's name in its title.
inline const QString stepsViewName = u"steps"_qs;

// Which head, query and key the steps follow.
struct StepsSelection {
    int head = 0;
    int query = 0;
    int key = 0;
};

// focus.head (clamped); the hovered query, else the last pinned one, else the last token;
// the hovered key, else the selected key (with the selected query), else the key the query
// weighs most in that head.
StepsSelection stepsSelection(const attn::Trace& trace, const Focus& focus);

enum class StepId {
    Input,       // X
    SourceInput, // X of the source text (cross-attention)
    Query,       // Q = X W_Q
    Key,         // K
    Value,       // V
    Scores,      // S = Q Kᵀ, raw
    Scaled,      // S ÷ √dₖ ÷ T
    Masked,      // with −∞ where the causal mask hides a key
    Weights,     // softmax of each row
    HeadOutput,  // weights · V
    Concat,      // every head's output side by side
    Output,      // concat · W_Oᵀ
    Pair,        // q_i, k_j and q_i ∘ k_j for the chosen pair
};

struct StepCell {
    int row = 0;       // index in the whole matrix
    int column = 0;
    float value = 0.f; // the trace's number: -inf where the mask step hides it, 0 in the weights
    bool masked = false;
    QRectF rect;
};

// How stepsNumberText writes a number: these, or that many decimals.
inline constexpr int stepsThreeSignificant = -1; // trailing zeros kept
inline constexpr int stepsShare = -2;            // as paintkit::shareText: 0.229, or 4.2e−4 under 0.01
inline constexpr int stepsWeight = -3;           // as paintkit::weightText: 0.229, and 2.2e−5 where 0.000 would be
inline constexpr int stepsNarrowWeight = -4;     // three decimals, and ≈0 where 0.000 would be (narrower)

struct StepMatrix {
    StepId id = StepId::Input;
    QString caption;
    int rows = 0;     // the whole matrix
    int columns = 0;
    QRect shown;      // x: columns, y: rows that are drawn (a window of at most a dozen)
    bool diverging = false; // signed values: blue-white-red centred on 0; else the sequential map
    float range = 0.f;      // colours span [-range, range] (diverging) or [0, range]
    int highlightRow = -1;     // the query's row (or the key's, for K and V)
    int highlightColumn = -1;  // the key's column
    int highlightFirstColumn = -1, highlightLastColumn = -1; // a block of columns (the head in the concat)
    bool keyRows = false;      // rows are keys (K, V): the highlighted row is the key's
    bool numbers = false;      // every shown cell is large enough for its number
    int decimals = stepsThreeSignificant; // how the numbers are written: as stepsNumberText
    QRectF rect;               // the drawn cells
    QRectF legendBar;          // the small colour bar under it
    QList<StepCell> cells;     // shown cells, row by row
};

struct StepText {
    // Note: the smaller muted font; AccentNote: the smaller font, bold in the accent colour.
    enum class Style { Normal, Caption, Muted, Accent, Arrow, Note, AccentNote };
    QRectF rect;
    QString text;
    int align = 0; // Qt::Alignment flags
    Style style = Style::Normal;
};

// The chosen query-key pair, opened up.
struct PairDetail {
    double dot = 0.0;    // Σ_d q_d k_d, as the trace holds it (raw score)
    double scaled = 0.0; // dot × scale
    double weight = 0.0; // its softmax weight
    int rank = 0;        // 1 = the largest weight of the row
    int visibleKeys = 0;
    bool masked = false;
};

struct StepsLayout {
    StepsSelection selection;
    QList<StepMatrix> matrices;
    QList<StepText> texts; // every label drawn outside the cells
    std::vector<attn::QueryReadout> readouts; // every head, the selected query
    PairDetail pair;
    QString hint; // set: nothing to draw, show this instead
    int window = 0; // the most rows or columns one matrix shows

    const StepMatrix* matrix(StepId id) const;
    // Every rectangle that holds text: labels, and the cells whose numbers are drawn.
    QList<QRectF> labelRects() const;
};

// The font of the numbers inside cells, and of the notes under each matrix (shape, window,
// legend): smaller than the labels, so a presentation-size font still fits a 720p slide.
QFont stepsCellFont(const ViewOptions& options);
QFont stepsNoteFont(const ViewOptions& options);
// A cell's number as drawn; the mask's −∞ as such. The layout gives each matrix its
// `decimals`: three for the weights (as shares where all shown are under 0.01, never 0.000
// where a weight is not 0); for the
// others three significant digits where they fit the cells, else as many decimals as give
// the matrix's largest value three significant digits.
QString stepsNumberText(float value, int decimals);

// Whether a step's columns are keys (the scores and weights), not dimensions.
bool stepsColumnsAreKeys(StepId id);
// The name of a row of the opened-up pair: q, k, q∘k.
QString stepsPairRowName(int row);

StepsLayout computeStepsLayout(QRectF page, const attn::Trace& trace, const ViewOptions& options);
