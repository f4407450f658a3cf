// y = x Wᵀ for a block of rows: the product behind every linear map of the engine.
#pragma once

#include <cstddef>

namespace attn {

// y [rows x cols] = x [rows x in] · w [cols x in]ᵀ, or y += that when accumulate. Rows of x
// and w are `in` floats apart, rows of y `ldy` apart. Through cblas_sgemm, except for a
// few rows (see rows_times_transposed.cpp). Runs on the calling thread.
void rowsTimesTransposed(const float* x, std::size_t rows, const float* w, std::size_t cols, std::size_t in,
                         bool accumulate, float* y, std::size_t ldy);

} // namespace attn
