#include "steps_layout.h"

#include "paint_common.h"

#include <QFontMetricsF>

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <map>
#include <optional>
#include <tuple>

namespace {

// The windows tried (the most rows or columns a matrix shows), largest first, then with
// short captions (compact: a presentation font on a small page). The first at which every
// matrix shows its numbers wins, as long as it shows at least `enoughContext` (3 for the
// presentation font, whose numbers are read from afar); else the first at which the
// softmax weights do; else the largest, for context. Never more than a dozen: the board
// shows the neighbourhood of the query, not the whole text.
// Each is tried with its matrices packed as tightly as lines allow, then with lines broken
// where their numbers no longer fit (more lines, each with room for its numbers).
struct WindowChoice {
    int window;
    bool compact;
};
constexpr WindowChoice windowChoices[] = {{12, false}, {8, false}, {6, false}, {5, false}, {5, true}, {3, true}};
constexpr int enoughContext = 5;

// The decimals that write a number of this magnitude (> 0) with three significant digits:
// 4.57, 16.2, 0.700.
int threeSignificantDecimals(double magnitude)
{
    return 2 - int(std::floor(std::log10(magnitude)));
}

QString dimsText(int rows, int columns)
{
    return QString::number(rows) + u" × "_qs + QString::number(columns);
}

// Rows or columns [first, first + count) around `centre` (or from 0 when centre < 0).
std::pair<int, int> windowAround(int total, int centre, int window)
{
    const int count = std::min(total, window);
    if (centre < 0)
        return {0, count};
    const int first = std::clamp(centre - count / 2, 0, total - count);
    return {first, count};
}

// The window of `window` (or all) of `total` that starts at `first`, or as near as fits.
std::pair<int, int> windowFrom(int total, int first, int window)
{
    const int count = std::min(total, window);
    return {std::clamp(first, 0, total - count), count};
}

// The window around `anchor` (the resting selection: pinned query, selected key) while it
// still shows `centre` (the hovered one), else the window around `centre`. Hovering a
// cell must not slide the board under the pointer, or the next move hovers another cell.
std::pair<int, int> stableWindow(int total, int centre, int anchor, int window)
{
    if (anchor >= 0 && anchor != centre && centre >= 0) {
        const auto around = windowAround(total, anchor, window);
        if (centre >= around.first && centre < around.first + around.second)
            return around;
    }
    return windowAround(total, centre, window);
}

float maxAbs(const float* begin, const float* end)
{
    float largest = 0.f;
    for (const float* p = begin; p != end; ++p)
        if (std::isfinite(*p))
            largest = std::max(largest, std::fabs(*p));
    return largest;
}

// Head h's slice of a [h x rows x columns] tensor.
std::pair<const float*, const float*> headSlice(const attn::Tensor& tensor, int head)
{
    const std::size_t size = tensor.dim(1) * tensor.dim(2);
    const float* begin = tensor.ptr() + std::size_t(head) * size;
    return {begin, begin + size};
}

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
    QFontMetricsF metrics, captionMetrics, cellMetrics, noteMetrics;
    qreal line, noteLine, gap;

    explicit Fonts(const ViewOptions& options)
        : font(options.look.font), caption(captionFont(options.look.font)), cell(stepsCellFont(options)),
          note(stepsNoteFont(options)), metrics(font), captionMetrics(caption), cellMetrics(cell), noteMetrics(note),
          line(metrics.height()), noteLine(noteMetrics.height()), gap(std::round(metrics.height() * 0.7))
    {
    }

    static QFont captionFont(QFont font)
    {
        font.setBold(true);
        return font;
    }
};

class Builder {
public:
    Builder(QRectF page, const attn::Trace& trace, const ViewOptions& options)
        : m_page(page), m_trace(trace), m_options(options), m_fonts(options)
    {
    }

