// Times a GPT-2-small-shaped model (12 layers, 12 heads, d_model 768, random weights, small
// byte-level vocabulary) on the BLAS backend: the full forward at n = 64, 256, 1024 with its
// GFLOP/s next to cblas_sgemm's at 1024³, measured just before each size (a shared machine's
// load changes within a run), and one word appended to
// a 256-token input through the incremental ModelSession, and the time to open a GPT-2-small
// checkpoint folder (F32, vocabulary 50257, about 500 MB; written once to
// $TMPDIR/attn-bench-gpt2-small and kept, so that later runs open it from the page cache).
//
//   bench_model [--quick]     (--quick: one repetition each, for a smoke run)
#include "attn/model/bpe_tokenizer.h"
#include "attn/model/model.h"
#include "attn/model/model_session.h"

#include <cblas.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

using namespace attn;

namespace {

using Clock = std::chrono::steady_clock;

double msSince(Clock::time_point start)
{
    return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

Tensor randomTensor(std::vector<std::size_t> shape, float scale, std::mt19937& rng)
{
    Tensor t(std::move(shape));
    std::uniform_real_distribution<float> uniform(-scale, scale);
    for (float& v : t.data)
        v = uniform(rng);
    return t;
}

Tensor filled(std::size_t n, float value)
{
    Tensor t({n});
    std::fill(t.data.begin(), t.data.end(), value);
    return t;
}

// The byte-level vocabulary without merges: every byte of the text is one token. The byte
// symbols are GPT-2's bytes_to_unicode spelling (printable bytes as themselves, the others
// from U+0100 up).
std::unordered_map<std::string, int> byteVocabulary()
{
    std::unordered_map<std::string, int> vocab;
    int next = 0;
    for (int b = 0; b < 256; ++b) {
        const bool printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
        const char32_t cp = printable ? char32_t(b) : char32_t(256 + next++);
        std::string symbol;
        if (cp < 0x80) {
            symbol += char(cp);
        } else {
            symbol += char(0xC0 | (cp >> 6));
            symbol += char(0x80 | (cp & 0x3F));
        }
        vocab.emplace(symbol, b);
    }
    return vocab;
}

std::shared_ptr<const Model> gpt2Small()
{
    ModelConfig c;
    c.architecture = Architecture::Gpt2;
    c.modelType = "gpt2";
    c.layers = 12;
    c.heads = 12;
    c.d_model = 768;
    c.d_ff = 3072;
    c.maxPositions = 1024;
    c.vocabSize = 512;
    c.layerNormEps = 1e-5f;
    c.activation = Activation::GeluTanh;

    std::mt19937 rng(7);
    const auto d = std::size_t(c.d_model), ff = std::size_t(c.d_ff);
    const float s = 1.0f / std::sqrt(float(d));
    ModelWeights w;
    w.tokenEmbedding = randomTensor({std::size_t(c.vocabSize), d}, 0.1f, rng);
    w.positionEmbedding = randomTensor({std::size_t(c.maxPositions), d}, 0.02f, rng);
    w.finalNormWeight = filled(d, 1.0f);
    w.finalNormBias = filled(d, 0.0f);
    for (int l = 0; l < c.layers; ++l) {
        TransformerBlock b;
        b.attention.heads = c.heads;
        b.attention.d_model = c.d_model;
        b.attention.d_k = b.attention.d_v = c.d_k();
        b.attention.w_q = randomTensor({d, d}, s, rng);
        b.attention.w_k = randomTensor({d, d}, s, rng);
        b.attention.w_v = randomTensor({d, d}, s, rng);
        b.attention.w_o = randomTensor({d, d}, s, rng);
        b.attention.b_q = b.attention.b_k = b.attention.b_v = b.attention.b_o = filled(d, 0.01f);
        b.norm1Weight = b.norm2Weight = filled(d, 1.0f);
        b.norm1Bias = b.norm2Bias = filled(d, 0.0f);
        b.ffnInWeight = randomTensor({ff, d}, s, rng);
        b.ffnInBias = filled(ff, 0.01f);
        b.ffnOutWeight = randomTensor({d, ff}, 1.0f / std::sqrt(float(ff)), rng);
        b.ffnOutBias = filled(d, 0.01f);
        w.blocks.push_back(std::move(b));
    }
    auto tokenizer =
        std::make_shared<BpeTokenizer>(byteVocabulary(), std::vector<std::pair<std::string, std::string>>{});
    return std::make_shared<Model>(c, std::move(w), tokenizer, "gpt2-small-random");
}

// A GPT-2-small checkpoint folder as Hugging Face writes it (Conv1D weights [in x out], F32),
// random values, the byte vocabulary. Written only when the folder is not complete yet.
std::filesystem::path gpt2SmallFolder()
{
    namespace fs = std::filesystem;
    const fs::path folder = fs::temp_directory_path() / "attn-bench-gpt2-small";
    if (fs::exists(folder / "merges.txt")) // written last
        return folder;
    fs::create_directories(folder);
    const std::size_t d = 768, ff = 3072, vocab = 50257, positions = 1024, layers = 12;
    std::vector<std::pair<std::string, std::vector<std::size_t>>> tensors{{"wte.weight", {vocab, d}},
                                                                          {"wpe.weight", {positions, d}}};
    for (std::size_t l = 0; l < layers; ++l) {
        const std::string p = "h." + std::to_string(l) + ".";
        for (const char* norm : {"ln_1", "ln_2"}) {
            tensors.push_back({p + norm + ".weight", {d}});
            tensors.push_back({p + norm + ".bias", {d}});
        }
        tensors.push_back({p + "attn.c_attn.weight", {d, 3 * d}});
        tensors.push_back({p + "attn.c_attn.bias", {3 * d}});
        tensors.push_back({p + "attn.c_proj.weight", {d, d}});
        tensors.push_back({p + "attn.c_proj.bias", {d}});
        tensors.push_back({p + "mlp.c_fc.weight", {d, ff}});
        tensors.push_back({p + "mlp.c_fc.bias", {ff}});
        tensors.push_back({p + "mlp.c_proj.weight", {ff, d}});
        tensors.push_back({p + "mlp.c_proj.bias", {d}});
    }
    tensors.push_back({"ln_f.weight", {d}});
    tensors.push_back({"ln_f.bias", {d}});

    std::string header = "{";
    std::size_t offset = 0;
    for (const auto& [name, shape] : tensors) {
        const std::size_t bytes = Tensor::count(shape) * sizeof(float);
        header += (header.size() > 1 ? ",\"" : "\"") + name + "\":{\"dtype\":\"F32\",\"shape\":[";
        // Appended piece by piece: GCC 12 warns falsely (-Wrestrict) on "," + std::to_string(...).
        for (std::size_t i = 0; i < shape.size(); ++i) {
            header += i ? "," : "";
            header += std::to_string(shape[i]);
        }
        header += "],\"data_offsets\":[";
        header += std::to_string(offset);
        header += ',';
        header += std::to_string(offset + bytes);
        header += "]}";
        offset += bytes;
    }
    header += "}";
    std::ofstream out(folder / "model.safetensors", std::ios::binary);
    const std::uint64_t headerLength = header.size();
    out.write(reinterpret_cast<const char*>(&headerLength), sizeof headerLength);
    out << header;
    std::mt19937 rng(11);
    for (const auto& [name, shape] : tensors) {
        const Tensor t = randomTensor(shape, 0.02f, rng);
        out.write(reinterpret_cast<const char*>(t.ptr()), std::streamsize(t.size() * sizeof(float)));
    }
    out.close();

    std::ofstream(folder / "config.json") << "{\"model_type\": \"gpt2\", \"n_embd\": 768, \"n_layer\": 12, "
                                              "\"n_head\": 12, \"n_positions\": 1024, \"vocab_size\": 50257}\n";
    std::string vocabJson = "{";
    for (const auto& [symbol, id] : byteVocabulary()) {
        vocabJson += vocabJson.size() > 1 ? ", \"" : "\"";
        for (char c : symbol) {
            if (c == '"' || c == '\\')
                vocabJson += '\\';
            vocabJson += c;
        }
        vocabJson += "\": ";
        vocabJson += std::to_string(id);
    }
    std::ofstream(folder / "vocab.json") << vocabJson << "}\n";
    std::ofstream(folder / "merges.txt") << "#version: 0.2\n";
    return folder;
}

double sgemmGflops(int repetitions)
{
    const int n = 1024;
    std::vector<float> a(std::size_t(n) * n, 0.5f), b(std::size_t(n) * n, 0.25f), c(std::size_t(n) * n);
    double best = 1e30;
    for (int r = 0; r < repetitions + 1; ++r) { // the first call warms the thread pool
        const auto start = Clock::now();
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0f, a.data(), n, b.data(), n, 0.0f, c.data(), n);
        const double ms = msSince(start);
        if (r > 0)
            best = std::min(best, ms);
    }
    return 2.0 * n * n * double(n) / (best * 1e6);
}

// Writing 512 MB of new tensor storage, twice: on a virtual machine the host may back a
// guest page only when it is first written (and take it back a while after it is freed),
// which then, and not the arithmetic, decides a first pass. The second block finds the
// pages the first one freed; it stays in `held`, so that the passes timed after it do not.
std::pair<double, double> freshMemoryMs(Tensor& held)
{
    const std::vector<std::size_t> shape{std::size_t(128) << 20};
    auto start = Clock::now();
    {
        Tensor first(shape);
        std::fill(first.data.begin(), first.data.end(), 1.0f);
    }
    const double firstMs = msSince(start);
    start = Clock::now();
    held = Tensor(shape);
    std::fill(held.data.begin(), held.data.end(), 1.0f);
    return {firstMs, msSince(start)};
}

// Multiply-adds of the full forward: per layer QKV and output projections, MLP, QKᵀ and
// weights·V (the backends compute the whole n x n square, masked or not).
double forwardFlops(double n, double d, double layers)
{
    return layers * (2.0 * n * d * d * 4 + 2.0 * n * d * 4 * d * 2 + 2.0 * n * n * d * 2);
}

std::string textOfBytes(std::size_t n)
{
    static const char* words[] = {"the ", "cat ", "sat ", "on ", "a ", "mat ", "and ", "dog "};
    std::string text;
    for (std::size_t i = 0; text.size() < n; ++i)
        text += words[i % 8];
    text.resize(n);
    return text;
}

} // namespace

