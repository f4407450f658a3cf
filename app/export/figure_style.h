// The look that the command line's figure options give a figure. The sandbox's figures and
// a model's both take it from here, so that an option reaches every figure (--presentation
// once did nothing with --model).
#pragma once

#include "views/colormap.h"
#include "views/view_options.h"
#include "window/settings.h"

struct FigureStyle {
    Theme theme = Theme::System;               // --theme: dark for dark slides; system is light
    ColorMapId colorMap = ColorMapId::Viridis; // --colors, else a session's
    bool presentation = false;                 // --presentation: large type, thick lines
    bool title = true;                         // --no-title leaves the title line out
    bool unitColorScale = false;               // --unit-scale: weights coloured from 0 to 1

    // The standard look (or the dark palette's) with these options applied; the texts of the
    // title line are the caller's.
    Appearance look() const;
};
