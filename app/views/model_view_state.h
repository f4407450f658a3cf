// What the model views need besides the model's trace and the shared ViewOptions: the
// layer and head chosen, the head search, and the pointer over the grid. Plain data, so an
// export is painted from exactly the state the screen shows.
#pragma once

#include "model/head_search.h"

struct ModelFocus {
    int layer = 0;  // the selected layer (rollout: through this layer), from 0
    int head = 0;   // the selected head, from 0; -1: none (the grid of a figure made by a script)
    HeadSearch search = HeadSearch::None;
    bool sortBySearch = false; // the grid lists heads best match first instead of layer by layer
    int hoverLayer = -1;       // the grid's thumbnail under the pointer; -1: none
    int hoverHead = -1;

    bool operator==(const ModelFocus&) const = default;
};
