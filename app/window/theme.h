// The window's dark palette and style, and the look of a figure made without a window in a theme.
#pragma once

#include "settings.h"
#include "views/view_options.h"

#include <QPalette>
#include <QStyle>

// Fusion's colours for a dark window, the 3D shades included.
QPalette darkPalette();

// Fusion (new, for QApplication::setStyle), with a frame around an unticked check box
// that shows on a dark palette.
QStyle* fusionWithVisibleCheckBoxes();

// The look a figure of the command line takes: the standard light one, or the dark
// palette's for --theme dark (slides on a dark background). System is light: a script
// has no window to follow.
Appearance figureLook(Theme theme);
