// Reading the small text files of a model folder, with errors that name the file.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

namespace attn {

// The whole file. Throws attn::Error "<path>: cannot be read (...)".
std::string readTextFile(const std::string& path);
// The file parsed as JSON. Throws attn::Error naming the file and the parser's complaint.
nlohmann::json readJsonFile(const std::string& path);
bool fileExists(const std::string& path);

} // namespace attn
