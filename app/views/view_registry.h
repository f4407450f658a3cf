// The list of views: what the window shows as tabs and what --view names. A new view is
// one more entry here, its paint function, its export page size (exportPageSize) and what
// the pointer does over it (ViewWidget).
#pragma once

#include "view_options.h"

#include <attn/trace.h>

#include <QList>
#include <QPainter>
#include <QRectF>
#include <QSize>
#include <QString>
#include <QStringList>

#include <optional>

using PaintFunction = void (*)(QPainter&, QRectF, const attn::Trace&, const ViewOptions&);

enum class ViewId { Heads, HeadDetail, TokenLinks, Steps };

struct ViewKind {
    ViewId id;
    QString key;  // as --view, settings and sessions name it: heads, head, links, steps
    QString name; // as the tab shows it
    PaintFunction paint;
};

const QList<ViewKind>& viewKinds();
const ViewKind& viewKind(ViewId id);

// The page size of an exported figure of this view, painted with these options, in
// logical pixels.
QSize exportPageSize(ViewId id, const attn::Trace& trace, const ViewOptions& options);

// Every view's key, for checking a session's view.
QStringList viewKeys();

struct ViewChoice {
    ViewId id = ViewId::Heads;
    int head = 0; // for the head and steps views, counted from 0
};

// "heads", "links", "steps", "head:N" (N counted from 1). The head number is checked against the
// trace later, when the number of heads is known; on failure *error says why.
std::optional<ViewChoice> parseViewChoice(const QString& text, QString* error);
// That later check's message: "--view head:5: gpt2 has 4 heads; use head:1 to head:4."
// `owner`: who has the heads, "the layer" or a model's name.
QString headPastTheLayerText(const QString& view, const QString& owner, int heads);
// Why a figure of a text without tokens is refused: a page that only says why there is
// nothing to show is no figure for a script to keep.
QString nothingToDrawText();
