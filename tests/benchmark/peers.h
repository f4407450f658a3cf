// Timings of other implementations on the same grid, read from the lines peers.py prints:
//   peer=torch n=512 d_model=768 h=12 ms=23.4
//   peer=torch status=unavailable reason=no_module_named_torch
#pragma once

#include <istream>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

namespace bench {

struct GridPoint {
    int n = 0;
    int dModel = 0;
    int heads = 0;
    auto operator<=>(const GridPoint&) const = default;
};

class PeerTimes {
public:
    // Lines that are not peer results are ignored; a malformed result throws std::runtime_error.
    void read(std::istream& in);

    const std::vector<std::string>& peers() const { return m_peers; }
    // Peers that said they could not run, with their reason.
    const std::map<std::string, std::string>& unavailable() const { return m_unavailable; }
    std::optional<double> ms(const std::string& peer, const GridPoint& point) const;

private:
    std::vector<std::string> m_peers;
    std::map<std::string, std::string> m_unavailable;
    std::map<std::tuple<std::string, GridPoint>, double> m_ms;
};

} // namespace bench
