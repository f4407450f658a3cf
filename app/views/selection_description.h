// What a view has selected, said in words: the view's accessible description, which a
// screen reader reads, as the eye reads the outlined head and cell.
#pragma once

#include "view_options.h"

#include <attn/trace.h>

#include <QString>

// The head, the query and the key with their tokens, and the weight where both are
// chosen (as the tooltips say it: exactly, and what is drawn instead where the filter
// changes it). A query or key of -1 (or out of range) is none.
QString selectionDescription(const attn::Trace& trace, const WeightFilter& filter, int head, int query, int key);
