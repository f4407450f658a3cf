#include "incremental_attention.h"

#include "layer_ops.h"
#include "softmax.h"
#include "thread_team.h"

#include <cblas.h>

#include <algorithm>

namespace attn {

namespace {

// result [h x n x width]: rows [inPlace, from) from `old` (which has oldN rows; rows before
// inPlace are in place already), then the new rows, taken from all [m x h*width] with the
// bias already added by ops::linear.
void joinHeads(const Tensor& old, std::size_t from, std::size_t inPlace, const Tensor& all, std::size_t heads,
               std::size_t width, Tensor& result)
{
    const std::size_t m = all.dim(0), n = from + m, oldN = old.rank() == 3 ? old.dim(1) : 0;
    result.reshape({heads, n, width});
    for (std::size_t h = 0; h < heads; ++h) {
        if (from > inPlace)
            std::copy_n(old.ptr() + (h * oldN + inPlace) * width, (from - inPlace) * width, &result.at(h, inPlace, 0));
        for (std::size_t i = 0; i < m; ++i)
            std::copy_n(all.ptr() + i * heads * width + h * width, width, &result.at(h, from + i, 0));
    }
}

// The [from x from] top-left block of head h of `old` [h x oldN x oldN] into `dst`
// [h x n x n], but for what dst holds already: its first inPlace rows, up to column inPlace.
// Further right in those rows raw scores pair old queries with keys that differ (weights
// are 0 there, by the causal mask, in both).
void copyBlock(const Tensor& old, std::size_t h, std::size_t from, std::size_t inPlace, bool rawScores, Tensor& dst)
{
    if (old.rank() != 3)
        return;
    const std::size_t oldN = old.dim(2);
    for (std::size_t i = rawScores ? 0 : inPlace; i < from; ++i) {
        const std::size_t first = i < inPlace ? inPlace : 0;
        std::copy_n(old.ptr() + (h * oldN + i) * oldN + first, from - first, &dst.at(h, i, first));
    }
}

} // namespace

void attendIncremental(const Trace& previous, const LayerWeights& w, std::size_t from, std::size_t inPlace, float scale,
                       bool keepScores, Tensor& scratch, Trace& t)
{
    const std::size_t heads = std::size_t(w.heads), dk = std::size_t(w.d_k), dv = std::size_t(w.d_v);
    const std::size_t dm = std::size_t(w.d_model), n = t.x.dim(0), m = n - from;
    const float* attended = t.x.ptr() + from * dm;
    const team::SingleThreadedBlas blas; // products of a few rows: OpenBLAS's threads would only wake to spin

    Tensor q({m, heads * dk}), k({m, heads * dk}), v({m, heads * dv});
    ops::linear(attended, m, w.w_q, w.b_q, q.ptr());
    ops::linear(attended, m, w.w_k, w.b_k, k.ptr());
    ops::linear(attended, m, w.w_v, w.b_v, v.ptr());
    joinHeads(previous.q, from, inPlace, q, heads, dk, t.q);
    joinHeads(previous.k, from, inPlace, k, heads, dk, t.k);
    joinHeads(previous.v, from, inPlace, v, heads, dv, t.v);

    // Raw scores: the old block is unchanged; old queries against new keys (masked, but the
    // trace keeps raw QKᵀ everywhere, as the backends do); new queries against every key.
    Tensor& scores = keepScores ? t.scores : scratch;
    scores.reshape({heads, n, n});
    if (!keepScores)
        t.scores = Tensor();
    t.weights.reshape({heads, n, n});
    t.heads.reshape({heads, n, dv});
    const auto attendHead = [&](std::size_t h) {
        if (keepScores) {
            copyBlock(previous.scores, h, from, inPlace, true, scores);
            if (from > 0 && m > 0)
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, int(from), int(m), int(dk), 1.0f, &t.q.at(h, 0, 0),
                            int(dk), &t.k.at(h, from, 0), int(dk), 0.0f, &scores.at(h, 0, from), int(n));
        }
        copyBlock(previous.weights, h, from, inPlace, false, t.weights);
        for (std::size_t i = 0; i < from; ++i) // causal: old rows put no weight on new keys
            std::fill_n(&t.weights.at(h, i, from), m, 0.0f);
        if (from > inPlace)
            std::copy_n(previous.heads.ptr() + (h * previous.heads.dim(1) + inPlace) * dv, (from - inPlace) * dv,
                        &t.heads.at(h, inPlace, 0));
        if (m == 0)
            return;
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, int(m), int(n), int(dk), 1.0f, &t.q.at(h, from, 0),
                    int(dk), &t.k.at(h, 0, 0), int(dk), 0.0f, &scores.at(h, from, 0), int(n));
        // Query from+i sees keys 0..from+i; the keys after it get weight 0.
        scaleMaskSoftmaxRows(&scores.at(h, from, 0), &t.weights.at(h, from, 0), m, n, from, scale, true);
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, int(m), int(dv), int(n), 1.0f, &t.weights.at(h, from, 0),
                    int(n), &t.v.at(h, 0, 0), int(dv), 0.0f, &t.heads.at(h, from, 0), int(dv));
    };
    // Head by head on the team: mostly copies of the old n x n blocks, hundreds of MB at n = 1024.
    team::WorkQueue queue(heads);
    team::runTeam(team::teamSize(2.0 * double(heads * n * n * dk), blas), [&] {
        queue.drain(attendHead);
        queue.waitUntilDone();
    });

    // Output: old rows as they were; new rows = b_O + Σ_h head_h · W_O[:, head h]ᵀ, as in BLAS.
    t.output.reshape({n, dm});
    std::copy_n(previous.output.ptr() + inPlace * dm, (from - inPlace) * dm, t.output.ptr() + inPlace * dm);
    float* out = t.output.ptr() + from * dm;
    for (std::size_t i = 0; i < m && !w.b_o.empty(); ++i)
        std::copy(w.b_o.data.begin(), w.b_o.data.end(), out + i * dm);
    const float beta = w.b_o.empty() ? 0.0f : 1.0f;
    for (std::size_t h = 0; h < heads && m > 0; ++h)
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, int(m), int(dm), int(dv), 1.0f, &t.heads.at(h, from, 0),
                    int(dv), w.w_o.ptr() + h * dv, int(heads * dv), h == 0 ? beta : 1.0f, out, int(dm));
    t.backend = "blas";
}

} // namespace attn
