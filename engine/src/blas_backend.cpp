// OpenBLAS for the matrix products (but a few rows times a weight matrix, see
// rows_times_transposed.h), with the work split over a small team of threads.
//
// One forward pass runs in four phases, each begun once the previous one is complete:
//   0. The trace's tensors are shaped by the team: in the storage they have, which the
//      engine recycles from traces nobody holds any more, or in fresh zeroed storage
//      (attn/zeroed_allocator.h), whose clearing the team shares.
//   1. Q, K and V: X Wᵀ in tiles (by rows where there are many, by heads where there are
//      few, so that the weights are read once), then split into heads with the bias added.
//   2. Attention, per (head, block of query rows): the block's scores by sgemm, at once
//      scaled, masked and softmaxed while they are still in cache, then weights · V by
//      sgemm. Under the causal mask the keys past the block's last query are skipped.
//   3. The output, concatenated heads · W_Oᵀ (+ b_O), in tiles.
// The team is as large as OpenBLAS's own thread count (OPENBLAS_NUM_THREADS), and OpenBLAS
// runs single-threaded inside it: our threads and OpenBLAS's would otherwise compete for
// the same cores. Small problems run on the calling thread alone.
#include "attn/backend.h"

#include "rows_times_transposed.h"
#include "softmax.h"
#include "thread_team.h"

#include <cblas.h>

#include <algorithm>
#include <iterator>
#include <memory>
#include <vector>

namespace attn {

namespace {

using namespace team;

// Rows of scores per attention block: about this many bytes, so that the block written
// by sgemm is still in cache when the softmax reads it, and sgemm packs each head's K for
// many rows at once. At n = 2048, (768, 12), on 2 cores, in turns: 256 KiB blocks took
// 147-162 ms; 1 MiB 138 ms, 154 into fresh storage; 2 MiB 135 ms, 142 fresh (medians of 3).
constexpr std::size_t blockBytes = 2 * 1024 * 1024;


// One of Q, K, V: X Wᵀ + b into heads [heads x n x width], through a row-major scratch
// [n x heads·width].
struct Projection {
    const Tensor& x;
    const Tensor& w;
    const Tensor& b;
    std::size_t width;
    float* scratch;
    Tensor& out;
    Tiling tiling;

