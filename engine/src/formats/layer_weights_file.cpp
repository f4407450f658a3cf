// One attention layer read from .safetensors in nn.Linear layout. Only the layer's own
// tensors are converted, so a large checkpoint that happens to hold them costs little.
#include "attn/error.h"
#include "attn/safetensors.h"

#include "safetensors_file.h"

#include <climits>
#include <numeric>

namespace attn {

namespace {

constexpr const char* kWeightNames[] = {"q_proj.weight", "k_proj.weight", "v_proj.weight", "out_proj.weight"};

std::string heldNames(const formats::SafetensorsFile& file)
{
    constexpr std::size_t kShown = 20; // a GPT-2 checkpoint holds ~150 tensors
    const auto& entries = file.entries();
    if (entries.empty())
        return "no tensors at all";
    std::string text;
    for (std::size_t i = 0; i < entries.size() && i < kShown; ++i)
        text += (i ? ", " : "") + entries[i].name;
    if (entries.size() > kShown)
        text += " and " + std::to_string(entries.size() - kShown) + " more";
    return text;
}

std::string shapeText(const Tensor& t) { return t.shapeText(); }

class LayerReader {
public:
    LayerReader(const std::string& path, int heads) : file_(path), heads_(heads) {}

    LayerWeights read()
    {
        for (const char* name : kWeightNames)
            if (!file_.find(name))
                fail(std::string("has no tensor '") + name + "'; it holds " + heldNames(file_)
                     + ". A layer needs q_proj.weight, k_proj.weight, v_proj.weight and out_proj.weight "
                       "(each with an optional .bias)");

        LayerWeights w;
        w.w_q = matrix("q_proj.weight");
        w.w_k = matrix("k_proj.weight");
        w.w_v = matrix("v_proj.weight");
        w.w_o = matrix("out_proj.weight");

        const std::size_t qkRows = w.w_q.dim(0), dModel = w.w_q.dim(1), vRows = w.w_v.dim(0);
        if (w.w_k.shape != w.w_q.shape)
            fail("tensor 'k_proj.weight' " + shapeText(w.w_k) + " and 'q_proj.weight' " + shapeText(w.w_q)
                 + " disagree; queries and keys need the same shape");
        if (w.w_v.dim(1) != dModel)
            fail("tensor 'v_proj.weight' " + shapeText(w.w_v) + " and 'q_proj.weight' " + shapeText(w.w_q)
                 + " disagree on d_model (their column counts)");
        if (w.w_o.shape != std::vector<std::size_t>{dModel, vRows})
            fail("tensor 'out_proj.weight' " + shapeText(w.w_o) + " should be [d_model x heads*d_v] = ["
                 + std::to_string(dModel) + " x " + std::to_string(vRows) + "] to match 'q_proj.weight' "
                 + shapeText(w.w_q) + " and 'v_proj.weight' " + shapeText(w.w_v));
        requireDivisible("q_proj.weight", qkRows, vRows);
        requireDivisible("v_proj.weight", vRows, qkRows);

        w.b_q = bias("q_proj.bias", qkRows);
        w.b_k = bias("k_proj.bias", qkRows);
        w.b_v = bias("v_proj.bias", vRows);
        w.b_o = bias("out_proj.bias", dModel);

        w.heads = heads_;
        w.d_model = int(dModel);
        w.d_k = int(qkRows / std::size_t(heads_));
        w.d_v = int(vRows / std::size_t(heads_));
        w.checkShapes();
        return w;
    }

private:
    [[noreturn]] void fail(const std::string& problem) const { throw Error(file_.path() + ": " + problem + "."); }

    Tensor matrix(const char* name) const
    {
        Tensor t = file_.toFloat32(*file_.find(name));
        if (t.rank() != 2)
            fail(std::string("tensor '") + name + "' has rank " + std::to_string(t.rank()) + " (shape " + shapeText(t)
                 + ") but a projection weight must be a matrix [out_features x in_features]");
        // Each size must be positive and fit the int sizes of LayerWeights.
        for (std::size_t d : t.shape)
            if (d == 0 || d > std::size_t(INT_MAX))
                fail(std::string("tensor '") + name + "' has shape " + shapeText(t) + "; every size must be positive");
        return t;
    }

    Tensor bias(const char* name, std::size_t length) const
    {
        const formats::SafetensorsEntry* entry = file_.find(name);
        if (!entry)
            return {};
        Tensor t = file_.toFloat32(*entry);
        if (t.shape != std::vector<std::size_t>{length})
            fail(std::string("bias '") + name + "' has shape " + shapeText(t) + " but its weight has "
                 + std::to_string(length) + " rows, so the bias length must be " + std::to_string(length));
        return t;
    }

    // Rows split evenly into heads; otherwise suggest head counts that would work for both
    // the query and the value projections.
    void requireDivisible(const char* name, std::size_t rows, std::size_t otherRows) const
    {
        if (rows % std::size_t(heads_) == 0)
            return;
        const std::size_t common = std::gcd(rows, otherRows);
        std::string choices;
        for (std::size_t h = 1; h <= common; ++h)
            if (common % h == 0)
                choices += (choices.empty() ? "" : ", ") + std::to_string(h);
        fail(std::string("tensor '") + name + "' has " + std::to_string(rows) + " rows, which " + std::to_string(heads_)
             + " heads do not divide evenly; use a --heads that divides it: " + choices);
    }

    formats::SafetensorsFile file_;
    int heads_;
};

} // namespace

LayerWeights readLayerWeights(const std::string& path, int heads)
{
    if (heads < 1)
        throw Error(path + ": cannot split the layer into " + std::to_string(heads) + " heads; use --heads 1 or more.");
    return LayerReader(path, heads).read();
}

} // namespace attn
