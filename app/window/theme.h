// The window's dark palette, and the look of a figure made without a window in a theme.
#pragma once

#include "settings.h"
#include "views/view_options.h"

#include <QPalette>

// Fusion's colours for a dark window, the 3D shades included.
QPalette darkPalette();

// The look a figure of the command line takes: the standard light one, or the dark
// palette's for --theme dark (slides on a dark background). System is light: a script
// has no window to follow.
Appearance figureLook(Theme theme);
