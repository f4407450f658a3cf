// Rollout: how much each input token flows into each position's representation through
// the layers up to the selected one (attention rollout, Abnar & Zuidema 2020), as one
// heatmap: queries (positions) down, input tokens across.
#pragma once

#include "heatmap.h"
#include "model/model_result.h"
#include "model_view_state.h"
#include "view_options.h"

#include <QPainter>
#include <QRectF>

struct RolloutLayout {
    MatrixGeometry matrix;
    int layer = 0; // the slice shown: rollout through layers 0..layer
    qreal leftSpace = 0;
    qreal bottomSpace = 0;
    QRectF colorBar;
    QRectF footnote;
    bool empty = true;
};

RolloutLayout layoutRollout(QRectF page, const ModelResult& result, const ViewOptions& options, const ModelFocus& focus);
void paintRollout(QPainter& painter, QRectF page, const ModelResult& result, const ViewOptions& options,
                  const ModelFocus& focus);
