#include "figure_style.h"

#include "window/theme.h"

Appearance FigureStyle::look() const
{
    Appearance look = figureLook(theme);
    look.colorMap = colorMap;
    if (presentation) // after the theme: a dark presentation is white on black
        look = Appearance::forPresentation(look);
    look.title = title;
    look.unitColorScale = unitColorScale;
    return look;
}
