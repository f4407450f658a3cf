#include "attn/config.h"

#include "attn/error.h"

#include <charconv>
#include <cmath>
#include <string>
#include <type_traits>

namespace attn {

namespace {

// The shortest text that reads back as the value, in plain decimals where they take at
// most a dozen characters (0.0009 and 1234567, where the shortest form wrote 9e-04 and
// 1.234567e+06), else with a power of ten (1e-30). A setting held as a float is written as
// that float (1e+30, 1000.001 for 1000.001f), not as its double (1.00000002e+30).
template <typename Floating>
std::string shortestText(Floating value)
{
    char text[64];
    const std::to_chars_result fixed = std::to_chars(text, text + sizeof text, value, std::chars_format::fixed);
    if (fixed.ec == std::errc() && fixed.ptr - text <= 12)
        return std::string(text, fixed.ptr);
    return std::string(text, std::to_chars(text, text + sizeof text, value).ptr);
}

template <typename Number>
std::string numberText(Number value)
{
    if constexpr (std::is_floating_point_v<Number>)
        return float(value) == value ? shortestText(float(value)) : shortestText(value);
    char text[64];
    return std::string(text, std::to_chars(text, text + sizeof text, value).ptr);
}

template <typename Number>
void checkRange(const char* name, Number value, Number low, Number high)
{
    if (!(value >= low && value <= high)) // NaN fails both
        throw Error(std::string(name) + " is " + numberText(value) + "; it must be between " + numberText(low) + " and "
                    + numberText(high) + ".");
}

} // namespace

float Config::scoreScale() const
{
    const double scale = scaling == Scaling::InvSqrtDk ? 1.0 / std::sqrt(double(d_k)) : 1.0;
    return float(scale / temperature);
}

void validate(const Config& config)
{
    checkRange("heads", config.heads, 1, Limits::maxHeads);
    checkRange("d_k", config.d_k, 1, Limits::maxKeyDim);
    checkRange("d_v", config.valueDim(), 1, Limits::maxKeyDim);
    checkRange("d_model", config.d_model, 1, Limits::maxModelDim);
    if (config.d_v < 0)
        throw Error("d_v is " + std::to_string(config.d_v) + "; use 0 for \"same as d_k\" or a size from 1 to "
                    + std::to_string(Limits::maxKeyDim) + ".");
    validateTemperature(config.temperature);
    checkRange("seed", config.seed, std::uint64_t(0), Limits::maxSeed);
}

void validateTemperature(double temperature)
{
    checkRange("temperature", temperature, Limits::minTemperature, Limits::maxTemperature);
}

std::string toString(Scaling scaling)
{
    return scaling == Scaling::InvSqrtDk ? "sqrt" : "none";
}

std::string toString(Positional positional)
{
    return positional == Positional::Sinusoidal ? "sinusoidal" : "none";
}

Scaling scalingFromString(const std::string& text)
{
    if (text == "sqrt")
        return Scaling::InvSqrtDk;
    if (text == "none")
        return Scaling::None;
    throw Error("scaling \"" + text + "\" is unknown; use sqrt or none.");
}

Positional positionalFromString(const std::string& text)
{
    if (text == "sinusoidal")
        return Positional::Sinusoidal;
    if (text == "none")
        return Positional::None;
    throw Error("positional encoding \"" + text + "\" is unknown; use sinusoidal or none.");
}

} // namespace attn
