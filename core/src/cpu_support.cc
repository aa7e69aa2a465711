#include "cpu_support.h"

#include <string>

#include <fmt/format.h>

namespace kbatch {

Status check_cpu_support() {
#if defined(KBATCH_DECODER_HASWELL)
    // The features simdjson's haswell kernel is compiled with (-mavx2 -mbmi -mbmi2 -mpclmul
    // -mlzcnt); "abm" is how GCC names the LZCNT bit.
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
    require(__builtin_cpu_supports("abm"), "lzcnt");
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