    void runTile(std::size_t tile) const
    {
        const std::size_t r0 = tiling.firstRow(tile), r1 = tiling.lastRow(tile);
        const std::size_t c0 = tiling.firstCol(tile), c1 = tiling.lastCol(tile);
        const std::size_t n = x.dim(0), in = x.dim(1), all = w.dim(0);
        rowsTimesTransposed(x.ptr() + r0 * in, r1 - r0, w.ptr() + c0 * in, c1 - c0, in, false, scratch + r0 * all + c0,
                            all);
        for (std::size_t head = c0 / width; head < c1 / width; ++head) {
            const float* bias = b.empty() ? nullptr : b.ptr() + head * width;
            for (std::size_t i = r0; i < r1; ++i) {
                const float* src = scratch + i * all + head * width;
                float* dst = out.ptr() + (head * n + i) * width;
                for (std::size_t d = 0; d < width; ++d)
                    dst[d] = src[d] + (bias ? bias[d] : 0.0f);
            }
        }
    }
};

void checkInputs(const Tensor& x, const char* what, std::size_t dModel)
{
    if (x.rank() != 2 || x.dim(1) != dModel || x.size() != x.dim(0) * dModel)
        throw Error(std::string("the ") + what + " have shape " + x.shapeText() + " but the layer expects [n x "
                    + std::to_string(dModel) + "].");
}

// Everything one forward pass shares between the workers of the team: sizes, scratch,
// the work of each phase, and the first failure.
class Pass {
public:
    Pass(const AttentionProblem& p, Trace& t, FloatStorage& scratch, unsigned workers)
        : m_p(p), m_t(t), m_heads(std::size_t(p.weights.heads)), m_dk(std::size_t(p.weights.d_k)),
          m_dv(std::size_t(p.weights.d_v)), m_dm(std::size_t(p.weights.d_model)), m_nq(p.queriesFrom.dim(0)),
          m_nk(p.keysFrom.dim(0)),
          m_allocations{{t.scores, {m_heads, m_nq, m_nk}}, {t.weights, {m_heads, m_nq, m_nk}},
                        {t.q, {m_heads, m_nq, m_dk}},      {t.k, {m_heads, m_nk, m_dk}},
                        {t.v, {m_heads, m_nk, m_dv}},      {t.heads, {m_heads, m_nq, m_dv}},
                        {t.output, {m_nq, m_dm}}},
          m_scratch(grown(scratch, (m_nq + m_nk) * m_heads * (m_dk + m_dv))),
          m_concat(m_scratch + (m_nq * m_dk + m_nk * (m_dk + m_dv)) * m_heads),
          m_projections{
              {p.queriesFrom, p.weights.w_q, p.weights.b_q, m_dk, m_scratch, t.q,
               Tiling(m_nq, m_heads * m_dk, m_dk, workers)},
              {p.keysFrom, p.weights.w_k, p.weights.b_k, m_dk, m_scratch + m_nq * m_heads * m_dk, t.k,
               Tiling(m_nk, m_heads * m_dk, m_dk, workers)},
              {p.keysFrom, p.weights.w_v, p.weights.b_v, m_dv, m_scratch + (m_nq + m_nk) * m_heads * m_dk, t.v,
               Tiling(m_nk, m_heads * m_dv, m_dv, workers)}},
          m_rowsPerBlock(std::clamp<std::size_t>(blockBytes / (sizeof(float) * std::max<std::size_t>(m_nk, 1)), 8, 256)),
          m_blocksPerHead(ceilDiv(m_nq, m_rowsPerBlock)), m_outputTiling(m_nq, m_dm, 16, workers),
          m_allocationWork(std::size(m_allocations)),
          m_projectionWork(m_projections[0].tiling.count() + m_projections[1].tiling.count()
                           + m_projections[2].tiling.count()),
          m_attentionWork(m_nk == 0 ? 0 : m_heads * m_blocksPerHead), m_outputWork(m_outputTiling.count())
    {
        if (m_nk == 0) // no keys: every head is 0, and phase 2 has nothing to write
            std::fill(m_concat, m_concat + m_nq * m_heads * m_dv, 0.0f);
    }

    // One worker's share of the whole pass; see the comment at the top of the file. Each
    // phase starts once the previous one is complete, whoever did its items.
    void work() noexcept
    {
        m_allocationWork.drain([&](std::size_t item) { allocate(item); });
        m_allocationWork.waitUntilDone();
        if (m_failure.happened())
            return;
        // Once stopped, the items left are taken and skipped: every worker still reaches
        // the end of each phase, and the caller throws Cancelled.
        m_projectionWork.drain([&](std::size_t item) { if (!m_p.stopped()) project(item); });
        m_projectionWork.waitUntilDone();
        m_attentionWork.drain([&](std::size_t item) { if (!m_p.stopped()) attend(item); });
        m_attentionWork.waitUntilDone();
        m_outputWork.drain([&](std::size_t item) { if (!m_p.stopped()) output(item); });
        m_outputWork.waitUntilDone();
    }

    void rethrowFailure() const
    {
        m_failure.rethrow();
    }

private:
    struct Allocation {
        Tensor& tensor;
        std::vector<std::size_t> shape;
    };

    // `scratch` with at least `count` elements (it never shrinks), as a pointer.
    static float* grown(FloatStorage& scratch, std::size_t count)
    {
        if (scratch.size() < count)
            scratch.resize(count);
        return scratch.data();
    }

    void allocate(std::size_t item) noexcept
    {
        try {
            m_allocations[item].tensor.reshape(m_allocations[item].shape);
        } catch (...) { // std::bad_alloc: reported to the caller once the team is done
            m_failure.capture();
        }
    }

    void project(std::size_t item) const
    {
        for (const Projection& projection : m_projections) {
            if (item < projection.tiling.count())
                return projection.runTile(item);
            item -= projection.tiling.count();
        }
    }

