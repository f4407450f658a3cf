// The oracle: plain loops with double accumulation, written to be read, not to be fast.
#include "attn/backend.h"

#include <cmath>
#include <limits>
#include <vector>

namespace attn {

namespace {

// y = x Wᵀ + b for one row of x, in double.
double linear(const Tensor& x, std::size_t row, const Tensor& w, const Tensor& b, std::size_t out)
{
    const std::size_t in = x.dim(1);
    double sum = b.empty() ? 0.0 : double(b.data[out]);
    for (std::size_t c = 0; c < in; ++c)
        sum += double(x.at(row, c)) * double(w.at(out, c));
    return sum;
}

// Splits the rows of a projection into heads: result [h x n x width].
Tensor projectHeads(const Tensor& x, const Tensor& w, const Tensor& b, std::size_t heads, std::size_t width)
{
    const std::size_t n = x.dim(0);
    Tensor result({heads, n, width});
    for (std::size_t h = 0; h < heads; ++h)
        for (std::size_t i = 0; i < n; ++i)
            for (std::size_t d = 0; d < width; ++d)
                result.at(h, i, d) = float(linear(x, i, w, b, h * width + d));
    return result;
}

class ReferenceBackend final : public Backend {
public:
    std::string name() const override { return "reference"; }

    void forward(const AttentionProblem& p, Trace& t) override
    {
        const LayerWeights& w = p.weights;
        const std::size_t heads = std::size_t(w.heads), dk = std::size_t(w.d_k), dv = std::size_t(w.d_v);
        const std::size_t nq = p.queriesFrom.dim(0), nk = p.keysFrom.dim(0), dm = std::size_t(w.d_model);

        t.q = projectHeads(p.queriesFrom, w.w_q, w.b_q, heads, dk);
        p.throwIfStopped();
        t.k = projectHeads(p.keysFrom, w.w_k, w.b_k, heads, dk);
        p.throwIfStopped();
        t.v = projectHeads(p.keysFrom, w.w_v, w.b_v, heads, dv);
        t.scores = Tensor({heads, nq, nk});
        t.weights = Tensor({heads, nq, nk});
        t.heads = Tensor({heads, nq, dv});

        std::vector<double> row(nk);
        for (std::size_t h = 0; h < heads; ++h) {
            for (std::size_t i = 0; i < nq; ++i) {
                p.throwIfStopped();
                double largest = -std::numeric_limits<double>::infinity();
                for (std::size_t j = 0; j < nk; ++j) {
                    double dot = 0.0;
                    for (std::size_t d = 0; d < dk; ++d)
                        dot += double(t.q.at(h, i, d)) * double(t.k.at(h, j, d));
                    t.scores.at(h, i, j) = float(dot);
                    const bool masked = p.causal && j > i;
                    row[j] = masked ? -std::numeric_limits<double>::infinity() : dot * double(p.scoreScale);
                    largest = std::max(largest, row[j]);
                }
                // A row with every key masked attends to nothing rather than dividing 0 by 0.
                if (largest == -std::numeric_limits<double>::infinity())
                    continue;
                double sum = 0.0;
                for (std::size_t j = 0; j < nk; ++j) {
                    row[j] = std::exp(row[j] - largest);
                    sum += row[j];
                }
                for (std::size_t j = 0; j < nk; ++j)
                    t.weights.at(h, i, j) = float(row[j] / sum);
                for (std::size_t e = 0; e < dv; ++e) {
                    double acc = 0.0;
                    for (std::size_t j = 0; j < nk; ++j)
                        acc += (row[j] / sum) * double(t.v.at(h, j, e));
                    t.heads.at(h, i, e) = float(acc);
                }
            }
        }

        t.output = Tensor({nq, dm});
        for (std::size_t i = 0; i < nq; ++i) {
            for (std::size_t o = 0; o < dm; ++o) {
                double sum = w.b_o.empty() ? 0.0 : double(w.b_o.data[o]);
                for (std::size_t h = 0; h < heads; ++h)
                    for (std::size_t e = 0; e < dv; ++e)
                        sum += double(t.heads.at(h, i, e)) * double(w.w_o.at(o, h * dv + e));
                t.output.at(i, o) = float(sum);
            }
        }
    }
};

} // namespace

std::unique_ptr<Backend> makeReferenceBackend()
{
    return std::make_unique<ReferenceBackend>();
}

} // namespace attn
