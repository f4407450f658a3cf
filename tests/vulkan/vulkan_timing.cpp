// Times one forward pass per backend for a given shape (not a test; for reports):
//   vulkan_timing n d_model heads d_k [causal] [repeats]
// Prints wall-clock ms (median of the repeats after one warm-up) and the Vulkan gpuMs.
// Two traces take turns, as in a live session (one shown, one computed), so every run
// after the first two writes into recycled storage.
#include "trace_compare.h"

#include <attn/backend_choice.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

int main(int argc, char** argv)
{
    if (argc < 5) {
        std::fprintf(stderr, "usage: %s n d_model heads d_k [causal 0|1] [repeats]\n", argv[0]);
        return 2;
    }
    const int n = std::atoi(argv[1]), dModel = std::atoi(argv[2]), heads = std::atoi(argv[3]), dK = std::atoi(argv[4]);
    const bool causal = argc > 5 && std::atoi(argv[5]) != 0;
    const int repeats = argc > 6 ? std::max(1, std::atoi(argv[6])) : 3;
    const attn::LayerWeights weights = vulkantest::randomLayer(heads, dModel, dK, dK, true, 1);
    const attn::Tensor x = vulkantest::randomInputs(std::size_t(n), dModel, 2);
    const attn::AttentionProblem problem{x, x, weights, causal, 1.0f / float(std::sqrt(double(dK)))};

    for (attn::BackendKind kind : {attn::BackendKind::Blas, attn::BackendKind::Vulkan}) {
        try {
            auto backend = attn::makeBackend(kind);
            std::vector<double> wall, gpu;
            std::array<attn::Trace, 2> traces;
            for (int r = 0; r <= repeats + 1; ++r) {
                attn::Trace& trace = traces[std::size_t(r) % 2];
                const auto start = std::chrono::steady_clock::now();
                backend->forward(problem, trace);
                const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
                if (r > 1) { // the first two allocate buffers and storage
                    wall.push_back(ms);
                    gpu.push_back(trace.gpuMs);
                }
            }
            std::sort(wall.begin(), wall.end());
            std::sort(gpu.begin(), gpu.end());
            std::printf("%-7s n=%d d_model=%d h=%d d_k=%d causal=%d: wall %.1f ms (median of %d), gpu %.1f ms\n",
                        backend->name().c_str(), n, dModel, heads, dK, int(causal), wall[wall.size() / 2], repeats,
                        gpu[gpu.size() / 2]);
        } catch (const attn::BackendFailure& failure) {
            std::printf("%s unavailable: %s\n", attn::toString(kind).c_str(), failure.what());
        }
    }
    return 0;
}