int main(int argc, char** argv)
{
    const bool quick = argc > 1 && std::strcmp(argv[1], "--quick") == 0;
    const int repetitions = quick ? 1 : 3;
    // Opening: the first time after the folder was written or the machine started reads
    // the file from disk; the later opens find it in the page cache.
    const std::string folder = gpt2SmallFolder().string();
    std::vector<double> openMs;
    for (int r = 0; r < repetitions + 1; ++r) {
        const auto start = Clock::now();
        const auto opened = Model::load(folder);
        openMs.push_back(msSince(start));
        if (r == 0)
            std::printf("open %s (%s): first %.1f ms", folder.c_str(), opened->description().c_str(), openMs[0]);
    }
    std::printf(", then best %.1f ms\n", *std::min_element(openMs.begin() + 1, openMs.end()));

    const auto model = gpt2Small();
    std::printf("model: %s\n", model->description().c_str());
    std::printf("cblas_sgemm 1024^3: %.1f GFLOP/s\n", sgemmGflops(repetitions));
    Tensor held;
    const auto [firstTouchMs, againMs] = freshMemoryMs(held);
    std::printf("512 MB of new tensor storage written: %.1f ms, then again (the same pages) %.1f ms\n\n", firstTouchMs,
                againMs);

    ModelRunOptions options;
    options.backend = BackendKind::Blas;
    options.keepScores = false; // the raw scores of n = 1024 alone would be 600 MB
    // One session per size, as the window keeps one: the first pass fills its storage
    // (page faults), the later ones (after reset(), so every row is computed) reuse it.
    std::printf("%6s %12s %12s %10s %12s %12s %14s\n", "n", "first ms", "forward ms", "GFLOP/s", "sgemm GF/s",
                "% of sgemm", "attention ms");
    for (std::size_t n : {64u, 256u, 1024u}) {
        double first = 0.0, best = 1e30, attention = 0.0, sgemm = 0.0;
        ModelSession session(model, options);
        for (int r = 0; r < repetitions + 1; ++r) {
            session.reset();
            const auto start = Clock::now();
            const auto trace = session.update(textOfBytes(n));
            const double ms = msSince(start);
            if (r > 0) // best of each, taken in turns, so that both see the same load
                sgemm = std::max(sgemm, sgemmGflops(1));
            if (r == 0) {
                first = ms;
            } else if (ms < best) {
                best = ms;
                attention = 0.0;
                for (const Trace& layer : trace->layers)
                    attention += layer.wallMs; // the backend's part: projections, softmax, W_O
            }
            if (trace->tokenCount() != n)
                std::printf("(n came out as %zu)\n", trace->tokenCount());
        }
        const double gflops = forwardFlops(double(n), 768, 12) / (best * 1e6);
        std::printf("%6zu %12.1f %12.1f %10.1f %12.1f %11.0f%% %14.1f\n", n, first, best, gflops, sgemm,
                    100.0 * gflops / sgemm, attention);
    }

    // One word appended to 256 tokens: only the new rows are computed. Measured with and
    // without the raw scores kept (they double the per-layer n x n copies), and beside it the
    // attention rollout, which the window computes from every new trace before it paints
    // (keeping the rows of the unchanged tokens from the rollout before the edit).
    const std::string base = textOfBytes(256);
    for (bool keepScores : {true, false}) {
        options.keepScores = keepScores;
        ModelSession session(model, options);
        std::vector<double> appendMs, fullMs, rolloutMs;
        std::size_t recomputed = 0, total = 0;
        for (int r = 0; r < (quick ? 1 : 10); ++r) {
            session.reset();
            auto start = Clock::now();
            const auto baseTrace = session.update(base);
            fullMs.push_back(msSince(start));
            const Tensor before = attentionRollout(*baseTrace);
            start = Clock::now();
            const auto trace = session.update(base + " word");
            appendMs.push_back(msSince(start));
            start = Clock::now();
            attentionRollout(*trace, before, trace->firstComputedRow);
            rolloutMs.push_back(msSince(start));
            recomputed = trace->tokenCount() - trace->firstComputedRow;
            total = trace->tokenCount();
        }
        std::sort(appendMs.begin(), appendMs.end());
        std::sort(fullMs.begin(), fullMs.end());
        std::sort(rolloutMs.begin(), rolloutMs.end());
        std::printf("\nappend \" word\" to 256 tokens (%zu of %zu rows recomputed), scores %s:\n"
                    "  append median %.1f ms, best %.1f ms; then rollout (new rows) median %.1f ms; "
                    "full forward of 256 tokens median %.1f ms\n",
                    recomputed, total, keepScores ? "kept" : "dropped", appendMs[appendMs.size() / 2], appendMs.front(),
                    rolloutMs[rolloutMs.size() / 2], fullMs[fullMs.size() / 2]);
    }
    return 0;
}