    StepsLayout build()
    {
        StepsLayout layout;
        const QRectF area = paintkit::pageContent(m_page, m_options);
        if (m_trace.queryCount() == 0 || m_trace.keyCount() == 0 || m_trace.weights.rank() != 3) {
            layout.hint = u"Type a sentence to see attention worked out step by step."_qs;
            return layout;
        }
        m_selection = stepsSelection(m_trace, m_options.focus);
        Focus resting = m_options.focus;
        resting.hoverQuery = resting.hoverKey = -1;
        m_anchor = stepsSelection(m_trace, resting);
        m_readouts = attn::queryReadouts(m_trace, m_selection.query);
        makePanels();

        std::optional<StepsLayout> widest, weightsShown;
        const int enough = m_options.look.presentation ? 3 : enoughContext;
        const auto numbers = [](const StepMatrix& m) { return m.numbers; };
        for (const WindowChoice& choice : windowChoices)
            for (const bool wrapForNumbers : {false, true}) {
                // More lines only make the rows shorter: where the rows were already too
                // short for the numbers at this window, wrapping for them cannot help.
                if (wrapForNumbers && !m_rowsTallEnough)
                    continue;
                m_compact = choice.compact;
                m_wrapForNumbers = wrapForNumbers;
                StepsLayout attempt = place(area, choice.window);
                if (!attempt.hint.isEmpty())
                    continue;
                if (choice.window >= enough && std::all_of(attempt.matrices.cbegin(), attempt.matrices.cend(), numbers))
                    return attempt;
                const StepMatrix* weights = attempt.matrix(StepId::Weights);
                if (weights && weights->numbers && !weightsShown)
                    weightsShown = attempt;
                if (!widest)
                    widest = std::move(attempt);
            }
        if (weightsShown)
            return *weightsShown;
        if (widest)
            return *widest;
        layout.hint = u"No room to draw the steps; make the window larger or the font smaller."_qs;
        return layout;
    }

private:
    // ---- what the board shows -------------------------------------------------------
    void makePanels()
    {
        const attn::Trace& t = m_trace;
        const int h = m_selection.head, i = m_selection.query, j = m_selection.key;
        const int nq = int(t.queryCount()), nk = int(t.keyCount());
        const int dm = int(t.x.dim(1)), dk = int(t.q.dim(2)), dv = int(t.v.dim(2)), heads = int(t.weights.dim(0));
        const bool cross = t.isCross();
        const float scale = t.config.scoreScale();
        const bool causal = t.config.causal;
        const auto isMasked = [causal](int row, int column) { return causal && column > row; };

        Spec x;
        x.id = StepId::Input;
        x.caption = u"X = "_qs + QString::fromStdString(t.inputName);
        x.rows = nq, x.columns = dm, x.rowCentre = i;
        x.range = maxAbs(t.x.ptr(), t.x.ptr() + t.x.size());
        x.value = [&t](int r, int c) { return t.x.at(std::size_t(r), std::size_t(c)); };
        x.highlightRow = i;
        x.labels = Labels::Queries;
        addMatrix(std::move(x), true, false);

        Spec q;
        q.id = StepId::Query;
        // The biases are named where the layer has them (seeded ones are zero).
        const auto plusBias = [](bool present, QChar matrix) { return present ? u" + b_"_qs + matrix : QString(); };
        q.caption = u"Q = X·W_Q"_qs + plusBias(t.biases.q, u'Q');
        q.rows = nq, q.columns = dk, q.rowCentre = i;
        q.range = sliceRange(t.q, h);
        q.value = [&t, h](int r, int c) { return t.q.at(std::size_t(h), std::size_t(r), std::size_t(c)); };
        q.highlightRow = i;
        addMatrix(std::move(q), false, true);

        if (cross) {
            Spec source;
            source.id = StepId::SourceInput;
            source.caption = u"X_src = source tokens"_qs;
            source.rows = nk, source.columns = dm, source.rowCentre = j, source.keyRows = true;
            source.range = maxAbs(t.xSource.ptr(), t.xSource.ptr() + t.xSource.size());
            source.value = [&t](int r, int c) { return t.xSource.at(std::size_t(r), std::size_t(c)); };
            source.highlightRow = j;
            source.labels = Labels::Keys;
            addMatrix(std::move(source), false, false);
        }
        const QString from = cross ? u"X_src"_qs : u"X"_qs;
        Spec k;
        k.id = StepId::Key;
        k.caption = u"K = %1·W_K"_qs.arg(from) + plusBias(t.biases.k, u'K');
        k.rows = nk, k.columns = dk, k.rowCentre = j, k.keyRows = true;
        k.range = sliceRange(t.k, h);
        k.value = [&t, h](int r, int c) { return t.k.at(std::size_t(h), std::size_t(r), std::size_t(c)); };
        k.highlightRow = j;
        k.labels = cross ? Labels::None : Labels::Keys;
        addMatrix(std::move(k), false, cross);

        Spec v;
        v.id = StepId::Value;
        v.caption = u"V = %1·W_V"_qs.arg(from) + plusBias(t.biases.v, u'V');
        v.rows = nk, v.columns = dv, v.rowCentre = j, v.keyRows = true;
        v.range = sliceRange(t.v, h);
        v.value = [&t, h](int r, int c) { return t.v.at(std::size_t(h), std::size_t(r), std::size_t(c)); };
        v.highlightRow = j;
        addMatrix(std::move(v), false, false);

        // Second line of the board: scores to weights, for head h.
        const QString head = u" (head "_qs + QString::number(h + 1) + u')';
        const float scoreRange = sliceRange(t.scores, h);
        const auto scoreSpec = [&](StepId id, QString caption, std::function<float(int, int)> value, float range) {
            Spec s;
            s.id = id;
            s.caption = std::move(caption);
            s.rows = nq, s.columns = nk, s.rowCentre = i, s.columnCentre = j;
            s.range = range;
            s.value = std::move(value);
            s.highlightRow = i, s.highlightColumn = j;
            return s;
        };
        Spec scores = scoreSpec(StepId::Scores, u"S = Q·Kᵀ"_qs + head,
                                [&t, h](int r, int c) { return t.scores.at(std::size_t(h), std::size_t(r), std::size_t(c)); },
                                scoreRange);
        scores.labels = Labels::Queries;
        addMatrix(std::move(scores), true, false);

        addMatrix(scoreSpec(StepId::Scaled, scaledCaption(), [&t, h, scale](int r, int c) {
                      return t.scores.at(std::size_t(h), std::size_t(r), std::size_t(c)) * scale;
                  }, scoreRange * std::fabs(scale)),
                  false, true);

        Spec masked = scoreSpec(StepId::Masked, causal ? u"mask: later keys → −∞"_qs : u"mask: none"_qs,
                                [&t, h, scale, isMasked](int r, int c) {
                                    return isMasked(r, c) ? -std::numeric_limits<float>::infinity()
                                                          : t.scores.at(std::size_t(h), std::size_t(r), std::size_t(c)) * scale;
                                },
                                scoreRange * std::fabs(scale));
        masked.masked = isMasked;
        addMatrix(std::move(masked), false, true);

        Spec weights = scoreSpec(StepId::Weights, u"A = softmax of each row"_qs,
                                 [&t, h](int r, int c) { return t.weights.at(std::size_t(h), std::size_t(r), std::size_t(c)); },
                                 0.f);
        const auto [wBegin, wEnd] = headSlice(t.weights, h);
        weights.range = paintkit::colorScaleTop(std::max(maxAbs(wBegin, wEnd), 1e-6f), m_options);
        weights.diverging = false;
        addMatrix(std::move(weights), false, true);

        Spec out;
        out.id = StepId::HeadOutput;
        out.caption = u"A·V"_qs + head;
        out.rows = nq, out.columns = dv, out.rowCentre = i;
        out.range = sliceRange(t.heads, h);
        out.value = [&t, h](int r, int c) { return t.heads.at(std::size_t(h), std::size_t(r), std::size_t(c)); };
        out.highlightRow = i;
        addMatrix(std::move(out), false, true);

        // Third line: every head together, the output, and one pair opened up.
        Spec concat;
        concat.id = StepId::Concat;
        concat.caption = u"concat of "_qs + paintkit::countOf(heads, u"head"_qs);
        // The head's own columns first, so that they read as A·V's beside them.
        concat.rows = nq, concat.columns = heads * dv, concat.rowCentre = i, concat.columnFirst = h * dv;
        concat.range = maxAbs(t.heads.ptr(), t.heads.ptr() + t.heads.size());
        concat.value = [&t, dv](int r, int c) {
            return t.heads.at(std::size_t(c / dv), std::size_t(r), std::size_t(c % dv));
        };
        concat.highlightRow = i;
        concat.blockFirst = h * dv, concat.blockLast = h * dv + dv - 1;
        concat.labels = Labels::Queries;
        addMatrix(std::move(concat), true, false);

        Spec output;
        output.id = StepId::Output;
        output.caption = u"output = concat·W_O"_qs + plusBias(t.biases.o, u'O');
        output.rows = nq, output.columns = int(t.output.dim(1)), output.rowCentre = i;
        output.range = maxAbs(t.output.ptr(), t.output.ptr() + t.output.size());
        output.value = [&t](int r, int c) { return t.output.at(std::size_t(r), std::size_t(c)); };
        output.highlightRow = i;
        addMatrix(std::move(output), false, true);

        addMatrix(pairSpec(), false, false);

        Panel readout;
        readout.readout = true;
        m_panels.push_back(readout);
    }

