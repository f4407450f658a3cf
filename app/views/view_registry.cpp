#include "view_registry.h"

#include "head_detail_view.h"
#include "heads_view.h"
#include "steps_view.h"
#include "token_links_view.h"

#include <QRegularExpression>

#include <algorithm>

const QList<ViewKind>& viewKinds()
{
    static const QList<ViewKind> kinds = {
        {ViewId::Heads, u"heads"_qs, u"Heads"_qs, &paintHeads},
        {ViewId::HeadDetail, u"head"_qs, u"Head detail"_qs, &paintHeadDetail},
        {ViewId::TokenLinks, u"links"_qs, u"Token links"_qs, &paintTokenLinks},
        {ViewId::Steps, u"steps"_qs, u"Steps"_qs, &paintSteps},
    };
    return kinds;
}

QStringList viewKeys()
{
    QStringList keys;
    for (const ViewKind& kind : viewKinds())
        keys << kind.key;
    return keys;
}

const ViewKind& viewKind(ViewId id)
{
    for (const ViewKind& kind : viewKinds())
        if (kind.id == id)
            return kind;
    return viewKinds().front();
}

QSize exportPageSize(ViewId id, const attn::Trace& trace, const ViewOptions& options)
{
    switch (id) {
    case ViewId::Heads: return headsPageSize(QSize(1400, 900), trace, options);
    case ViewId::HeadDetail: return QSize(1000, 1000);
    case ViewId::TokenLinks: return tokenLinksPageSize(QSize(1000, 2400), trace, options);
    case ViewId::Steps: return stepsExportPageSize();
    }
    return QSize(1200, 800);
}

QString headPastTheLayerText(const QString& view, const QString& owner, int heads)
{
    return u"--view "_qs + view + u": "_qs + owner + u" has "_qs
           + (heads == 1 ? u"1 head; use head:1."_qs
                         : QString::number(heads) + u" heads; use head:1 to head:"_qs + QString::number(heads) + u'.');
}

QString nothingToDrawText()
{
    return u"there is nothing to draw: the text has no tokens; give --text with at least one word."_qs;
}

std::optional<ViewChoice> parseViewChoice(const QString& text, QString* error)
{
    const QString view = text.trimmed().toLower();
    if (view.startsWith(u"head:")) {
        bool ok = false;
        const int number = view.mid(5).toInt(&ok);
        if (ok && number >= 1)
            return ViewChoice{ViewId::HeadDetail, number - 1};
        // Digits past int's range are a number, if no head's.
        static const QRegularExpression digits(u"^[0-9]+$"_qs);
        if (error)
            *error = u"--view "_qs + text
                     + (!ok && digits.match(view.mid(5)).hasMatch()
                            ? u": no head has that number; give the head's number, as in head:3."_qs
                            : u": the head number must be a whole number from 1, as in head:3."_qs);
        return std::nullopt;
    }
    QStringList names; // the head detail is named with its head, head:N
    for (const ViewKind& kind : viewKinds()) {
        if (kind.id == ViewId::HeadDetail)
            continue;
        if (kind.key == view)
            return ViewChoice{kind.id, 0};
        names << kind.key;
    }
    if (error)
        *error = u"--view "_qs + text + u" is not a view; use "_qs + names.join(u", "_qs) + u" or head:N (N from 1)."_qs;
    return std::nullopt;
}
