#include "display_weights.h"

#include "paint_common.h"

#include <attn/head_stats.h>

#include <QStringList>

#include <algorithm>
#include <functional>

DisplayWeights::DisplayWeights(const attn::Trace& trace, const WeightFilter& filter) : m_trace(trace), m_filter(filter)
{
    if (trace.weights.rank() == 3) {
        m_heads = int(trace.weights.dim(0));
        m_queries = int(trace.weights.dim(1));
        m_keys = int(trace.weights.dim(2));
    }
    if (filter.hideFirst) {
        m_firstKey = 1;
        // Self-attention: the first token is hidden as a query too. Cross-attention keeps
        // every query, since the first key is a different text's token.
        m_firstQuery = trace.isCross() ? 0 : 1;
    }
}

void DisplayWeights::row(int head, int query, float* out) const
{
    const float* source = m_trace.weights.ptr() + (std::size_t(head) * m_queries + std::size_t(query)) * m_keys;
    if (m_filter.isIdentity()) {
        std::copy(source, source + m_keys, out);
        return;
    }
    std::copy(source, source + m_keys, out);
    if (m_filter.hideFirst && m_keys > 0) {
        double rest = 0.0;
        for (int key = 1; key < m_keys; ++key)
            rest += out[key];
        out[0] = 0.f;
        const float factor = rest > 0.0 ? float(1.0 / rest) : 0.f;
        for (int key = 1; key < m_keys; ++key)
            out[key] *= factor;
    }
    pruneRow(out, m_keys, m_filter.keepShare);
}

const float* DisplayWeights::directRow(int head, int query) const
{
    if (!m_filter.isIdentity())
        return nullptr;
    return m_trace.weights.ptr() + (std::size_t(head) * m_queries + std::size_t(query)) * m_keys;
}

std::vector<float> DisplayWeights::row(int head, int query) const
{
    std::vector<float> values(static_cast<std::size_t>(m_keys));
    if (head >= 0 && head < m_heads && query >= 0 && query < m_queries)
        row(head, query, values.data());
    return values;
}

float DisplayWeights::value(int head, int query, int key) const
{
    if (key < 0 || key >= m_keys)
        return 0.f;
    return row(head, query)[std::size_t(key)];
}

void pruneRow(float* row, int count, double share)
{
    if (share >= 1.0 || count <= 0)
        return;
    thread_local std::vector<float> sorted;
    sorted.assign(row, row + count);
    std::sort(sorted.begin(), sorted.end(), std::greater<float>());
    double total = 0.0;
    for (float value : sorted)
        total += value;
    const double wanted = std::max(0.0, share) * total;
    double sum = 0.0;
    float threshold = sorted.front();
    for (float value : sorted) {
        threshold = value;
        sum += value;
        if (sum >= wanted * (1.0 - 1e-6)) // float rounding must not cost a link
            break;
    }
    for (int i = 0; i < count; ++i)
        if (row[i] < threshold)
            row[i] = 0.f;
}

QStringList weightFacts(const attn::Trace& trace, const WeightFilter& filter, int head, int query, int key)
{
    const float weight = trace.weights.at(std::size_t(head), std::size_t(query), std::size_t(key));
    const bool masked = key >= attn::visibleKeyCount(query, int(trace.keyCount()), trace.config.causal);
    QStringList facts{u"weight "_qs + paintkit::exactText(weight)
                      + (masked ? u" (the causal mask hides this key)"_qs : QString())};
    const float shown = DisplayWeights(trace, filter).value(head, query, key);
    if (shown != weight) {
        QStringList why;
        if (filter.hideFirst)
            why << u"first token hidden, the rest renormalised"_qs;
        if (filter.keepShare < 1.0)
            why << u"only the strongest links kept"_qs;
        facts << u"drawn as "_qs + paintkit::exactText(shown) + u" ("_qs + why.join(u"; "_qs) + u')';
    }
    return facts;
}

QString weightToolTip(const attn::Trace& trace, const ViewOptions& options, int head, int query, int key)
{
    return u"head "_qs + QString::number(head + 1) + u" · query "_qs + QString::number(query + 1) + u' '
           + paintkit::quoted(paintkit::tokenText(trace, query, false)) + paintkit::unknownTokenNote(trace, query, false, options)
           + u" → key "_qs + QString::number(key + 1) + u' ' + paintkit::quoted(paintkit::tokenText(trace, key, true))
           + paintkit::unknownTokenNote(trace, key, true, options) + u'\n'
           + weightFacts(trace, options.filter, head, query, key).join(u'\n');
}
