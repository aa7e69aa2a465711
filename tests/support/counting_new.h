// Counting a program's allocations: include in exactly one source file of a test program, which
// then replaces the global operator new and delete. Every form that pairs with free() is
// replaced, the nothrow ones too (Catch2 uses them), so that ASan sees matching allocations and
// frees; the aligned forms stay the runtime's, as a pair. A test counts the allocations of a block
// that holds no Catch2 assertion (Catch2 allocates).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdlib>
#include <new>

namespace kbatch::test {
/// Allocations made so far by operator new, every form.
inline std::atomic<long> g_allocations{0};
}  // namespace kbatch::test

namespace kbatch::test::detail {
inline void* counted_allocation(std::size_t size) noexcept {
    ++g_allocations;
    return std::malloc(size == 0 ? 1 : size);
}
}  // namespace kbatch::test::detail

void* operator new(std::size_t size) {
    if (void* p = kbatch::test::detail::counted_allocation(size))
        return p;
    throw std::bad_alloc();
}
void* operator new[](std::size_t size) {
    if (void* p = kbatch::test::detail::counted_allocation(size))
        return p;
    throw std::bad_alloc();
}
void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
    return kbatch::test::detail::counted_allocation(size);
}
void* operator new[](std::size_t size, const std::nothrow_t&) noexcept {
    return kbatch::test::detail::counted_allocation(size);
}
void operator delete(void* p) noexcept {
    std::free(p);
}
void operator delete[](void* p) noexcept {
    std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
    std::free(p);
}
void operator delete[](void* p, std::size_t) noexcept {
    std::free(p);
}
void operator delete(void* p, const std::nothrow_t&) noexcept {
    std::free(p);
}
void operator delete[](void* p, const std::nothrow_t&) noexcept {
    std::free(p);
}