    // The caption as drawn: in compact mode the formula alone.
    QString captionOf(const Spec& s) const
    {
        if (!m_compact)
            return s.caption;
        switch (s.id) {
        case StepId::Input: return u"X"_qs;
        case StepId::SourceInput: return u"X_src"_qs;
        case StepId::Scores: return u"S = Q·Kᵀ"_qs;
        case StepId::Masked: return m_trace.config.causal ? u"mask → −∞"_qs : u"no mask"_qs;
        case StepId::Weights: return u"A = softmax"_qs;
        case StepId::HeadOutput: return u"A·V"_qs;
        case StepId::Concat: return u"concat"_qs;
        case StepId::Output: return u"·W_O"_qs;
        case StepId::Pair:
            return paintkit::quoted(paintkit::tokenText(m_trace, m_selection.query, false)) + u'·'
                   + paintkit::quoted(paintkit::tokenText(m_trace, m_selection.key, true));
        default: return s.caption;
        }
    }

    QString scaledCaption() const
    {
        const attn::Config& c = m_trace.config;
        QString caption = u"S"_qs;
        if (c.scaling == attn::Scaling::InvSqrtDk)
            caption += u" ÷ √"_qs + QString::number(c.d_k);
        if (c.temperature != 1.0f)
            caption += u" ÷ T("_qs + paintkit::exactText(c.temperature) + u')';
        if (caption == u"S")
            caption += u" (no scaling)"_qs;
        return caption;
    }

