#include "request_ids.h"

#include <chrono>
#include <cstdint>
#include <random>

#include <fmt/format.h>

namespace kbatch::serve {

RequestIds::RequestIds() {
    std::random_device device;
    state_ = (static_cast<unsigned long long>(device()) << 32) ^ device();
}

// splitmix64: tiny, well mixed, and its sequence never repeats within 2^64 calls, so two
// invocations of one `serve` never share an id.
unsigned long long RequestIds::next() {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

std::string RequestIds::request_id() {
    const std::uint64_t high = next();
    const std::uint64_t low = next();
    // Version 4 (random) and the RFC 4122 variant, as Lambda's own ids are.
    return fmt::format("{:08x}-{:04x}-4{:03x}-{:x}{:03x}-{:012x}", high >> 32,
                       (high >> 16) & 0xffff, high & 0xfff, 0x8 | ((low >> 60) & 0x3),
                       (low >> 48) & 0xfff, low & 0xffffffffffffULL);
}

std::string RequestIds::trace_id() {
    const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
    const std::uint64_t a = next();
    const std::uint64_t b = next();
    const std::uint64_t parent = next();
    return fmt::format("Root=1-{:08x}-{:016x}{:08x};Parent={:016x};Sampled=0",
                       static_cast<std::uint64_t>(seconds) & 0xffffffffULL, a, b >> 32, parent);
}

}  // namespace kbatch::serve
