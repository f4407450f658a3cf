// One attention layer read from .safetensors in nn.Linear layout. Only the layer's own
// tensors are converted, and only once their shapes pass every check, so a large
// checkpoint that happens to hold them costs little and one too large costs nothing.
#include "attn/engine.h"
#include "attn/error.h"
#include "attn/safetensors.h"

#include "message_text.h"
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

std::string shapeText(const formats::SafetensorsEntry& entry) { return Tensor::shapeText(entry.shape); }

class LayerReader {
public:
    LayerReader(const std::string& path, int heads) : file_(path), heads_(heads) {}

    // Every shape and limit is checked on the header before any tensor is converted: a
    // file that declares more than the engine takes is refused without reading its data.
    LayerWeights read()
    {
        for (const char* name : kWeightNames)
            if (!file_.find(name))
                fail(std::string("has no tensor '") + name + "'; it holds " + heldNames(file_)
                     + ". A layer needs q_proj.weight, k_proj.weight, v_proj.weight and out_proj.weight "
                       "(each with an optional .bias)");
        refuseUnknownPartsOfTheLayer();

        const formats::SafetensorsEntry& q = matrix("q_proj.weight");
        const formats::SafetensorsEntry& k = matrix("k_proj.weight");
        const formats::SafetensorsEntry& v = matrix("v_proj.weight");
        const formats::SafetensorsEntry& o = matrix("out_proj.weight");

        const std::size_t qkRows = q.shape[0], dModel = q.shape[1], vRows = v.shape[0];
        if (k.shape != q.shape)
            fail("tensor 'k_proj.weight' " + shapeText(k) + " and 'q_proj.weight' " + shapeText(q)
                 + " disagree; queries and keys need the same shape");
        if (v.shape[1] != dModel)
            fail("tensor 'v_proj.weight' " + shapeText(v) + " and 'q_proj.weight' " + shapeText(q)
                 + " disagree on d_model (their column counts)");
        if (o.shape != std::vector<std::size_t>{dModel, vRows})
            fail("tensor 'out_proj.weight' " + shapeText(o) + " should be [d_model x heads*d_v] = ["
                 + std::to_string(dModel) + " x " + std::to_string(vRows) + "] to match 'q_proj.weight' "
                 + shapeText(q) + " and 'v_proj.weight' " + shapeText(v));
        requireDivisible("q_proj.weight", qkRows, vRows);
        requireDivisible("v_proj.weight", vRows, qkRows);

        const formats::SafetensorsEntry* bq = bias("q_proj.bias", qkRows);
        const formats::SafetensorsEntry* bk = bias("k_proj.bias", qkRows);
        const formats::SafetensorsEntry* bv = bias("v_proj.bias", vRows);
        const formats::SafetensorsEntry* bo = bias("out_proj.bias", dModel);

        LayerWeights w;
        w.heads = heads_;
        w.d_model = int(dModel);
        w.d_k = int(qkRows / std::size_t(heads_));
        w.d_v = int(vRows / std::size_t(heads_));
        requireWithinLimits(w, q, v);

        w.w_q = file_.toFloat32(q);
        w.w_k = file_.toFloat32(k);
        w.w_v = file_.toFloat32(v);
        w.w_o = file_.toFloat32(o);
        w.b_q = converted(bq);
        w.b_k = converted(bk);
        w.b_v = converted(bv);
        w.b_o = converted(bo);
        w.checkShapes();
        return w;
    }

private:
    [[noreturn]] void fail(const std::string& problem) const { throw Error(file_.path() + ": " + problem + "."); }

    // A tensor of one of the four projections that is neither its weight nor its bias is a
    // misspelling ('q_proj.bais'), and the layer would silently run without it. Tensors of
    // other modules (a checkpoint holding more than the layer) are left alone.
    void refuseUnknownPartsOfTheLayer() const
    {
        for (const std::string weight : kWeightNames) {
            const std::string module = weight.substr(0, weight.find('.')), bias = module + ".bias";
            for (const formats::SafetensorsEntry& entry : file_.entries())
                if (entry.name.rfind(module + '.', 0) == 0 && entry.name != weight && entry.name != bias)
                    fail("tensor '" + entry.name + "' is not one of the layer's: " + module + " has a weight and a bias ("
                         + weight + ", " + bias + "); rename it, or leave it out");
        }
    }

    const formats::SafetensorsEntry& matrix(const char* name) const
    {
        const formats::SafetensorsEntry& entry = *file_.find(name);
        if (entry.shape.size() != 2)
            fail(std::string("tensor '") + name + "' has rank " + std::to_string(entry.shape.size()) + " (shape "
                 + shapeText(entry) + ") but a projection weight must be a matrix [out_features x in_features]");
        // Each size must be positive and fit the int sizes of LayerWeights.
        for (std::size_t d : entry.shape)
            if (d == 0 || d > std::size_t(INT_MAX))
                fail(std::string("tensor '") + name + "' has shape " + shapeText(entry) + "; every size must be positive");
        return entry;
    }

    const formats::SafetensorsEntry* bias(const char* name, std::size_t length) const
    {
        const formats::SafetensorsEntry* entry = file_.find(name);
        if (entry && entry->shape != std::vector<std::size_t>{length})
            fail(std::string("bias '") + name + "' has shape " + shapeText(*entry) + " but its weight has "
                 + std::to_string(length) + " rows, so the bias length must be " + std::to_string(length));
        return entry;
    }

    Tensor converted(const formats::SafetensorsEntry* entry) const { return entry ? file_.toFloat32(*entry) : Tensor{}; }

    // The engine's own checks (its ranges, then the memory of the weights) on the sizes the
    // shapes give, saying which shapes gave them.
    void requireWithinLimits(const LayerWeights& sizes, const formats::SafetensorsEntry& q,
                             const formats::SafetensorsEntry& v) const
    {
        try {
            const Config config = sizes.applyTo(Config{});
            validate(config);
            Engine::requireTraceFits(0, 0, config);
        } catch (const Error& error) {
            throw Error(file_.path() + ": 'q_proj.weight' " + shapeText(q) + " and 'v_proj.weight' " + shapeText(v)
                        + " in " + countText(std::uint64_t(heads_), "head") + " give d_model "
                        + std::to_string(sizes.d_model) + ", d_k " + std::to_string(sizes.d_k) + " and d_v "
                        + std::to_string(sizes.d_v) + ", beyond the engine's limits: " + error.what());
        }
    }

    // Rows split evenly into heads; otherwise suggest head counts that would work for both
    // the query and the value projections, within the engine's limits (a head count whose
    // d_k passes 1024 would only be refused next).
    void requireDivisible(const char* name, std::size_t rows, std::size_t otherRows) const
    {
        if (rows % std::size_t(heads_) == 0)
            return;
        const std::size_t common = std::gcd(rows, otherRows);
        const auto perHead = std::size_t(Limits::maxKeyDim);
        std::string choices;
        for (std::size_t h = 1; h <= std::min(common, std::size_t(Limits::maxHeads)); ++h)
            if (common % h == 0 && rows / h <= perHead && otherRows / h <= perHead)
                choices += (choices.empty() ? "" : ", ") + std::to_string(h);
        fail(std::string("tensor '") + name + "' has " + std::to_string(rows) + " rows, which " + std::to_string(heads_)
             + " heads do not divide evenly; "
             + (choices.empty() ? "no head count divides it into heads of at most " + std::to_string(Limits::maxKeyDim)
                                      + " rows, in at most " + std::to_string(Limits::maxHeads) + " heads"
                                : "use a --heads that divides it: " + choices));
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
