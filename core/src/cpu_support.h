// kbatch core: making sure this CPU can run the decoder this build was compiled for.
#pragma once

#include <string_view>

#include "status.h"

namespace kbatch {

/// simdjson's on-demand decoder is compiled for one instruction set (see KBATCH_SIMD in the top
/// CMakeLists.txt): AVX2 ("haswell") by default on x86-64, which every Lambda x86_64 host has.
/// Returns kConfigError, naming the missing features, on a CPU that cannot run it. Call it first
/// thing in main(), before any decoding code runs.
Status check_cpu_support();

/// The simdjson implementation the decoder uses ("haswell", "fallback", "arm64", ...).
std::string_view decoder_implementation_name();

}  // namespace kbatch
