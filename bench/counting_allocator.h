// kbatch bench: counts the program's heap allocations, to show that the steady state makes none
// per record.
//
// Linking counting_allocator.cc into an executable replaces the global operator new and delete
// (every form) for the whole process, shared objects included: the C++ standard library, simdjson,
// fmt, nlohmann/json and a dlopen'ed plugin all allocate through it. malloc called directly from C
// code is not counted.
#pragma once

#include <cstdint>

namespace kbatch::bench {

/// How many times any global operator new has been called since the process started.
std::uint64_t allocation_count() noexcept;

}  // namespace kbatch::bench
