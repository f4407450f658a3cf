// attn_benchmark: times Backend::forward (the whole trace: Q, K, V, scores, weights,
// heads, output) over a grid of sizes, beside the machine's sgemm throughput and the
// timings of peers (PyTorch, numpy), which run as child processes (peers.py --serve) and
// are measured point by point right after our backends.
// Not a test: run_benchmark.sh runs it with the peers and the same threads for everyone.
#include "peer_process.h"
#include "table.h"
#include "timing.h"

#include "attn/backend.h"
#include "attn/backend_choice.h"
#include "attn/config.h"
#include "attn/weights.h"

#include <cblas.h>

#include <array>
#include <chrono>
#include <cmath>
#include <limits>
#include <csignal>
#include <map>
#include <optional>
#include <thread>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <memory>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

struct Layer {
    int dModel = 0;
    int heads = 0;
};

struct Options {
    std::vector<int> sizes{8, 32, 128, 512, 2048};
    std::vector<Layer> layers{{64, 4}, {256, 8}, {768, 12}};
    std::vector<std::string> backends{"reference", "blas"};
    std::vector<std::string> peerCommands;
    int pauseMs = 200;
    int gpuWarmUpMs = 500;
    int rounds = 2;
    double referenceMaxGflop = 1e9;
    bench::TimingBudget budget;
};

const char* usage = R"(usage: attn_benchmark [options]
  --n LIST                  sequence lengths, e.g. 8,32,128,512,2048
  --layers LIST             d_model x heads, e.g. 64x4,256x8,768x12 (d_k = d_v = d_model/heads)
  --backends LIST           any of reference,blas,vulkan (default: reference,blas); vulkan
                            adds its GPU time (timestamp queries) and BLAS time / Vulkan time
  --peer COMMAND            a shell command starting a peer, e.g. "peers.py --serve --peer numpy"
                            (may be repeated; see peers.py)
  --pause-ms MS             idle time before each measurement, so that one program's
                            spinning threads have gone to sleep before the next starts (200)
  --gpu-warm-up-ms MS       untimed passes on the vulkan backend for this long before each
                            of its measurements: a GPU left idle while BLAS was timed has
                            lowered its clocks, and raises them only under sustained work (500)
  --reference-max-gflop G   skip the reference backend where a pass costs more than G GFLOP
  --min-time SECONDS        measure each case for at least this long (default 0.3)
  --rounds R                measure every implementation R times per grid point, one after
                            the other, and keep its best median: a burst of load from other
                            programs then rarely decides a row (default 2; the reference: 1)
Threads: OpenBLAS's own (OPENBLAS_NUM_THREADS); run_benchmark.sh sets 2 for everyone.
)";

std::vector<std::string> split(const std::string& text, char separator)
{
    std::vector<std::string> parts;
    std::stringstream stream(text);
    std::string part;
    while (std::getline(stream, part, separator))
        if (!part.empty())
            parts.push_back(part);
    return parts;
}

int wholeNumber(const std::string& text, const std::string& what, int least)
{
    std::size_t used = 0;
    int value = 0;
    try {
        value = std::stoi(text, &used);
    } catch (const std::exception&) {
        used = 0;
    }
    if (used != text.size() || value < least)
        throw std::runtime_error(what + " \"" + text + "\" is not a " + (least > 0 ? "positive" : "non-negative")
                                 + " whole number.");
    return value;
}

int positive(const std::string& text, const std::string& what)
{
    return wholeNumber(text, what, 1);
}

