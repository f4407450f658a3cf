// Reading the small text files of a model folder, with errors that name the file.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace attn {

// The whole file. Throws attn::Error "<path>: cannot be read (...)".
std::string readTextFile(const std::string& path);
// The file parsed as JSON. Throws attn::Error naming the file and the parser's complaint.
nlohmann::json readJsonFile(const std::string& path);
bool fileExists(const std::string& path);
// The lines of text, without their "\n" or "\r\n"; empty lines are kept, and a final "\n"
// does not start another line.
std::vector<std::string> splitLines(const std::string& text);

} // namespace attn
