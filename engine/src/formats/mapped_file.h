// A read-only view of a whole file through POSIX mmap. Large checkpoints (hundreds of MB)
// are read in place instead of being copied into a buffer first; the view stays valid for
// the lifetime of the object, so a later tensor view type can borrow from it.
#pragma once

#include <cstddef>
#include <span>
#include <string>

namespace attn::formats {

class MappedFile {
public:
    // Throws attn::Error naming the path when the file is missing, unreadable or not a
    // regular file.
    explicit MappedFile(std::string path);
    ~MappedFile();

    MappedFile(MappedFile&& other) noexcept;
    MappedFile& operator=(MappedFile&& other) noexcept;
    MappedFile(const MappedFile&) = delete;
    MappedFile& operator=(const MappedFile&) = delete;

    const std::string& path() const { return path_; }
    std::span<const std::byte> bytes() const { return {static_cast<const std::byte*>(address_), size_}; }
    std::size_t size() const { return size_; }

private:
    std::string path_;
    void* address_ = nullptr; // nullptr for an empty file: mmap refuses zero lengths
    std::size_t size_ = 0;
};

} // namespace attn::formats
