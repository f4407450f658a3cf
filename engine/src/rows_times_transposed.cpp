#include "rows_times_transposed.h"

#include "vector_math.h"

#include <cblas.h>

namespace attn {

namespace {

// Up to this many rows (a short text, the new tokens of an edit), and rows of W at least
// this long, the product skips sgemm. With shorter rows the sums of each dot product's
// lanes weigh more: in passes of 8 tokens through (d_model 128, 4 heads), OpenBLAS with
// its AVX-512 kernels took 0.018 ms and fewRows 0.031 (with its AVX2 kernels both about
// 0.032); from 192 up fewRows was the faster with either (2 cores).
constexpr std::size_t fewRowsMost = 8;
constexpr std::size_t fewRowsShortestIn = 192;

// Each row of W is read once, from memory, and dotted with every row of x while it is in
// cache. sgemm would first copy (pack) all of W, which for a handful of rows costs more
// than the arithmetic.
template <std::size_t N>
ATTN_INLINE void fewRows(const float* x, const float* w, std::size_t out, std::size_t in, bool accumulate, float* y,
                         std::size_t ldy)
{
    using namespace simd;
    const std::size_t whole = in - in % lanes;
    for (std::size_t o = 0; o < out; ++o) {
        const float* row = w + o * in;
        Floats sums[N] = {};
        for (std::size_t k = 0; k < whole; k += lanes) {
            const Floats weights = load(row + k);
            for (std::size_t i = 0; i < N; ++i)
                sums[i] += load(x + i * in + k) * weights;
        }
        for (std::size_t i = 0; i < N; ++i) {
            float sum = sumOfLanes(sums[i]);
            for (std::size_t k = whole; k < in; ++k)
                sum += x[i * in + k] * row[k];
            y[i * ldy + o] = accumulate ? y[i * ldy + o] + sum : sum;
        }
    }
}

ATTN_TARGET_CLONES
void fewRowsTimesTransposed(const float* x, std::size_t n, const float* w, std::size_t out, std::size_t in,
                            bool accumulate, float* y, std::size_t ldy)
{
    // One instantiation per row count, so that the sums stay in registers.
    switch (n) {
    case 1: return fewRows<1>(x, w, out, in, accumulate, y, ldy);
    case 2: return fewRows<2>(x, w, out, in, accumulate, y, ldy);
    case 3: return fewRows<3>(x, w, out, in, accumulate, y, ldy);
    case 4: return fewRows<4>(x, w, out, in, accumulate, y, ldy);
    case 5: return fewRows<5>(x, w, out, in, accumulate, y, ldy);
    case 6: return fewRows<6>(x, w, out, in, accumulate, y, ldy);
    case 7: return fewRows<7>(x, w, out, in, accumulate, y, ldy);
    case 8: return fewRows<8>(x, w, out, in, accumulate, y, ldy);
    }
}

} // namespace

void rowsTimesTransposed(const float* x, std::size_t rows, const float* w, std::size_t cols, std::size_t in,
                         bool accumulate, float* y, std::size_t ldy)
{
    if (rows == 0 || cols == 0)
        return;
    if (rows <= fewRowsMost && in >= fewRowsShortestIn)
        return fewRowsTimesTransposed(x, rows, w, cols, in, accumulate, y, ldy);
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, int(rows), int(cols), int(in), 1.0f, x, int(in), w, int(in),
                accumulate ? 1.0f : 0.0f, y, int(ldy));
}

} // namespace attn
