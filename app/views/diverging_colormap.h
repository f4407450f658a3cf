// A diverging colour map for signed values (inputs, projections, raw and scaled scores):
// blue below zero, white at zero, red above. ColorBrewer's RdBu, which reads the same for
// the common red-green colour blindnesses.
#pragma once

#include <QColor>

// value/maxAbs is clamped to [-1, 1]; maxAbs <= 0 gives white.
QColor divergingColor(double value, double maxAbs);
