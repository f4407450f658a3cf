// Next token: GPT-2's most likely continuations after the last token, with their
// probabilities as bars. BERT has no language-model head; the view says so.
#pragma once

#include "model/model_result.h"
#include "model_view_state.h"
#include "view_options.h"

#include <QPainter>
#include <QRectF>
#include <QString>

// A probability as the bars label it: 59.3%.
QString probabilityText(double probability);

void paintNextToken(QPainter& painter, QRectF page, const ModelResult& result, const ViewOptions& options,
                    const ModelFocus& focus);
