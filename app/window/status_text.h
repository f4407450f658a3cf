// How the status bar writes a time.
#pragma once

#include <QString>

// "4.21 ms", "123.4 ms": two decimals below 10 ms, one above.
inline QString millisText(double ms)
{
    return QString::number(ms, 'f', ms < 10 ? 2 : 1) + u" ms"_qs;
}