Options parse(int argc, char** argv)
{
    Options options;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        const auto value = [&]() -> std::string {
            if (i + 1 >= argc)
                throw std::runtime_error(arg + " needs a value; see --help.");
            return argv[++i];
        };
        if (arg == "--help" || arg == "-h") {
            std::cout << usage;
            std::exit(0);
        } else if (arg == "--n") {
            options.sizes.clear();
            for (const auto& part : split(value(), ','))
                options.sizes.push_back(positive(part, "n"));
        } else if (arg == "--layers") {
            options.layers.clear();
            for (const auto& part : split(value(), ',')) {
                const auto pair = split(part, 'x');
                if (pair.size() != 2)
                    throw std::runtime_error("layer \"" + part + "\" should read D_MODELxHEADS, e.g. 768x12.");
                const Layer layer{positive(pair[0], "d_model"), positive(pair[1], "heads")};
                if (layer.dModel % layer.heads)
                    throw std::runtime_error("layer \"" + part + "\": d_model must be a multiple of heads.");
                options.layers.push_back(layer);
            }
        } else if (arg == "--backends") {
            options.backends = split(value(), ',');
            for (const auto& name : options.backends)
                if (name != "reference" && name != "blas" && name != "vulkan")
                    throw std::runtime_error("backend \"" + name + "\" is unknown; use reference, blas and/or vulkan.");
        } else if (arg == "--peer") {
            options.peerCommands.push_back(value());
        } else if (arg == "--rounds") {
            options.rounds = positive(value(), "--rounds");
        } else if (arg == "--pause-ms") {
            options.pauseMs = positive(value(), "--pause-ms");
        } else if (arg == "--gpu-warm-up-ms") {
            options.gpuWarmUpMs = wholeNumber(value(), "--gpu-warm-up-ms", 0);
        } else if (arg == "--reference-max-gflop") {
            options.referenceMaxGflop = std::stod(value());
        } else if (arg == "--min-time") {
            options.budget.minSeconds = std::stod(value());
        } else {
            throw std::runtime_error("unknown option " + arg + "; see --help.");
        }
    }
    return options;
}

// The FLOPs of one forward pass, as the issue counts them.
double forwardFlops(double n, double dModel, double heads, double dk, double dv)
{
    return 2 * n * dModel * (2 * heads * dk + heads * dv) + 2 * heads * n * n * (dk + dv) + 2 * n * heads * dv * dModel;
}

// cblas_sgemm at 1024³ with OpenBLAS's threads: the ceiling every figure is read against.
double sgemmGflops(const bench::TimingBudget& budget)
{
    const int size = 1024;
    std::vector<float> a(std::size_t(size) * size, 0.5f), b(a.size(), 0.25f), c(a.size());
    const bench::Timing timing = bench::timeMedian(budget, [] { return 0; }, [&](int) {
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, size, size, size, 1.0f, a.data(), size, b.data(), size,
                    0.0f, c.data(), size);
    });
    return 2.0 * size * size * size / (timing.medianMs * 1e6);
}

std::string cpuName()
{
    std::ifstream cpuinfo("/proc/cpuinfo");
    std::string line;
    while (std::getline(cpuinfo, line))
        if (line.rfind("model name", 0) == 0)
            return line.substr(line.find(':') + 2);
    return "unknown CPU";
}

attn::Tensor randomInputs(std::size_t n, std::size_t dModel, unsigned seed)
{
    std::mt19937 generator(seed);
    std::normal_distribution<float> normal(0.0f, 1.0f);
    attn::Tensor x({n, dModel});
    for (float& value : x.data)
        value = normal(generator);
    return x;
}

struct BackendTiming {
    double wallMs = 0.0;
    double gpuMs = -1.0; // median of the device times, where the backend measures them
};

// Fresh: a new trace each run, as for the first computation at a size. Recycled: two
// traces taking turns, as attn::Engine lends a released trace's storage to the next run
// in a live session (one trace shown, one computed).
enum class Storage { Fresh, Recycled };

BackendTiming timeBackend(attn::Backend& backend, const attn::AttentionProblem& problem,
                          const bench::TimingBudget& budget, Storage storage)
{
    std::vector<double> gpuMs;
    std::array<attn::Trace, 2> turns;
    std::size_t runs = 0;
    attn::Trace fresh;
    const bench::Timing wall = bench::timeMedian(
        budget,
        [&]() -> attn::Trace* {
            if (storage == Storage::Recycled)
                return &turns[runs++ % turns.size()];
            fresh = attn::Trace(); // the last run's storage is freed untimed
            return &fresh;
        },
        [&](attn::Trace* trace) {
            backend.forward(problem, *trace);
            if (trace->gpuMs >= 0.0)
                gpuMs.push_back(trace->gpuMs);
        });
    BackendTiming timing{wall.medianMs};
    if (!gpuMs.empty()) {
        std::nth_element(gpuMs.begin(), gpuMs.begin() + gpuMs.size() / 2, gpuMs.end());
        timing.gpuMs = gpuMs[gpuMs.size() / 2];
    }
    return timing;
}

