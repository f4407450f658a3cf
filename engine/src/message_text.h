// Numbers as the engine's messages and descriptions write them.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>

namespace attn {

// "4.0 GiB"
inline std::string gibText(std::uint64_t bytes)
{
    char text[32];
    std::snprintf(text, sizeof text, "%.1f GiB", double(bytes) / double(std::uint64_t(1) << 30));
    return text;
}

// "1 token", "20000 tokens": a count and its thing, plural but for one.
inline std::string countText(std::uint64_t count, const char* thing)
{
    return std::to_string(count) + " " + thing + (count == 1 ? "" : "s");
}

// A JSON library's message in the reader's words: "parse error at line 3, ..." without
// nlohmann's "[json.exception.parse_error.101] " tag.
inline std::string jsonProblemText(std::string what)
{
    if (const auto tag = what.find("] "); what.rfind("[json.exception.", 0) == 0 && tag != std::string::npos)
        what.erase(0, tag + 2);
    return what;
}

} // namespace attn
