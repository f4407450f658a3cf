#include "text_files.h"

#include "attn/error.h"

#include "message_text.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace attn {

std::string readTextFile(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw Error(path + ": cannot be read (" + std::strerror(errno) + ").");
    std::ostringstream text;
    text << in.rdbuf();
    if (in.bad())
        throw Error(path + ": reading failed part way.");
    return text.str();
}

nlohmann::json readJsonFile(const std::string& path)
{
    const std::string text = readTextFile(path);
    try {
        return nlohmann::json::parse(text);
    } catch (const nlohmann::json::exception& e) { // a syntax error, or a number past double's range
        throw Error(path + ": is not valid JSON (" + jsonProblemText(e.what()) + ").");
    }
}

std::vector<std::string> splitLines(const std::string& text)
{
    std::vector<std::string> lines;
    std::size_t start = 0;
    while (start < text.size()) {
        std::size_t stop = text.find('\n', start);
        if (stop == std::string::npos)
            stop = text.size();
        std::string line = text.substr(start, stop - start);
        if (!line.empty() && line.back() == '\r')
            line.pop_back();
        lines.push_back(std::move(line));
        start = stop + 1;
    }
    return lines;
}

bool fileExists(const std::string& path)
{
    std::error_code ignored;
    return std::filesystem::is_regular_file(path, ignored);
}

} // namespace attn
