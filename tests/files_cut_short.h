// Writing as onto a full disk: every file this process writes is cut at a size, and a write
// past it fails ("File too large") where the signal it raises would end the test instead.
#pragma once

#include <csignal>
#include <cstdlib>
#include <utility>

#include <sys/resource.h>

// What `write` returns, written with each file cut at `bytes`; the limit is lifted after.
// A limit that cannot be read or set ends the run: the test would prove nothing, and a
// limit restored from nothing would cut every later file at 0.
template <typename Write>
auto withFilesCutAt(rlim_t bytes, Write&& write)
{
    rlimit before{};
    if (::getrlimit(RLIMIT_FSIZE, &before) != 0)
        std::abort();
    rlimit cut = before;
    cut.rlim_cur = bytes;
    const auto handler = std::signal(SIGXFSZ, SIG_IGN);
    if (::setrlimit(RLIMIT_FSIZE, &cut) != 0)
        std::abort();
    auto result = std::forward<Write>(write)();
    ::setrlimit(RLIMIT_FSIZE, &before);
    std::signal(SIGXFSZ, handler);
    return result;
}