    // q_i, k_j and their elementwise product; the sum and where it lands below.
    Spec pairSpec()
    {
        const attn::Trace& t = m_trace;
        const int h = m_selection.head, i = m_selection.query, j = m_selection.key;
        const int dk = int(t.q.dim(2)), nk = int(t.keyCount());
        Spec pair;
        pair.id = StepId::Pair;
        pair.caption = u"one pair: "_qs + paintkit::quoted(paintkit::tokenText(t, i, false)) + u" · "_qs
                       + paintkit::quoted(paintkit::tokenText(t, j, true));
        pair.rows = 3, pair.columns = dk;
        pair.labels = Labels::Pair;
        pair.value = [&t, h, i, j](int r, int c) {
            const float qv = t.q.at(std::size_t(h), std::size_t(i), std::size_t(c));
            const float kv = t.k.at(std::size_t(h), std::size_t(j), std::size_t(c));
            return r == 0 ? qv : (r == 1 ? kv : qv * kv);
        };
        for (int c = 0; c < dk; ++c)
            for (int r = 0; r < 3; ++r)
                pair.range = std::max(pair.range, std::fabs(pair.value(r, c)));

        PairDetail& d = m_pair;
        d.dot = double(t.scores.at(std::size_t(h), std::size_t(i), std::size_t(j)));
        d.scaled = double(t.scores.at(std::size_t(h), std::size_t(i), std::size_t(j)) * t.config.scoreScale());
        d.weight = double(t.weights.at(std::size_t(h), std::size_t(i), std::size_t(j)));
        d.masked = t.config.causal && j > i;
        d.visibleKeys = attn::visibleKeyCount(i, nk, t.config.causal);
        d.rank = 1;
        for (int c = 0; c < nk; ++c)
            if (t.weights.at(std::size_t(h), std::size_t(i), std::size_t(c)) > float(d.weight))
                ++d.rank;

        const QString scaling = scaledCaption().mid(1).trimmed(); // "÷ √16", "(no scaling)"
        const QString sum = u"Σ q∘k = "_qs + stepsNumberText(float(d.dot), false, -1);
        if (d.masked) {
            pair.extraNotes << sum + u"; key after query: masked → −∞"_qs;
            pair.extraNotes << u"weight 0 ("_qs + QString::number(d.visibleKeys) + u" visible keys)"_qs;
        } else {
            const QString scaled = scaling.startsWith(u'(') ? QString(sum + u' ' + scaling)
                                                            : QString(sum + u" → "_qs + scaling + u" = "_qs
                                                                      + stepsNumberText(float(d.scaled), false, -1));
            pair.extraNotes << scaled;
            pair.extraNotes << u"softmax: weight "_qs + QString::number(d.weight, 'f', 3) + u", rank "_qs
                                   + QString::number(d.rank) + u" of "_qs + QString::number(d.visibleKeys);
        }
        return pair;
    }

