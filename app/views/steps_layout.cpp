// The steps board built (trying windows until the numbers fit) and its text; the helpers
// its parts share; and the view's public functions. See steps_board.h for the parts.
#include "steps_layout.h"

#include "paint_common.h"
#include "steps_board.h"

#include <QFontMetricsF>

#include <algorithm>
#include <cmath>

namespace stepsboard {

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

} // namespace

int threeSignificantDecimals(double magnitude)
{
    return 2 - int(std::floor(std::log10(magnitude)));
}

QString dimsText(int rows, int columns)
{
    return QString::number(rows) + u" × "_qs + QString::number(columns);
}

std::pair<int, int> windowAround(int total, int centre, int window)
{
    const int count = std::min(total, window);
    if (centre < 0)
        return {0, count};
    const int first = std::clamp(centre - count / 2, 0, total - count);
    return {first, count};
}

std::pair<int, int> windowFrom(int total, int first, int window)
{
    const int count = std::min(total, window);
    return {std::clamp(first, 0, total - count), count};
}

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

std::pair<const float*, const float*> headSlice(const attn::Tensor& tensor, int head)
{
    const std::size_t size = tensor.dim(1) * tensor.dim(2);
    const float* begin = tensor.ptr() + std::size_t(head) * size;
    return {begin, begin + size};
}

Builder::Builder(QRectF page, const attn::Trace& trace, const ViewOptions& options)
    : m_page(page), m_trace(trace), m_options(options), m_fonts(options)
{
}

StepsLayout Builder::build()
{
    StepsLayout layout;
    const QRectF area = paintkit::pageContent(m_page, m_trace, m_options, stepsViewName);
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

QString Builder::headerText() const
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

void Builder::addText(StepsLayout& layout, QRectF rect, const QString& text, int align, StepText::Style style, bool elide) const
{
    const QString shown = elide ? m_fonts.of(style).elidedText(text, Qt::ElideRight, rect.width()) : text;
    layout.texts << StepText{rect, shown, align, style};
}

} // namespace stepsboard

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

QString stepsNumberText(float value, int decimals)
{
    if (std::isinf(value)) // the mask's −∞ too
        return value < 0 ? u"−∞"_qs : u"∞"_qs;
    if (decimals == stepsShare)
        return paintkit::shareText(double(value));
    if (decimals == stepsThreeSignificant) {
        // Three significant digits with their trailing zeros, so that 1.00 stands beside
        // 0.745 as a number of the same precision; far from 1, a power of ten.
        const double magnitude = std::abs(double(value));
        decimals = magnitude > 0 ? stepsboard::threeSignificantDecimals(magnitude) : 0;
        if (magnitude > 0 && std::round(magnitude * std::pow(10.0, decimals)) >= 1000)
            --decimals; // 0.99996 rounds up to the next decade: 1.00, not 1.000
        if (magnitude > 0 && (decimals < 0 || decimals > 6))
            return paintkit::withRealMinus(QString::number(double(value), 'e', 2));
    }
    if (decimals == stepsWeight)
        return paintkit::weightText(double(value), 3);
    if (decimals == stepsNarrowWeight)
        return value > 0.f && value < 0.0005f ? u"≈0"_qs : QString::number(double(value), 'f', 3);
    QString fixed = QString::number(double(value), 'f', decimals);
    if (fixed.toDouble() == 0.0)
        fixed.remove(u'-'); // −0.019 at one decimal is 0.0, not a negative zero
    return paintkit::withRealMinus(fixed);
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
    return stepsboard::Builder(page, trace, options).build();
}
