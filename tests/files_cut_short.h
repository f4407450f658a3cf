// Writing as onto a full disk: every file this process writes is cut at a size, and a write
// past it fails ("File too large") where the signal it raises would end the test instead.
#pragma once

#include <csignal>
#include <utility>

#include <sys/resource.h>

// What `write` returns, written with each file cut at `bytes`; the limit is lifted after.
template <typename Write>
auto withFilesCutAt(rlim_t bytes, Write&& write)
{
    rlimit before{};
    ::getrlimit(RLIMIT_FSIZE, &before);
    rlimit cut = before;
    cut.rlim_cur = bytes;
    const auto handler = std::signal(SIGXFSZ, SIG_IGN);
    ::setrlimit(RLIMIT_FSIZE, &cut);
    auto result = std::forward<Write>(write)();
    ::setrlimit(RLIMIT_FSIZE, &before);
    std::signal(SIGXFSZ, handler);
    return result;
}
