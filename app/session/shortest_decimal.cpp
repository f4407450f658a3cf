#include "shortest_decimal.h"

#include <array>
#include <charconv>

double shortestDecimal(float value)
{
    std::array<char, 32> text{};
    const auto written = std::to_chars(text.data(), text.data() + text.size(), value).ptr;
    double decimal = 0.0;
    std::from_chars(text.data(), written, decimal);
    return decimal;
}
