// An open, validated .safetensors file: the header is parsed and every tensor entry checked
// (dtype, shape against byte count, offsets inside the data section, no overlaps) when the
// file is opened; the data stay memory-mapped and are converted only on request, so a
// checkpoint's integer buffers (BERT's position_ids) that nobody asks for cost nothing.
// This is the seam where a public class handing out zero-copy views can grow later.
#pragma once

#include "attn/tensor.h"
#include "mapped_file.h"

#include <cstddef>
#include <span>
#include <string>
#include <vector>

namespace attn::formats {

// Integer and boolean tensors are Other: held in the file, never converted to float.
enum class SafetensorsDtype { F16, BF16, F32, F64, Other };

struct SafetensorsEntry {
    std::string name;
    SafetensorsDtype dtype;
    std::string dtypeName; // as written in the file, for messages
    std::vector<std::size_t> shape;
    std::size_t begin = 0; // byte offsets relative to the data section
    std::size_t end = 0;
};

class SafetensorsFile {
public:
    // Throws attn::Error naming the file (and the tensor) for anything malformed.
    explicit SafetensorsFile(const std::string& path);

    const std::string& path() const { return file_.path(); }
    const std::vector<SafetensorsEntry>& entries() const { return entries_; } // sorted by name
    const SafetensorsEntry* find(const std::string& name) const;

    // The stored bytes of one entry, still in the file's dtype.
    std::span<const std::byte> bytes(const SafetensorsEntry& entry) const;

    // The entry as float32; throws attn::Error for NaN or Inf, naming the tensor and index,
    // and for a dtype that is not floating point.
    Tensor toFloat32(const SafetensorsEntry& entry) const;
    // Columns [first, first + count) of a matrix entry [rows x cols], transposed: [count x rows].
    // What turns a Conv1D weight [in x out] into nn.Linear's [out x in] in one pass.
    Tensor columnsToFloat32(const SafetensorsEntry& entry, std::size_t first, std::size_t count) const;

    static constexpr std::size_t kMaxHeaderBytes = 100'000'000; // the format's own limit

private:
    // Calls body(decode), decode(flat) giving element `flat` of the entry as float.
    template <typename Body>
    void decodeWith(const SafetensorsEntry& entry, const std::string& what, Body body) const;

    MappedFile file_;
    std::size_t dataStart_ = 0;
    std::vector<SafetensorsEntry> entries_;
};

} // namespace attn::formats
