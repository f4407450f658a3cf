#include "model_selection_description.h"

#include "next_token_view.h"
#include "paint_common.h"

#include <algorithm>

namespace {

QString ofCount(int index, int count)
{
    return QString::number(index + 1) + u" of "_qs + QString::number(count);
}

} // namespace

QString modelSelectionDescription(ModelViewId view, const ModelResult& result, const ModelFocus& focus)
{
    if (!result.trace || result.tokens() == 0)
        return u"No text computed yet."_qs;
    const attn::ModelTrace& trace = *result.trace;
    const int layer = std::clamp(focus.layer, 0, std::max(0, result.layers() - 1));
    switch (view) {
    case ModelViewId::Grid:
        return QString::number(result.layers()) + u" layers × "_qs + QString::number(result.heads())
               + u" heads over "_qs + paintkit::countOf(result.tokens(), u"token"_qs) + u"; selected: layer "_qs
               + ofCount(layer, result.layers())
               + (focus.head >= 0 ? u", head "_qs + ofCount(focus.head, result.heads()) : QString()) + u'.';
    case ModelViewId::Rollout:
        return u"Attention rollout through layer "_qs + ofCount(layer, result.layers()) + u", over "_qs
               + paintkit::countOf(result.tokens(), u"token"_qs) + u'.';
    case ModelViewId::NextToken: {
        if (trace.nextToken.empty())
            return u"This model has no next-token head."_qs;
        QStringList likely;
        for (const attn::TokenPrediction& p : trace.nextToken)
            likely << paintkit::quoted(paintkit::visibleTokenText(p.text)) + u' ' + probabilityText(p.probability);
        return u"After "_qs + paintkit::quoted(paintkit::visibleTokenText(trace.tokens.back().text))
               + u", the most likely next tokens: "_qs + likely.join(u", "_qs) + u'.';
    }
    }
    return {};
}
