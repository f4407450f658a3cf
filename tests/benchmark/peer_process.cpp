#include "peer_process.h"

#include <map>
#include <sstream>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

namespace bench {

namespace {

// "peer=torch n=8 ms=0.1" -> {peer: torch, n: 8, ms: 0.1}
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

PeerProcess::PeerProcess(const std::string& command) : m_label(command)
{
    // Close-on-exec, so that a later peer does not inherit this one's stdin and keep it
    // open after we close it (dup2 clears the flag on the child's own 0 and 1).
    int toChild[2], fromChild[2];
    if (pipe2(toChild, O_CLOEXEC) != 0 || pipe2(fromChild, O_CLOEXEC) != 0) {
        m_reason = "cannot create pipes";
        return;
    }
    m_pid = fork();
    if (m_pid == 0) {
        dup2(toChild[0], STDIN_FILENO);
        dup2(fromChild[1], STDOUT_FILENO);
        close(toChild[0]);
        close(toChild[1]);
        close(fromChild[0]);
        close(fromChild[1]);
        execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
        _exit(127);
    }
    close(toChild[0]);
    close(fromChild[1]);
    m_to = fdopen(toChild[1], "w");
    m_from = fdopen(fromChild[0], "r");
    if (m_pid < 0 || !m_to || !m_from) {
        m_reason = "cannot start: " + command;
        return;
    }
    const auto first = readLine();
    auto f = fields(first.value_or(""));
    if (f.count("peer"))
        m_label = f["peer"];
    if (!first || f["status"] != "ready")
        m_reason = f.count("reason") ? f["reason"] : "did not start: " + command;
}

PeerProcess::~PeerProcess()
{
    if (m_to)
        std::fclose(m_to); // end of requests: the child exits
    if (m_from)
        std::fclose(m_from);
    if (m_pid > 0)
        waitpid(m_pid, nullptr, 0);
}

std::optional<std::string> PeerProcess::readLine()
{
    std::string line;
    for (int c = std::fgetc(m_from); c != EOF; c = std::fgetc(m_from)) {
        if (c == '\n')
            return line;
        line += char(c);
    }
    return line.empty() ? std::nullopt : std::optional(line);
}

std::optional<double> PeerProcess::measure(const GridPoint& point)
{
    if (!available())
        return std::nullopt;
    std::fprintf(m_to, "%d %d %d\n", point.n, point.dModel, point.heads);
    std::fflush(m_to);
    const auto line = readLine();
    auto f = fields(line.value_or(""));
    try {
        if (line && std::stoi(f.at("n")) == point.n && std::stoi(f.at("d_model")) == point.dModel)
            return std::stod(f.at("ms"));
    } catch (const std::exception&) {
    }
    m_reason = line ? "unexpected answer \"" + *line + "\"" : "the process ended";
    return std::nullopt;
}

} // namespace bench
