#include "head_search.h"

#include <attn/head_stats.h>

#include <algorithm>

namespace {

double scoreOf(const attn::HeadStats& stats, HeadSearch search)
{
    switch (search) {
    case HeadSearch::PreviousToken: return stats.previousShare.value_or(0.0);
    case HeadSearch::Self: return stats.selfShare.value_or(0.0);
    case HeadSearch::FirstToken: return stats.firstShare;
    case HeadSearch::Even: return stats.normalizedEntropy;
    case HeadSearch::None: break;
    }
    return 0.0;
}

bool passes(const attn::HeadStats& stats, HeadSearch search, double score)
{
    if (stats.pattern == attn::HeadPattern::Trivial) // no query had a choice: nothing to say
        return false;
    if (search == HeadSearch::Even)
        return score >= attn::PatternThresholds::even;
    return score > attn::PatternThresholds::mostly;
}

} // namespace

std::vector<HeadMatch> searchHeads(const ModelResult& result, HeadSearch search)
{
    std::vector<HeadMatch> matches;
    if (search == HeadSearch::None)
        return matches;
    const std::vector<HeadStatsPtr> layers = result.headStats();
    for (std::size_t layer = 0; layer < layers.size(); ++layer) {
        for (const attn::HeadStats& stats : *layers[layer]) {
            const double score = scoreOf(stats, search);
            matches.push_back(HeadMatch{int(layer), stats.head, score, passes(stats, search, score)});
        }
    }
    std::stable_sort(matches.begin(), matches.end(), [](const HeadMatch& a, const HeadMatch& b) { return a.score > b.score; });
    return matches;
}

QList<HeadSearch> headSearches()
{
    return {HeadSearch::None, HeadSearch::PreviousToken, HeadSearch::Self, HeadSearch::FirstToken, HeadSearch::Even};
}

QString headSearchLabel(HeadSearch search)
{
    switch (search) {
    case HeadSearch::None: return u"(all heads alike)"_qs;
    case HeadSearch::PreviousToken: return u"attend to the previous token"_qs;
    case HeadSearch::Self: return u"attend to themselves"_qs;
    case HeadSearch::FirstToken: return u"attend to the first token"_qs;
    case HeadSearch::Even: return u"spread evenly"_qs;
    }
    return QString();
}

QString headSearchStatistic(HeadSearch search)
{
    switch (search) {
    case HeadSearch::None: return QString();
    case HeadSearch::PreviousToken: return u"mean weight on the previous token"_qs;
    case HeadSearch::Self: return u"mean weight on the token itself"_qs;
    case HeadSearch::FirstToken: return u"mean weight on the first token"_qs;
    case HeadSearch::Even: return u"mean normalised entropy"_qs;
    }
    return QString();
}
