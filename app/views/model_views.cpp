#include "model_views.h"

#include "model_grid_view.h"
#include "next_token_view.h"
#include "rollout_view.h"

#include <algorithm>

const QList<ModelViewKind>& modelViewKinds()
{
    static const QList<ModelViewKind> kinds = {
        {ModelViewId::Grid, u"model"_qs, u"Model"_qs, &paintModelGrid},
        {ModelViewId::Rollout, u"rollout"_qs, u"Rollout"_qs, &paintRollout},
        {ModelViewId::NextToken, u"next"_qs, u"Next token"_qs, &paintNextToken},
    };
    return kinds;
}

const ModelViewKind& modelViewKind(ModelViewId id)
{
    for (const ModelViewKind& kind : modelViewKinds())
        if (kind.id == id)
            return kind;
    return modelViewKinds().front();
}

std::optional<ModelViewId> parseModelViewKey(const QString& key)
{
    for (const ModelViewKind& kind : modelViewKinds())
        if (kind.key == key.trimmed().toLower())
            return kind.id;
    return std::nullopt;
}

QStringList modelViewKeys()
{
    QStringList keys;
    for (const ModelViewKind& kind : modelViewKinds())
        keys << kind.key;
    return keys;
}

QSize modelExportPageSize(ModelViewId id, const ModelResult& result, const Appearance& look)
{
    // The room of the type, titles and footnotes grows with it (a presentation's title ran
    // off the page, and its next tokens showed 2 of 5).
    const qreal type = qreal(look.font.pixelSize()) / Appearance::standard().font.pixelSize();
    switch (id) {
    case ModelViewId::Grid: {
        // Square thumbnails of about 80 px, plus labels, colour bar, title and the footnote.
        const int layers = std::max(1, result.layers()), heads = std::max(1, result.heads());
        const int thumb = std::clamp(900 / std::max(layers, heads), 60, 160);
        return QSize(std::max(qRound(700 * type), qRound(140 * type) + heads * thumb),
                     std::max(qRound(420 * type), qRound(110 * type) + layers * thumb));
    }
    case ModelViewId::Rollout: return QSize(1000, 1000);
    case ModelViewId::NextToken: return QSize(qRound(800 * type), qRound(300 * type));
    }
    return QSize(1000, 800);
}
