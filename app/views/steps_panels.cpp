// What the steps board shows: the matrices of the selected head, query and key, in order.
#include "steps_board.h"

#include "paint_common.h"

#include <attn/trace.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace stepsboard {

void Builder::makePanels()
{
    const attn::Trace& t = m_trace;
    const int h = m_selection.head, i = m_selection.query, j = m_selection.key;
    const int nq = int(t.queryCount()), nk = int(t.keyCount());
    const int dm = int(t.x.dim(1)), dv = int(t.v.dim(2)), heads = int(t.weights.dim(0));
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

    // Q, K or V of head h: a row per query (the selected one highlighted), or per key.
    const auto projection = [this, h, i, j](StepId id, QString caption, const attn::Tensor& tensor, bool keyRows) {
        Spec p;
        p.id = id;
        p.caption = std::move(caption);
        p.rows = int(tensor.dim(1)), p.columns = int(tensor.dim(2)), p.rowCentre = keyRows ? j : i;
        p.keyRows = keyRows;
        p.range = sliceRange(tensor, h);
        p.value = [&tensor, h](int r, int c) { return tensor.at(std::size_t(h), std::size_t(r), std::size_t(c)); };
        p.highlightRow = p.rowCentre;
        return p;
    };
    // The biases are named where the layer has them (seeded ones are zero).
    const auto plusBias = [](bool present, QChar matrix) { return present ? u" + b_"_qs + matrix : QString(); };
    addMatrix(projection(StepId::Query, u"Q = X·W_Q"_qs + plusBias(t.biases.q, u'Q'), t.q, false), false, true);

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
    Spec k = projection(StepId::Key, u"K = %1·W_K"_qs.arg(from) + plusBias(t.biases.k, u'K'), t.k, true);
    k.labels = cross ? Labels::None : Labels::Keys;
    addMatrix(std::move(k), false, cross);
    addMatrix(projection(StepId::Value, u"V = %1·W_V"_qs.arg(from) + plusBias(t.biases.v, u'V'), t.v, true), false, false);

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
    weights.masked = isMasked; // hatched as the mask step and the heatmaps hatch them: their 0 is the mask's
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
QString Builder::captionOf(const Spec& s) const
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

QString Builder::scaledCaption() const
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
Spec Builder::pairSpec()
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
    const QString sum = u"Σ q∘k = "_qs + stepsNumberText(float(d.dot), stepsThreeSignificant);
    if (d.masked) {
        pair.extraNotes << sum + u"; key after query: masked → −∞"_qs;
        pair.extraNotes << u"weight 0 ("_qs + QString::number(d.visibleKeys) + u" visible keys)"_qs;
    } else {
        const QString scaled = scaling.startsWith(u'(') ? QString(sum + u' ' + scaling)
                                                        : QString(sum + u" → "_qs + scaling + u" = "_qs
                                                                  + stepsNumberText(float(d.scaled), stepsThreeSignificant));
        pair.extraNotes << scaled;
        pair.extraNotes << u"softmax: weight "_qs + paintkit::shareFigureText(d.weight) + u", rank "_qs
                               + QString::number(d.rank) + u" of "_qs + QString::number(d.visibleKeys);
    }
    return pair;
}

float Builder::sliceRange(const attn::Tensor& tensor, int head) const
{
    const auto [begin, end] = headSlice(tensor, head);
    return maxAbs(begin, end);
}

void Builder::addMatrix(Spec spec, bool lineBreak, bool arrow)
{
    Panel panel;
    panel.lineBreak = lineBreak;
    panel.arrow = arrow;
    panel.spec = std::move(spec);
    m_panels.push_back(std::move(panel));
}

} // namespace stepsboard