// Passes for `ms` milliseconds, untimed, into a trace of their own.
void warmUp(attn::Backend& backend, const attn::AttentionProblem& problem, int ms)
{
    attn::Trace trace;
    const auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
    do
        backend.forward(problem, trace);
    while (std::chrono::steady_clock::now() < end);
}

// The backends asked for that can run here; one that cannot (no Vulkan device) is named
// with its reason and left out of the table.
std::map<std::string, std::unique_ptr<attn::Backend>> makeBackends(std::vector<std::string>& names)
{
    std::map<std::string, std::unique_ptr<attn::Backend>> backends;
    for (auto name = names.begin(); name != names.end();) {
        try {
            backends[*name] = attn::makeBackend(attn::backendKindFromString(*name));
            ++name;
        } catch (const attn::BackendFailure& failure) {
            std::cout << "backend " << *name << " cannot run: " << failure.what() << '\n';
            name = names.erase(name);
        }
    }
    return backends;
}

void pause(const Options& options)
{
    std::this_thread::sleep_for(std::chrono::milliseconds(options.pauseMs));
}

int run(Options options)
{
    // Started before OpenBLAS's threads exist; each waits for its first request.
    std::vector<std::unique_ptr<bench::PeerProcess>> peers;
    for (const auto& command : options.peerCommands)
        peers.push_back(std::make_unique<bench::PeerProcess>(command));

    // Measured again after the grid; the better figure is the ceiling (see --rounds).
    double sgemm = sgemmGflops(options.budget);
    std::cout << "CPU: " << cpuName() << "\nOpenBLAS: " << openblas_get_config() << ", "
              << openblas_get_num_threads() << " threads\n";
    // A VM's environment may name older kernels than the CPU runs (see the README).
    if (const char* kernels = std::getenv("OPENBLAS_CORETYPE"))
        std::cout << "OpenBLAS runs the " << kernels << " kernels that OPENBLAS_CORETYPE names, here and in the peers; "
                  << "unset it to let OpenBLAS choose for this CPU\n";
    std::printf("cblas_sgemm 1024^3: %.1f GFLOP/s before the grid\n", sgemm);
    std::cout << "environment:";
    for (const char* name : {"OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "OPENBLAS_CORETYPE", "GLIBC_TUNABLES"})
        if (const char* value = std::getenv(name))
            std::cout << ' ' << name << '=' << value;
    std::cout << '\n';
    for (const auto& peer : peers)
        if (!peer->available())
            std::cout << "peer " << peer->label() << " cannot run: " << peer->unavailableReason() << '\n';
    if (peers.empty())
        std::cout << "no peers (--peer); run_benchmark.sh measures PyTorch and numpy too\n";
    std::cout << "times: ms of one forward pass, median of runs, best of " << options.rounds
              << " rounds (the reference: 1). Ours: \"ms\" into recycled storage, as the engine runs a live\n"
                 "session; \"fresh ms\" into new storage, as a first run at a size. Peers allocate their results.\n\n";

    const auto backends = makeBackends(options.backends);

    bench::Table table;
    std::vector<double> rowGflops; // BLAS GFLOP/s of each row, NaN where BLAS did not run
    for (const Layer& layer : options.layers) {
        attn::Config config;
        config.d_model = layer.dModel;
        config.heads = layer.heads;
        config.d_k = layer.dModel / layer.heads;
        config.bias = true; // as PyTorch's nn.MultiheadAttention has by default
        const attn::LayerWeights weights = attn::LayerWeights::seeded(config);
        for (const int n : options.sizes) {
            const attn::Tensor x = randomInputs(std::size_t(n), std::size_t(layer.dModel), unsigned(n));
            const attn::AttentionProblem problem{x, x, weights, false, config.scoreScale()};
            const double flops = forwardFlops(n, layer.dModel, layer.heads, config.d_k, config.d_k);

            table.addRow();
            table.set("n", std::to_string(n));
            table.set("d_model", std::to_string(layer.dModel));
            table.set("h", std::to_string(layer.heads));
            // Each implementation's best median over the rounds.
            std::map<std::string, double> bestMs;
            std::map<std::string, double> gpuMsOfBest;
            const auto keep = [&](const std::string& name, double ms) {
                const auto found = bestMs.find(name);
                if (found == bestMs.end() || ms < found->second)
                    bestMs[name] = ms;
            };
            for (int round = 0; round < options.rounds; ++round) {
                for (const auto& name : options.backends) {
                    if (name == "reference" && (round > 0 || flops > options.referenceMaxGflop * 1e9))
                        continue; // the oracle is too slow to repeat, and it is not what we compare
                    // After the pause: what a GPU's clock does when idle is what the warm-up undoes.
                    const auto settle = [&] {
                        pause(options);
                        if (name == "vulkan" && options.gpuWarmUpMs > 0)
                            warmUp(*backends.at(name), problem, options.gpuWarmUpMs);
                    };
                    settle();
                    // The reference makes its own tensors: recycling means nothing to it.
                    const BackendTiming timing = timeBackend(*backends.at(name), problem, options.budget, Storage::Recycled);
                    if (!bestMs.count(name) || timing.wallMs < bestMs[name])
                        gpuMsOfBest[name] = timing.gpuMs;
                    keep(name, timing.wallMs);
                    if (name != "reference") {
                        settle();
                        keep(name + " fresh", timeBackend(*backends.at(name), problem, options.budget, Storage::Fresh).wallMs);
                    }
                }
                for (const auto& peer : peers) {
                    if (!peer->available())
                        continue;
                    pause(options);
                    if (const auto ms = peer->measure({n, layer.dModel, layer.heads}))
                        keep(peer->label(), *ms);
                }
            }

            std::optional<double> blasMs;
            rowGflops.push_back(std::numeric_limits<double>::quiet_NaN());
            for (const auto& name : options.backends) {
                if (!bestMs.count(name)) {
                    table.set(name + " ms", "skipped");
                    continue;
                }
                table.set(name + " ms", bestMs[name], 3);
                if (bestMs.count(name + " fresh"))
                    table.set(name + " fresh ms", bestMs[name + " fresh"], 3);
                if (name == "blas") {
                    blasMs = bestMs[name];
                    table.set("GFLOP/s", flops / (*blasMs * 1e6), 1);
                    rowGflops.back() = flops / (*blasMs * 1e6);
                    table.set("% sgemm", "?"); // known once the sgemm figure after the grid is
                }
                if (name == "vulkan" && gpuMsOfBest[name] >= 0.0)
                    table.set("vulkan gpu ms", gpuMsOfBest[name], 3);
            }
            if (blasMs && bestMs.count("vulkan"))
                table.set("blas/vulkan", *blasMs / bestMs["vulkan"], 2);
            std::optional<double> best;
            std::string bestName;
            for (const auto& peer : peers) {
                if (!bestMs.count(peer->label()))
                    continue;
                const double ms = bestMs[peer->label()];
                table.set(peer->label() + " ms", ms, 3);
                if (!best || ms < *best) {
                    best = ms;
                    bestName = peer->label();
                }
            }
            if (best) {
                table.set("best peer", bestName);
                if (blasMs) {
                    table.set("best/blas", *best / *blasMs, 2);
                    table.set("best/blas fresh", *best / bestMs["blas fresh"], 2);
                }
            }
            std::cerr << "measured n=" << n << " d_model=" << layer.dModel << " h=" << layer.heads << '\n';
        }
    }
    const double sgemmAfter = sgemmGflops(options.budget);
    std::printf("cblas_sgemm 1024^3: %.1f GFLOP/s after the grid; %% sgemm below is of %.1f\n\n", sgemmAfter,
                std::max(sgemm, sgemmAfter));
    sgemm = std::max(sgemm, sgemmAfter);
    for (std::size_t row = 0; row < rowGflops.size(); ++row)
        if (!std::isnan(rowGflops[row]))
            table.set(row, "% sgemm", 100.0 * rowGflops[row] / sgemm, 0);
    table.print(std::cout);
    for (const auto& peer : peers)
        if (!peer->available())
            std::cout << "peer " << peer->label() << ": " << peer->unavailableReason() << '\n';
    return 0;
}

} // namespace

int main(int argc, char** argv)
{
    std::signal(SIGPIPE, SIG_IGN); // a peer that dies shows as unavailable, not as our death
    try {
        return run(parse(argc, argv));
    } catch (const std::exception& error) {
        std::cerr << "attn_benchmark: " << error.what() << '\n';
        return 1;
    }
}