    float sliceRange(const attn::Tensor& tensor, int head) const
    {
        const auto [begin, end] = headSlice(tensor, head);
        return maxAbs(begin, end);
    }

    void addMatrix(Spec spec, bool lineBreak, bool arrow)
    {
        Panel panel;
        panel.lineBreak = lineBreak;
        panel.arrow = arrow;
        panel.spec = std::move(spec);
        m_panels.push_back(std::move(panel));
    }

    // ---- where it goes ---------------------------------------------------------------
    qreal arrowWidth() const { return m_fonts.metrics.horizontalAdvance(u"→"_qs) + m_fonts.gap; }

    void measure(Panel& panel, int window) const
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
        parts << (s.id == StepId::Pair ? QString::number(s.columns) + u" terms"_qs
                                       : (m_compact ? QString::number(s.rows) + u'×' + QString::number(s.columns)
                                                    : dimsText(s.rows, s.columns)));
        if (rowCount < s.rows)
            parts << u"rows "_qs + QString::number(row0 + 1) + u'–' + QString::number(row0 + rowCount);
        if (colCount < s.columns)
            parts << u"cols "_qs + QString::number(col0 + 1) + u'–' + QString::number(col0 + colCount);
        // Compact: the window is said once, under the header (windowNote), not under each matrix.
        if (m_compact && s.id != StepId::Pair)
            parts = parts.mid(0, 1);
        panel.notes.clear();
        if (!parts.isEmpty())
            panel.notes << parts.join(u" · "_qs);
        panel.notes << s.extraNotes;
        panel.legendLow = s.diverging ? stepsNumberText(-s.range, false, -1) : u"0"_qs;
        panel.legendHigh = s.diverging ? stepsNumberText(s.range, false, -1) : QString::number(double(s.range), 'f', 3);
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
    void setLabels(Panel& panel, Labels labels) const
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
    qreal rowHeight(const Panel& panel, qreal cell) const
    {
        return panel.spec && panel.spec->labels == Labels::Pair ? std::max(cell, m_fonts.noteLine) : cell;
    }

    // The arrow from the panel before is drawn only beside it: a line does not start with one.
    static bool drawsArrow(const Panel& panel, bool startsLine) { return panel.arrow && !startsLine; }

    // Without the arrow before it.
    qreal panelWidth(const Panel& panel, qreal cellWidth) const
    {
        if (panel.readout)
            return panel.textWidth;
        return panel.labelWidth + std::max(panel.shown.width() * cellWidth, panel.textWidth);
    }

    qreal rowWidth(const std::vector<int>& row, qreal cellWidth) const
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
    qreal numberWidth(const Spec& s, const QRect& shown, int decimals) const
    {
        const auto key = std::make_tuple(int(s.id), shown.left(), shown.top(), shown.width(), shown.height(), decimals);
        if (const auto known = m_numberWidths.find(key); known != m_numberWidths.end())
            return known->second;
        qreal widest = 0;
        for (int r = shown.top(); r <= shown.bottom(); ++r)
            for (int c = shown.left(); c <= shown.right(); ++c) {
                const bool masked = s.masked && s.masked(r, c);
                widest = std::max(widest, m_fonts.cellMetrics.horizontalAdvance(
                                              stepsNumberText(s.value(r, c), masked, decimals)));
            }
        m_numberWidths.emplace(key, widest);
        return widest;
    }

