// The settings of one attention layer and of how its input is made.
#pragma once

#include <cstdint>
#include <string>

namespace attn {

enum class Scaling { InvSqrtDk, None };
enum class Positional { Sinusoidal, None };

struct Config {
    int d_model = 64;
    int heads = 4;
    int d_k = 16;
    int d_v = 0; // 0: same as d_k
    bool causal = false;
    Scaling scaling = Scaling::InvSqrtDk;
    float temperature = 1.0f; // divides the scaled scores
    std::uint64_t seed = 42;
    Positional positional = Positional::Sinusoidal;
    bool bias = false; // seeded weights get zero-initialised biases when set

    int valueDim() const { return d_v > 0 ? d_v : d_k; }
    // The factor the raw scores QKᵀ are multiplied with before the softmax.
    float scoreScale() const;

    bool operator==(const Config&) const = default;
};

// Accepted ranges, also shown by the app's controls.
struct Limits {
    static constexpr int maxHeads = 64;
    static constexpr int maxKeyDim = 1024;
    static constexpr int maxModelDim = 8192;
    static constexpr double minTemperature = 1e-3;
    static constexpr double maxTemperature = 1e3;
    // Every front end shows every seed: a window's spin box holds a 32-bit int.
    static constexpr std::uint64_t maxSeed = 2147483647;
    // The largest trace the engine agrees to build.
    static constexpr std::uint64_t maxTraceBytes = 4ull << 30;
};

// Throws attn::Error naming the setting, its value and the accepted range.
void validate(const Config& config);
// validate's check of the temperature, for a value read as a double before it is stored
// as a float (1e300 would become inf, which no one wrote).
void validateTemperature(double temperature);

std::string toString(Scaling scaling);
std::string toString(Positional positional);
Scaling scalingFromString(const std::string& text);       // "sqrt" | "none"
Positional positionalFromString(const std::string& text); // "sinusoidal" | "none"

} // namespace attn
