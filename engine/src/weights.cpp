#include "attn/weights.h"

#include "attn/error.h"
#include "random.h"

#include <cmath>
#include <string>

namespace attn {

namespace {

// Xavier/Glorot uniform for an nn.Linear weight [out x in].
Tensor xavier(std::size_t out, std::size_t in, detail::Random& random)
{
    Tensor w({out, in});
    const double bound = std::sqrt(6.0 / double(in + out));
    for (float& value : w.data)
        value = float(random.uniform(-bound, bound));
    return w;
}

void expectShape(const Tensor& t, const char* name, std::vector<std::size_t> shape)
{
    if (t.shape != shape)
        throw Error(std::string(name) + " has shape " + t.shapeText() + " but " + Tensor::shapeText(shape)
                    + " was expected.");
}

void expectBias(const Tensor& t, const char* name, std::size_t length)
{
    if (!t.empty() || !t.shape.empty())
        expectShape(t, name, {length});
}

} // namespace

LayerWeights LayerWeights::seeded(const Config& config)
{
    LayerWeights w;
    w.heads = config.heads;
    w.d_model = config.d_model;
    w.d_k = config.d_k;
    w.d_v = config.valueDim();
    const std::size_t dm = std::size_t(w.d_model);
    const std::size_t qk = std::size_t(w.heads * w.d_k);
    const std::size_t hv = std::size_t(w.heads * w.d_v);
    // One stream per matrix, so that changing d_v leaves W_Q and W_K as they were.
    detail::Random rq(config.seed * 4 + 1), rk(config.seed * 4 + 2), rv(config.seed * 4 + 3), ro(config.seed * 4 + 4);
    w.w_q = xavier(qk, dm, rq);
    w.w_k = xavier(qk, dm, rk);
    w.w_v = xavier(hv, dm, rv);
    w.w_o = xavier(dm, hv, ro);
    if (config.bias) {
        w.b_q = Tensor({qk});
        w.b_k = Tensor({qk});
        w.b_v = Tensor({hv});
        w.b_o = Tensor({dm});
    }
    return w;
}

void LayerWeights::checkShapes() const
{
    if (heads < 1 || d_model < 1 || d_k < 1 || d_v < 1)
        throw Error("the layer's sizes must be positive (heads " + std::to_string(heads) + ", d_model "
                    + std::to_string(d_model) + ", d_k " + std::to_string(d_k) + ", d_v " + std::to_string(d_v) + ").");
    const std::size_t dm = std::size_t(d_model);
    const std::size_t qk = std::size_t(heads * d_k);
    const std::size_t hv = std::size_t(heads * d_v);
    expectShape(w_q, "W_Q", {qk, dm});
    expectShape(w_k, "W_K", {qk, dm});
    expectShape(w_v, "W_V", {hv, dm});
    expectShape(w_o, "W_O", {dm, hv});
    expectBias(b_q, "b_Q", qk);
    expectBias(b_k, "b_K", qk);
    expectBias(b_v, "b_V", hv);
    expectBias(b_o, "b_O", dm);
}

Config LayerWeights::applyTo(Config config) const
{
    config.heads = heads;
    config.d_model = d_model;
    config.d_k = d_k;
    config.d_v = d_v;
    config.bias = !b_q.empty() || !b_k.empty() || !b_v.empty() || !b_o.empty();
    return config;
}

} // namespace attn
