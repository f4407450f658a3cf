// What a model view shows as selected, said in words: its accessible description, which a
// screen reader reads, as the eye reads the outlined thumbnail, the rollout's layer or the
// bars of the next tokens.
#pragma once

#include "model/model_result.h"
#include "model_view_state.h"
#include "model_views.h"

#include <QString>

QString modelSelectionDescription(ModelViewId view, const ModelResult& result, const ModelFocus& focus);
