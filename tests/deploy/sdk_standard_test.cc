// A plugin compiled in C++17 or older (the README's plain `c++` line with the wrong -std, or a
// project whose flags force one): the SDK says what to do in its first error, instead of failing
// deep inside record.hpp. Compiled with this build's compiler against the source tree's headers.
#include <filesystem>
#include <string>

#include <catch2/catch.hpp>

#include "deploy_paths.h"
#include "test_support.h"

namespace kbatch::deploy_test {
namespace {

namespace fs = std::filesystem;

// Compiles (syntax only) a file that includes `header`, in the language mode `standard`.
kbatch::test::CommandResult compile_including(const std::string& header,
                                              const std::string& standard) {
    kbatch::test::TempDir work;
    const fs::path source = work / "plugin.cc";
    kbatch::test::write_file(source, "#include <" + header + ">\n");
    return kbatch::test::run_command({cxx_compiler(), "-std=" + standard, "-fsyntax-only",
                                      "-DBOOST_DLL_USE_STD_FS", "-I" + sdk_include().string(),
                                      source.string()});
}

// The first line of the compiler's output that reports an error.
std::string first_error(const std::string& output) {
    const std::size_t error = output.find("error");
    REQUIRE(error != std::string::npos);
    const std::size_t newline = output.rfind('\n', error);
    const std::size_t begin = newline == std::string::npos ? 0 : newline + 1;
    const std::size_t end = output.find('\n', error);
    return output.substr(begin, end == std::string::npos ? std::string::npos : end - begin);
}

}  // namespace

TEST_CASE("an SDK header compiled as C++17 fails first with the SDK's own message") {
    for (const char* header : {"kbatch/plugin.hpp", "kbatch/testing.hpp"}) {
        INFO(header);
        const kbatch::test::CommandResult compiled = compile_including(header, "c++17");
        INFO(compiled.err);
        CHECK(compiled.exit_code != 0);
        CHECK(first_error(compiled.err).find("kbatch plugins need C++20 (-std=c++20)") !=
              std::string::npos);
    }
}

TEST_CASE("the same headers compile as C++20") {
    for (const char* header : {"kbatch/plugin.hpp", "kbatch/testing.hpp"}) {
        INFO(header);
        const kbatch::test::CommandResult compiled = compile_including(header, "c++20");
        INFO(compiled.err);
        CHECK(compiled.exit_code == 0);
    }
}

}  // namespace kbatch::deploy_test