    // Scores, weights and heads of one block of query rows of one head; the heads also go
    // to their columns of the concatenation [nq x heads·dv].
    void attend(std::size_t item) const
    {
        const std::size_t head = item / m_blocksPerHead, first = item % m_blocksPerHead * m_rowsPerBlock;
        const std::size_t last = std::min(m_nq, first + m_rowsPerBlock), rows = last - first;
        float* scores = m_t.scores.ptr() + (head * m_nq + first) * m_nk;
        float* weights = m_t.weights.ptr() + (head * m_nq + first) * m_nk;
        float* heads = m_t.heads.ptr() + (head * m_nq + first) * m_dv;

        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, int(rows), int(m_nk), int(m_dk), 1.0f,
                    m_t.q.ptr() + (head * m_nq + first) * m_dk, int(m_dk), m_t.k.ptr() + head * m_nk * m_dk, int(m_dk),
                    0.0f, scores, int(m_nk));
        scaleMaskSoftmaxRows(scores, weights, rows, m_nk, first, m_p.scoreScale, m_p.causal);
        // Under the causal mask no query of this block sees a key past `last - 1`.
        const std::size_t seen = m_p.causal ? std::min(m_nk, last) : m_nk;
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, int(rows), int(m_dv), int(seen), 1.0f, weights,
                    int(m_nk), m_t.v.ptr() + head * m_nk * m_dv, int(m_dv), 0.0f, heads, int(m_dv));

        for (std::size_t i = 0; i < rows; ++i)
            std::copy(heads + i * m_dv, heads + (i + 1) * m_dv, m_concat + ((first + i) * m_heads + head) * m_dv);
    }

    // One tile of output = concat · W_Oᵀ + b_O.
    void output(std::size_t tile) const
    {
        const Tiling& tiling = m_outputTiling;
        const std::size_t r0 = tiling.firstRow(tile), r1 = tiling.lastRow(tile);
        const std::size_t c0 = tiling.firstCol(tile), c1 = tiling.lastCol(tile);
        const std::size_t inner = m_heads * m_dv;
        const Tensor& bias = m_p.weights.b_o;
        float* out = m_t.output.ptr();
        if (!bias.empty())
            for (std::size_t i = r0; i < r1; ++i)
                std::copy(bias.ptr() + c0, bias.ptr() + c1, out + i * m_dm + c0);
        rowsTimesTransposed(m_concat + r0 * inner, r1 - r0, m_p.weights.w_o.ptr() + c0 * inner, c1 - c0, inner,
                            !bias.empty(), out + r0 * m_dm + c0, m_dm);
    }

    const AttentionProblem& m_p;
    Trace& m_t;
    const std::size_t m_heads, m_dk, m_dv, m_dm, m_nq, m_nk;
    const Allocation m_allocations[7];
    float* const m_scratch; // Q, K, V before the split into heads; the concatenation
    float* const m_concat;
    const Projection m_projections[3];
    const std::size_t m_rowsPerBlock, m_blocksPerHead;
    const Tiling m_outputTiling;
    WorkQueue m_allocationWork, m_projectionWork, m_attentionWork, m_outputWork;
    FirstFailure m_failure;
};

// The FLOPs of a pass, to decide whether a team pays for itself.
double passFlops(const AttentionProblem& p)
{
    const double h = p.weights.heads, dk = p.weights.d_k, dv = p.weights.d_v, dm = p.weights.d_model;
    const double nq = double(p.queriesFrom.dim(0)), nk = double(p.keysFrom.dim(0));
    return 2.0 * dm * h * (nq * (dk + dv) + nk * (dk + dv)) + 2.0 * h * nq * nk * (dk + dv);
}

class BlasBackend final : public Backend {
public:
    std::string name() const override { return "blas"; }

    void forward(const AttentionProblem& p, Trace& t) override
    {
        p.weights.checkShapes();
        checkInputs(p.queriesFrom, "queries", std::size_t(p.weights.d_model));
        checkInputs(p.keysFrom, "keys", std::size_t(p.weights.d_model));

        SingleThreadedBlas blas;
        const unsigned workers = teamSize(passFlops(p), blas);
        Pass pass(p, t, m_scratch, workers);
        runTeam(workers, [&] { pass.work(); });
        pass.rethrowFailure();
        p.throwIfStopped();
        if (p.keysFrom.dim(0) == 0) // every head is 0; recycled storage still holds old values
            std::fill(t.heads.data.begin(), t.heads.data.end(), 0.0f);
    }

private:
    // Kept from pass to pass (one pass at a time per backend), so that it is not faulted in anew.
    FloatStorage m_scratch;
};

} // namespace

std::unique_ptr<Backend> makeBlasBackend()
{
    return std::make_unique<BlasBackend>();
}

} // namespace attn
