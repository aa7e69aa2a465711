#include "cpu_support.h"

#include <string>

#if defined(KBATCH_DECODER_HASWELL)
#include <cpuid.h>
#endif

#include <fmt/format.h>

namespace kbatch {

#if defined(KBATCH_DECODER_HASWELL)
namespace {

// LZCNT has no __builtin_cpu_supports name that GCC and clang share ("abm" is GCC's only), so
// ask CPUID: leaf 0x80000001, ECX bit 5.
bool has_lzcnt() {
    unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
    if (__get_cpuid(0x80000001, &eax, &ebx, &ecx, &edx) == 0)
        return false;
    return (ecx & (1u << 5)) != 0;
}

}  // namespace
#endif

Status check_cpu_support() {
#if defined(KBATCH_DECODER_HASWELL)
    // The features simdjson's haswell kernel is compiled with (-mavx2 -mbmi -mbmi2 -mpclmul
    // -mlzcnt).
    std::string missing;
    const auto require = [&missing](bool present, std::string_view name) {
        if (present)
            return;
        if (!missing.empty())
            missing += ", ";
        missing += name;
    };
    __builtin_cpu_init();
    require(__builtin_cpu_supports("avx2"), "avx2");
    require(__builtin_cpu_supports("bmi"), "bmi");
    require(__builtin_cpu_supports("bmi2"), "bmi2");
    require(__builtin_cpu_supports("pclmul"), "pclmul");
    require(has_lzcnt(), "lzcnt");
    if (!missing.empty()) {
        return Status::error(
            ErrorKind::kConfigError,
            fmt::format("this build of kbatch decodes events with AVX2 but this CPU "
                        "lacks {}; rebuild with -DKBATCH_SIMD=portable",
                        missing));
    }
#endif
    return Status::ok();
}

}  // namespace kbatch
