// The model views: what the window shows as extra tabs in model mode and what --view
// names (model, rollout, next). Each is one paint function, used by the widget, PNG/SVG
// export and the command line alike.
#pragma once

#include "model/model_result.h"
#include "model_view_state.h"
#include "view_options.h"

#include <QList>
#include <QPainter>
#include <QRectF>
#include <QSize>
#include <QString>
#include <QStringList>

#include <optional>

using ModelPaintFunction = void (*)(QPainter&, QRectF, const ModelResult&, const ViewOptions&, const ModelFocus&);

enum class ModelViewId { Grid, Rollout, NextToken };

struct ModelViewKind {
    ModelViewId id;
    QString key;  // as --view names it: model, rollout, next
    QString name; // as the tab shows it
    ModelPaintFunction paint;
};

const QList<ModelViewKind>& modelViewKinds();
const ModelViewKind& modelViewKind(ModelViewId id);
std::optional<ModelViewId> parseModelViewKey(const QString& key);
// Every model view's key (model, rollout, next), for checking a session's view.
QStringList modelViewKeys();

// The page size of an exported figure, in logical pixels, for text in look's type (the
// presentation's larger type needs more room beside the grid's thumbnails).
QSize modelExportPageSize(ModelViewId id, const ModelResult& result, const Appearance& look);