    // The decimals that give the matrix's largest value three significant digits (4.57,
    // 16.2, 0.700): numbers near 0 then take no more room than it does, where three
    // significant digits of their own (−0.00534) would.
    static int rangeDecimals(const Spec& s)
    {
        if (!(s.range > 0.f) || !std::isfinite(s.range))
            return 0;
        return std::max(0, threeSignificantDecimals(double(s.range)));
    }

    // The weights with three decimals, the rest with three significant digits.
    static int preferredDecimals(const Spec& s) { return s.id == StepId::Weights ? 3 : -1; }

    // The narrowest the matrix's numbers get, in either way of writing them.
    qreal narrowestNumbers(const Spec& s, const QRect& shown) const
    {
        const qreal preferred = numberWidth(s, shown, preferredDecimals(s));
        return preferredDecimals(s) < 0 ? std::min(preferred, numberWidth(s, shown, rangeDecimals(s))) : preferred;
    }

    // How the matrix's numbers are written in cells of this width; nullopt: they do not fit.
    std::optional<int> numberDecimals(const Spec& s, const QRect& shown, qreal cellWidth) const
    {
        const int preferred = preferredDecimals(s);
        if (numberWidth(s, shown, preferred) <= cellWidth - 3)
            return preferred;
        if (preferred < 0 && numberWidth(s, shown, rangeDecimals(s)) <= cellWidth - 3)
            return rangeDecimals(s);
        return std::nullopt;
    }

