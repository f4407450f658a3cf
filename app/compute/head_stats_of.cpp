#include "head_stats_of.h"

HeadStatsPtr headStatsOf(const attn::Trace* trace, const std::atomic<bool>* stop)
{
    const bool hasWeights = trace && trace->queryCount() > 0 && trace->keyCount() > 0;
    return std::make_shared<const std::vector<attn::HeadStats>>(hasWeights ? attn::headStats(*trace, stop)
                                                                           : std::vector<attn::HeadStats>());
}
