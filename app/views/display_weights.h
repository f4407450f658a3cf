// The weights a view shows, derived row by row from the trace on demand: the first token
// hidden and the rest renormalised, then each row pruned to its strongest links. Holds
// no copy of the trace's numbers.
#pragma once

#include "view_options.h"

#include <attn/trace.h>

#include <QString>
#include <QStringList>

#include <vector>

class DisplayWeights {
public:
    DisplayWeights(const attn::Trace& trace, const WeightFilter& filter);

    int heads() const { return m_heads; }
    int queries() const { return m_queries; }
    int keys() const { return m_keys; }
    // The first query and key index that is shown (1 when the first token is hidden).
    int firstQuery() const { return m_firstQuery; }
    int firstKey() const { return m_firstKey; }
    bool isEmpty() const { return m_heads == 0 || m_queries <= m_firstQuery || m_keys <= m_firstKey; }

    // Writes keys() values of row `query` of `head`; a hidden first key reads 0.
    void row(int head, int query, float* out) const;
    std::vector<float> row(int head, int query) const;
    // The trace's own row when no filter changes it (no copy needed), else null.
    const float* directRow(int head, int query) const;
    float value(int head, int query, int key) const;

private:
    const attn::Trace& m_trace;
    WeightFilter m_filter;
    int m_heads = 0, m_queries = 0, m_keys = 0;
    int m_firstQuery = 0, m_firstKey = 0;
};

// A weight said in full: the trace's weight exactly (and whether the causal mask hides its
// key), then what the view draws instead where the filter changed it.
QStringList weightFacts(const attn::Trace& trace, const WeightFilter& filter, int head, int query, int key);

// A weight said in full for a tooltip: the head, query and key by name (and what was typed
// where a model knew no piece for it), the trace's weight exactly, and what the view draws
// instead where the filter changed it.
QString weightToolTip(const attn::Trace& trace, const ViewOptions& options, int head, int query, int key);

// Keeps the largest values of `row` whose sum first reaches share × the row's sum and
// zeroes the rest. share >= 1 keeps everything.
void pruneRow(float* row, int count, double share);
