#include "peers.h"

#include <algorithm>
#include <sstream>
#include <stdexcept>

namespace bench {

namespace {

std::map<std::string, std::string> fields(const std::string& line)
{
    std::map<std::string, std::string> result;
    std::istringstream words(line);
    std::string word;
    while (words >> word) {
        const auto equals = word.find('=');
        if (equals != std::string::npos)
            result[word.substr(0, equals)] = word.substr(equals + 1);
    }
    return result;
}

} // namespace

void PeerTimes::read(std::istream& in)
{
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("peer=", 0) != 0)
            continue;
        auto f = fields(line);
        const std::string peer = f["peer"];
        if (std::find(m_peers.begin(), m_peers.end(), peer) == m_peers.end())
            m_peers.push_back(peer);
        if (f.count("status") && f["status"] != "ok") {
            m_unavailable[peer] = f.count("reason") ? f["reason"] : f["status"];
            continue;
        }
        try {
            const GridPoint point{std::stoi(f.at("n")), std::stoi(f.at("d_model")), std::stoi(f.at("h"))};
            m_ms[{peer, point}] = std::stod(f.at("ms"));
        } catch (const std::exception&) {
            throw std::runtime_error("cannot read the peer result \"" + line
                                     + "\"; expected peer=NAME n=N d_model=D h=H ms=TIME");
        }
    }
}

std::optional<double> PeerTimes::ms(const std::string& peer, const GridPoint& point) const
{
    const auto found = m_ms.find({peer, point});
    if (found == m_ms.end())
        return std::nullopt;
    return found->second;
}

} // namespace bench
