// OpenBLAS for every matrix product; the scale-mask-softmax between them is fused into
// one pass per row.
#include "attn/backend.h"

#include "softmax.h"

#include <cblas.h>

namespace attn {

namespace {

// Y = X Wᵀ + b, split into heads: result [heads x n x width].
Tensor projectHeads(const Tensor& x, const Tensor& w, const Tensor& b, std::size_t heads, std::size_t width)
{
    const std::size_t n = x.dim(0), in = x.dim(1), out = heads * width;
    Tensor all({n, out});
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, int(n), int(out), int(in), 1.0f, x.ptr(), int(in),
                w.ptr(), int(in), 0.0f, all.ptr(), int(out));
    Tensor result({heads, n, width});
    for (std::size_t i = 0; i < n; ++i) {
        const float* src = all.ptr() + i * out;
        for (std::size_t h = 0; h < heads; ++h) {
            float* dst = &result.at(h, i, 0);
            const float* bias = b.empty() ? nullptr : b.ptr() + h * width;
            for (std::size_t d = 0; d < width; ++d)
                dst[d] = src[h * width + d] + (bias ? bias[d] : 0.0f);
        }
    }
    return result;
}

class BlasBackend final : public Backend {
public:
    std::string name() const override { return "blas"; }

    void forward(const AttentionProblem& p, Trace& t) override
    {
        const LayerWeights& w = p.weights;
        const std::size_t heads = std::size_t(w.heads), dk = std::size_t(w.d_k), dv = std::size_t(w.d_v);
        const std::size_t nq = p.queriesFrom.dim(0), nk = p.keysFrom.dim(0), dm = std::size_t(w.d_model);

        t.q = projectHeads(p.queriesFrom, w.w_q, w.b_q, heads, dk);
        t.k = projectHeads(p.keysFrom, w.w_k, w.b_k, heads, dk);
        t.v = projectHeads(p.keysFrom, w.w_v, w.b_v, heads, dv);
        t.scores = Tensor({heads, nq, nk});
        t.weights = Tensor({heads, nq, nk});
        t.heads = Tensor({heads, nq, dv});

        for (std::size_t h = 0; h < heads; ++h) {
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, int(nq), int(nk), int(dk), 1.0f,
                        &t.q.at(h, 0, 0), int(dk), &t.k.at(h, 0, 0), int(dk), 0.0f, &t.scores.at(h, 0, 0), int(nk));
        }
        scaleMaskSoftmax(t.scores.ptr(), t.weights.ptr(), heads * nq, nq, nk, p.scoreScale, p.causal);
        for (std::size_t h = 0; h < heads; ++h) {
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, int(nq), int(dv), int(nk), 1.0f,
                        &t.weights.at(h, 0, 0), int(nk), &t.v.at(h, 0, 0), int(dv), 0.0f, &t.heads.at(h, 0, 0),
                        int(dv));
        }

        // Concatenating the heads and multiplying by W_Oᵀ is the sum over heads of
        // head_h · (W_O's columns of head h)ᵀ, so the concatenation is never built.
        t.output = Tensor({nq, dm});
        for (std::size_t i = 0; i < nq && !w.b_o.empty(); ++i)
            std::copy(w.b_o.data.begin(), w.b_o.data.end(), t.output.data.begin() + std::ptrdiff_t(i * dm));
        const float beta = w.b_o.empty() ? 0.0f : 1.0f;
        for (std::size_t h = 0; h < heads; ++h) {
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, int(nq), int(dm), int(dv), 1.0f,
                        &t.heads.at(h, 0, 0), int(dv), w.w_o.ptr() + h * dv, int(heads * dv), h == 0 ? beta : 1.0f,
                        t.output.ptr(), int(dm));
        }
    }
};

} // namespace

std::unique_ptr<Backend> makeBlasBackend()
{
    return std::make_unique<BlasBackend>();
}

} // namespace attn
