// The head statistics of a trace as one shared, read-only table: computed once on a worker
// thread, with the trace, and then read by the statistics dock and every view.
#pragma once

#include <attn/head_stats.h>
#include <attn/trace.h>

#include <QMetaType>

#include <atomic>
#include <memory>
#include <vector>

using HeadStatsPtr = std::shared_ptr<const std::vector<attn::HeadStats>>;
Q_DECLARE_METATYPE(HeadStatsPtr)

// The statistics of every head of the trace; none without tokens on both sides (an empty
// text, or an empty source). At 20,000 tokens this takes a third of a second: the window
// asks for it on its worker thread, with the trace, and `stop` ends it for a newer edit.
HeadStatsPtr headStatsOf(const attn::Trace* trace, const std::atomic<bool>* stop = nullptr);