    StepsLayout place(QRectF area, int window)
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
            return std::max(any ? f.line + 8 + matrices + below * f.noteLine : 0.0, text);
        };
        const auto boardHeight = [&](qreal cell) {
            qreal total = 0;
            for (std::size_t l = 0; l < lines.size(); ++l)
                total += lineHeight(l, cell) + (l > 0 ? f.gap : 0);
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
                                            numberWidth(*panel.spec, panel.shown, preferredDecimals(*panel.spec)));
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
                const qreal matrixTop = top + f.line + 4;
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
                    placeMatrix(layout, panel, x, top, cellWidth, rowHeight(panel, cellHeight));
                x += panelWidth(panel, cellWidth);
            }
            top += height + f.gap;
        }
        return layout;
    }

    void placeMatrix(StepsLayout& layout, const Panel& panel, qreal x, qreal top, qreal cellWidth, qreal cellHeight)
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
        m.rect = QRectF(left, top + f.line + 4, panel.shown.width() * cellWidth, panel.shown.height() * cellHeight);
        addText(layout, QRectF(left, top, contentWidth, f.line), m.caption, Qt::AlignLeft | Qt::AlignVCenter,
                StepText::Style::Caption, true);

        if (cellHeight >= f.cellMetrics.height()) {
            const std::optional<int> decimals = numberDecimals(s, panel.shown, cellWidth);
            m.numbers = decimals.has_value();
            m.decimals = decimals.value_or(-1);
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

        // Token labels left of the rows, every k-th when the rows are shorter than a line.
        if (panel.labels != Labels::None) {
            const bool pair = panel.labels == Labels::Pair;
            const qreal labelLine = pair ? f.noteLine : f.line;
            const int every = std::max(1, int(std::ceil(labelLine / cellHeight)));
            // The highlighted row (the query's, or the key's) is always named; the rows
            // too near it to keep their own label give way.
            std::vector<int> rows;
            for (int r = panel.shown.top(); r <= panel.shown.bottom(); r += every)
                rows.push_back(r);
            if (!pair && s.highlightRow >= panel.shown.top() && s.highlightRow <= panel.shown.bottom()) {
                std::erase_if(rows, [&](int r) { return std::abs(r - s.highlightRow) < every; });
                rows.push_back(s.highlightRow);
            }
            for (const int r : rows) {
                const qreal middle = m.rect.top() + (r - panel.shown.top() + 0.5) * cellHeight;
                QString text;
                text = pair ? stepsPairRowName(r) : paintkit::tokenText(m_trace, r, panel.labels == Labels::Keys);
                const bool chosen = !pair && r == s.highlightRow;
                const StepText::Style style = pair ? StepText::Style::Note
                                                   : (chosen ? StepText::Style::Accent : StepText::Style::Normal);
                addText(layout, QRectF(x, middle - labelLine / 2, panel.labelWidth - paintkit::markReach(m_options.look), labelLine), text,
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

    // ---- the per-head readout --------------------------------------------------------
    // A small table with one column per head: largest weight, the key it falls on, and
    // the row's entropy, for the selected query. As many heads as fit, around the chosen one.
    qreal readoutHeight() const { return 5 * m_fonts.line + m_fonts.noteLine; }

    QStringList readoutColumn(const attn::QueryReadout& r) const
    {
        const QString key = r.largestKey >= 0 ? paintkit::tokenText(m_trace, r.largestKey, true) : u"–"_qs;
        return {QString::number(r.head + 1), QString::number(r.largest, 'f', 3), key, QString::number(r.entropy, 'f', 2)};
    }

    static QStringList readoutNames() { return {u"head"_qs, u"largest"_qs, u"on"_qs, u"entropy"_qs}; }

    qreal readoutNameWidth() const
    {
        qreal widest = 0;
        for (const QString& name : readoutNames())
            widest = std::max(widest, m_fonts.metrics.horizontalAdvance(name));
        return std::ceil(widest) + m_fonts.gap;
    }

    qreal readoutHeadWidth() const
    {
        const QFontMetricsF& fm = m_fonts.captionMetrics; // the chosen head's column is bold
        qreal widest = 0;
        for (const attn::QueryReadout& r : m_readouts) {
            const QStringList cells = readoutColumn(r);
            for (int c = 0; c < 4; ++c)
                widest = std::max(widest, c == 2 ? std::min(fm.horizontalAdvance(cells[c]), fm.averageCharWidth() * 7)
                                                 : fm.horizontalAdvance(cells[c]));
        }
        return std::ceil(widest) + m_fonts.gap * 0.6;
    }

    qreal readoutColumnsWidth() const
    {
        return readoutNameWidth() + std::min<int>(m_compact ? 2 : 4, int(m_readouts.size())) * readoutHeadWidth();
    }

    QString readoutTitle(int first, int shown) const
    {
        QString title = u"every head"_qs;
        if (shown < int(m_readouts.size()))
            title += u" ("_qs + QString::number(first + 1) + u'–' + QString::number(first + shown) + u" of "_qs
                     + QString::number(m_readouts.size()) + u')';
        return title;
    }

    // The entropy of an even row, for comparison: ln of the keys the query sees. Where the
    // sentence does not fit, a shorter one that keeps the number and the unit.
    QString readoutFooter(qreal width) const
    {
        const int visible = m_readouts.empty() ? 0 : m_readouts.front().visibleKeys;
        const QString even = u"ln "_qs + QString::number(visible) + u" = "_qs
                             + QString::number(visible > 0 ? std::log(double(visible)) : 0.0, 'f', 2);
        const QString sentence = u"entropy in nats; even = "_qs + even;
        return m_fonts.noteMetrics.horizontalAdvance(sentence) <= width ? sentence : u"even: "_qs + even + u" nats"_qs;
    }

    void placeReadout(StepsLayout& layout, QRectF box)
    {
        const Fonts& f = m_fonts;
        const qreal nameWidth = readoutNameWidth(), headWidth = readoutHeadWidth();
        const int count = int(m_readouts.size());
        const int fit = std::max(1, int((box.width() - nameWidth) / headWidth));
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
    QString windowNote(int window) const
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

    // ---- text ------------------------------------------------------------------------
    QString headerText() const
    {
        const attn::Trace& t = m_trace;
        const int h = m_selection.head, i = m_selection.query, j = m_selection.key;
        QString text = u"head "_qs + QString::number(h + 1) + u" of "_qs + QString::number(t.weights.dim(0))
                       + u"  ·  query "_qs + QString::number(i + 1) + u' ' + paintkit::quoted(paintkit::tokenText(t, i, false))
                       + u"  ·  key "_qs + QString::number(j + 1) + u' ' + paintkit::quoted(paintkit::tokenText(t, j, true));
        const auto& known = m_options.headStats;
        const attn::HeadStats stats = known && std::size_t(h) < known->size()
                                          ? (*known)[std::size_t(h)]
                                          : attn::headStats(t.weights, h, t.config.causal, attn::positionsComparable(t));
        text += u"  ·  pattern: "_qs + QString::fromStdString(stats.description);
        return text;
    }

    void addText(StepsLayout& layout, QRectF rect, const QString& text, int align, StepText::Style style, bool elide) const
    {
        const QFontMetricsF& fm = style == StepText::Style::Caption || style == StepText::Style::Accent
                                      ? m_fonts.captionMetrics
                                      : (style == StepText::Style::Note ? m_fonts.noteMetrics : m_fonts.metrics);
        const QString shown = elide ? fm.elidedText(text, Qt::ElideRight, rect.width()) : text;
        layout.texts << StepText{rect, shown, align, style};
    }

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

} // namespace

StepsSelection stepsSelection(const attn::Trace& trace, const Focus& focus)
{
    StepsSelection selection;
    const int heads = trace.weights.rank() == 3 ? int(trace.weights.dim(0)) : 0;
    const int nq = int(trace.queryCount()), nk = int(trace.keyCount());
    selection.head = std::clamp(focus.head, 0, std::max(0, heads - 1));
    if (focus.hoverQuery >= 0 && focus.hoverQuery < nq)
        selection.query = focus.hoverQuery;
    else if (!focus.pinnedQueries.isEmpty() && focus.pinnedQueries.last() >= 0 && focus.pinnedQueries.last() < nq)
        selection.query = focus.pinnedQueries.last();
    else
        selection.query = std::max(0, nq - 1);
    const bool showingSelectedQuery = focus.hoverQuery < 0 && selection.query == focus.selectedQuery();
    if (focus.hoverKey >= 0 && focus.hoverKey < nk) {
        selection.key = focus.hoverKey;
    } else if (showingSelectedQuery && focus.selectedKey >= 0 && focus.selectedKey < nk) {
        selection.key = focus.selectedKey; // clicked here or in another view
    } else if (heads > 0 && nq > 0 && nk > 0) {
        const attn::QueryReadout readout = attn::queryReadout(trace, selection.head, selection.query);
        selection.key = std::max(0, readout.largestKey);
    }
    return selection;
}

const StepMatrix* StepsLayout::matrix(StepId id) const
{
    for (const StepMatrix& m : matrices)
        if (m.id == id)
            return &m;
    return nullptr;
}

QList<QRectF> StepsLayout::labelRects() const
{
    QList<QRectF> rects;
    for (const StepText& text : texts)
        if (!text.text.isEmpty())
            rects << text.rect;
    for (const StepMatrix& m : matrices)
        if (m.numbers)
            for (const StepCell& cell : m.cells)
                rects << cell.rect.adjusted(1, 1, -1, -1);
    return rects;
}

QFont stepsCellFont(const ViewOptions& options)
{
    QFont font = options.look.font;
    font.setPixelSize(std::max(9, int(std::lround(font.pixelSize() * 0.85))));
    return font;
}

QFont stepsNoteFont(const ViewOptions& options)
{
    QFont font = options.look.font;
    font.setPixelSize(std::max(11, int(std::lround(font.pixelSize() * 0.82))));
    return font;
}

QString stepsNumberText(float value, bool masked, int decimals)
{
    if (masked)
        return u"−∞"_qs;
    if (std::isinf(value))
        return value < 0 ? u"−∞"_qs : u"∞"_qs;
    if (decimals < 0) {
        // Three significant digits with their trailing zeros, so that 1.00 stands beside
        // 0.745 as a number of the same precision; far from 1, a power of ten.
        const double magnitude = std::abs(double(value));
        decimals = magnitude > 0 ? threeSignificantDecimals(magnitude) : 0;
        if (magnitude > 0 && std::round(magnitude * std::pow(10.0, decimals)) >= 1000)
            --decimals; // 0.99996 rounds up to the next decade: 1.00, not 1.000
        if (magnitude > 0 && (decimals < 0 || decimals > 6))
            return paintkit::withRealMinus(QString::number(double(value), 'e', 2));
    }
    return paintkit::withRealMinus(QString::number(double(value), 'f', decimals));
}

bool stepsColumnsAreKeys(StepId id)
{
    return id == StepId::Scores || id == StepId::Scaled || id == StepId::Masked || id == StepId::Weights;
}

QString stepsPairRowName(int row)
{
    return row == 0 ? u"q"_qs : (row == 1 ? u"k"_qs : u"q∘k"_qs);
}

StepsLayout computeStepsLayout(QRectF page, const attn::Trace& trace, const ViewOptions& options)
{
    return Builder(page, trace, options).build();
}
