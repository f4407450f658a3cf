// An open, validated .safetensors file: the header is parsed and every tensor entry checked
// (dtype, shape against byte count, offsets inside the data section, no overlaps) when the
// file is opened; the data stay memory-mapped and are converted only on request. This is
// the seam where a public class handing out zero-copy views can grow later.
#pragma once

#include "attn/tensor.h"
#include "mapped_file.h"

#include <cstddef>
#include <span>
#include <string>
#include <vector>

namespace attn::formats {

enum class SafetensorsDtype { F16, BF16, F32, F64 };

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

    // The entry as float32; throws attn::Error for NaN or Inf, naming the tensor and index.
    Tensor toFloat32(const SafetensorsEntry& entry) const;

    static constexpr std::size_t kMaxHeaderBytes = 100'000'000; // the format's own limit

private:
    MappedFile file_;
    std::size_t dataStart_ = 0;
    std::vector<SafetensorsEntry> entries_;
};

} // namespace attn::formats
