#include "selection_description.h"

#include "display_weights.h"
#include "paint_common.h"

#include <algorithm>

QString selectionDescription(const attn::Trace& trace, const WeightFilter& filter, int head, int query, int key)
{
    const int heads = std::max(1, trace.config.heads);
    head = std::clamp(head, 0, heads - 1);
    QString text = u"Head "_qs + QString::number(head + 1) + u" of "_qs + QString::number(heads);
    if (query < 0 || query >= int(trace.queryCount()))
        return text + u"; no query selected."_qs;
    text += u", query "_qs + QString::number(query + 1) + u' ' + paintkit::quoted(paintkit::tokenText(trace, query, false));
    if (key < 0 || key >= int(trace.keyCount()))
        return text + u'.';
    return text + u", key "_qs + QString::number(key + 1) + u' ' + paintkit::quoted(paintkit::tokenText(trace, key, true))
           + u": "_qs + weightFacts(trace, filter, head, query, key).join(u", "_qs) + u'.';
}
