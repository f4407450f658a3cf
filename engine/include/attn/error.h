// The one exception type of the engine. Its message is written for the person at the
// keyboard: what was wrong, and what to do about it.
#pragma once

#include <stdexcept>
#include <string>

namespace attn {

class Error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

} // namespace attn
