// "Find heads that attend to the previous token / themselves / the first token / spread
// evenly": every head of every layer scored by the attn head statistics, best first.
#pragma once

#include "model_result.h"

#include <QList>
#include <QString>

#include <vector>

enum class HeadSearch { None, PreviousToken, Self, FirstToken, Even };

struct HeadMatch {
    int layer = 0;
    int head = 0;
    double score = 0.0;   // the statistic the search ranks by, 0 .. 1
    bool matches = false; // above the threshold attn::PatternThresholds names for it
};

// Every head, best score first (ties: layer, then head). Empty for HeadSearch::None.
std::vector<HeadMatch> searchHeads(const ModelResult& result, HeadSearch search);

QList<HeadSearch> headSearches(); // None first
QString headSearchLabel(HeadSearch search);     // "attend to the previous token"
QString headSearchStatistic(HeadSearch search); // "share on the previous token"
