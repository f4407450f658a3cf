// The allocator of every tensor's storage: memory that the system hands over already zeroed,
// so that a new tensor is 0 without a pass that writes the zeros, and large blocks on
// transparent huge pages, so that faulting in a trace's hundreds of MB costs one page fault
// per 2 MiB rather than one per 4 KiB (on a virtual machine a fault can cost more than the
// arithmetic that fills the page).
#pragma once

#include <cstddef>
#include <memory>
#include <new>
#include <utility>
#include <vector>

namespace attn {

namespace zeroed {
constexpr std::size_t hugePageBytes = std::size_t(2) << 20;
// Blocks of at least this many bytes get huge pages of their own, rounded up to whole ones.
constexpr std::size_t hugeBlockBytes = hugePageBytes / 4;

void* allocate(std::size_t bytes);                 // zeroed; throws std::bad_alloc
void deallocate(void* block, std::size_t bytes) noexcept;

// The length of the mapping that the block for `bytes` has to itself (whole huge pages, on a
// huge-page boundary), or 0 for a block carved from the heap. Only such a block can be watched.
std::size_t ownMappingBytes(std::size_t bytes);

// A device that has imported a block (a GPU writing results straight into a tensor) must
// let go of it while the block is still mapped. A watched block's watcher is told when the
// block is freed, before its pages are unmapped or handed out again, on the freeing thread.
class FreeWatcher {
public:
    virtual void blockFreed(const void* block) noexcept = 0;

protected:
    ~FreeWatcher() = default;
};
// One watcher per block: false (and nothing changes) when another one watches it already.
bool watchFree(const void* block, std::shared_ptr<FreeWatcher> watcher);
void unwatchFree(const void* block, const FreeWatcher& watcher); // the watcher let go first
} // namespace zeroed

// Elements inserted without a value are left as the memory holds them: zero in a new block.
// Storage that is reused (a vector resized within its capacity) keeps its old values there,
// so grow such a vector with an explicit value.
template <typename T>
class ZeroedAllocator {
public:
    using value_type = T;

    ZeroedAllocator() noexcept = default;
    template <typename U>
    ZeroedAllocator(const ZeroedAllocator<U>&) noexcept {}

    T* allocate(std::size_t count)
    {
        if (count > std::size_t(-1) / sizeof(T))
            throw std::bad_array_new_length();
        return static_cast<T*>(zeroed::allocate(count * sizeof(T)));
    }
    void deallocate(T* block, std::size_t count) noexcept { zeroed::deallocate(block, count * sizeof(T)); }

    template <typename U>
    void construct(U* place) noexcept
    {
        ::new (static_cast<void*>(place)) U; // default-initialised: no write for float
    }
    template <typename U, typename... Args>
    void construct(U* place, Args&&... args)
    {
        ::new (static_cast<void*>(place)) U(std::forward<Args>(args)...);
    }
};

template <typename T, typename U>
bool operator==(const ZeroedAllocator<T>&, const ZeroedAllocator<U>&) noexcept
{
    return true; // stateless: any one frees what another allocated
}

using FloatStorage = std::vector<float, ZeroedAllocator<float>>;

} // namespace attn
