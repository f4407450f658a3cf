// attn_benchmark: times Backend::forward (the whole trace: Q, K, V, scores, weights,
// heads, output) over a grid of sizes, beside the machine's sgemm throughput and the
// timings of peers (PyTorch, numpy) measured by peers.py in the same run.
// Not a test: run it through run_benchmark.sh, which also runs the peers.
#include "peers.h"
#include "table.h"
#include "timing.h"

#include "attn/backend.h"
#include "attn/config.h"
#include "attn/weights.h"

#include <cblas.h>

#include <cstdio>
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
    std::vector<std::string> peerFiles;
    double referenceMaxGflop = 1e9;
    bench::TimingBudget budget;
};

const char* usage = R"(usage: attn_benchmark [options]
  --n LIST                  sequence lengths, e.g. 8,32,128,512,2048
  --layers LIST             d_model x heads, e.g. 64x4,256x8,768x12 (d_k = d_v = d_model/heads)
  --backends LIST           any of reference,blas (default: both)
  --peers FILE              peer timings printed by peers.py (may be repeated)
  --reference-max-gflop G   skip the reference backend where a pass costs more than G GFLOP
  --min-time SECONDS        measure each case for at least this long (default 0.3)
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

int positive(const std::string& text, const std::string& what)
{
    std::size_t used = 0;
    int value = 0;
    try {
        value = std::stoi(text, &used);
    } catch (const std::exception&) {
        used = 0;
    }
    if (used != text.size() || value < 1)
        throw std::runtime_error(what + " \"" + text + "\" is not a positive whole number.");
    return value;
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
                if (name != "reference" && name != "blas")
                    throw std::runtime_error("backend \"" + name + "\" is unknown; use reference and/or blas.");
        } else if (arg == "--peers") {
            options.peerFiles.push_back(value());
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

bench::Timing timeBackend(attn::Backend& backend, const attn::AttentionProblem& problem,
                          const bench::TimingBudget& budget)
{
    // A fresh trace per run, as attn::Engine gives the backend; it is freed untimed.
    return bench::timeMedian(budget, [] { return std::make_unique<attn::Trace>(); },
                             [&](std::unique_ptr<attn::Trace>& trace) { backend.forward(problem, *trace); });
}

int run(const Options& options)
{
    bench::PeerTimes peers;
    for (const auto& file : options.peerFiles) {
        std::ifstream in(file);
        if (!in)
            throw std::runtime_error("cannot open the peer timings " + file + ".");
        peers.read(in);
    }

    const double sgemm = sgemmGflops(options.budget);
    std::cout << "CPU: " << cpuName() << "\nOpenBLAS: " << openblas_get_config() << ", "
              << openblas_get_num_threads() << " threads\n";
    std::printf("cblas_sgemm 1024^3: %.1f GFLOP/s\n", sgemm);
    for (const auto& [peer, reason] : peers.unavailable())
        std::cout << "peer " << peer << " did not run: " << reason << '\n';
    if (options.peerFiles.empty())
        std::cout << "no peer timings given (--peers); run run_benchmark.sh to measure PyTorch and numpy too\n";
    std::cout << "times: median ms of Backend::forward on prepared inputs, fresh trace each run\n\n";

    std::map<std::string, std::unique_ptr<attn::Backend>> backends;
    backends["reference"] = attn::makeReferenceBackend();
    backends["blas"] = attn::makeBlasBackend();

    bench::Table table;
    for (const Layer& layer : options.layers) {
        attn::Config config;
        config.d_model = layer.dModel;
        config.heads = layer.heads;
        config.d_k = layer.dModel / layer.heads;
        const attn::LayerWeights weights = attn::LayerWeights::seeded(config);
        for (const int n : options.sizes) {
            const attn::Tensor x = randomInputs(std::size_t(n), std::size_t(layer.dModel), unsigned(n));
            const attn::AttentionProblem problem{x, x, weights, false, config.scoreScale()};
            const double flops = forwardFlops(n, layer.dModel, layer.heads, config.d_k, config.d_k);

            table.addRow();
            table.set("n", std::to_string(n));
            table.set("d_model", std::to_string(layer.dModel));
            table.set("h", std::to_string(layer.heads));
            std::optional<double> blasMs;
            for (const auto& name : options.backends) {
                if (name == "reference" && flops > options.referenceMaxGflop * 1e9) {
                    table.set("reference ms", "skipped");
                    continue;
                }
                const bench::Timing timing = timeBackend(*backends.at(name), problem, options.budget);
                table.set(name + " ms", timing.medianMs, 3);
                if (name == "blas") {
                    blasMs = timing.medianMs;
                    table.set("GFLOP/s", flops / (timing.medianMs * 1e6), 1);
                    table.set("% sgemm", 100.0 * flops / (timing.medianMs * 1e6) / sgemm, 0);
                }
            }
            std::optional<double> best;
            std::string bestName;
            const bench::GridPoint point{n, layer.dModel, layer.heads};
            for (const auto& peer : peers.peers()) {
                const auto ms = peers.ms(peer, point);
                if (!ms)
                    continue;
                table.set(peer + " ms", *ms, 3);
                if (!best || *ms < *best) {
                    best = ms;
                    bestName = peer;
                }
            }
            if (best) {
                table.set("best peer", bestName);
                if (blasMs)
                    table.set("best/blas", *best / *blasMs, 2);
            }
            std::cerr << "measured n=" << n << " d_model=" << layer.dModel << " h=" << layer.heads << '\n';
        }
    }
    table.print(std::cout);
    return 0;
}

} // namespace

int main(int argc, char** argv)
{
    try {
        return run(parse(argc, argv));
    } catch (const std::exception& error) {
        std::cerr << "attn_benchmark: " << error.what() << '\n';
        return 1;
    }
}
