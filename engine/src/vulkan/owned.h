// Owned<Handle>: one Vulkan object and the call that destroys it, so that every object is
// released in reverse order of creation on every path, error paths included.
#pragma once

#include <functional>
#include <utility>

namespace attn::vulkan {

template <typename Handle>
class Owned {
public:
    Owned() = default;
    Owned(Handle handle, std::function<void(Handle)> destroy) : m_handle(handle), m_destroy(std::move(destroy)) {}
    ~Owned() { reset(); }

    Owned(Owned&& other) noexcept
        : m_handle(std::exchange(other.m_handle, Handle{})), m_destroy(std::move(other.m_destroy))
    {
    }
    Owned& operator=(Owned&& other) noexcept
    {
        if (this != &other) {
            reset();
            m_handle = std::exchange(other.m_handle, Handle{});
            m_destroy = std::move(other.m_destroy);
        }
        return *this;
    }
    Owned(const Owned&) = delete;
    Owned& operator=(const Owned&) = delete;

    Handle get() const { return m_handle; }
    explicit operator bool() const { return m_handle != Handle{}; }

    void reset()
    {
        if (m_handle != Handle{} && m_destroy)
            m_destroy(m_handle);
        m_handle = Handle{};
    }

private:
    Handle m_handle{};
    std::function<void(Handle)> m_destroy;
};

} // namespace attn::vulkan
