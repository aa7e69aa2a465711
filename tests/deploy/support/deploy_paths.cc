#include "deploy_paths.h"

#include <unistd.h>

#include "test_support.h"

namespace kbatch::deploy_test {
namespace fs = std::filesystem;

fs::path layer_zip() {
    return KBATCH_DEPLOY_LAYER_ZIP;
}
fs::path standalone_zip() {
    return KBATCH_DEPLOY_STANDALONE_ZIP;
}
fs::path function_zip() {
    return KBATCH_DEPLOY_FUNCTION_ZIP;
}
fs::path library_function_zip() {
    return KBATCH_DEPLOY_LIBRARY_FUNCTION_ZIP;
}
fs::path library_standalone_zip() {
    return KBATCH_DEPLOY_LIBRARY_STANDALONE_ZIP;
}
fs::path library_plugin() {
    return KBATCH_DEPLOY_LIBRARY_PLUGIN;
}
fs::path template_file() {
    return KBATCH_DEPLOY_TEMPLATE;
}
fs::path plugin_source() {
    return KBATCH_DEPLOY_PLUGIN_SOURCE;
}
fs::path readme_project() {
    return KBATCH_DEPLOY_README_PROJECT;
}
fs::path sdk_include() {
    return KBATCH_DEPLOY_SDK_INCLUDE;
}
std::string kbatch_version() {
    return KBATCH_DEPLOY_VERSION;
}
std::string lambda_arch() {
    return KBATCH_DEPLOY_ARCH;
}
fs::path build_dir() {
    return KBATCH_DEPLOY_BUILD_DIR;
}
fs::path busybox() {
    return KBATCH_DEPLOY_BUSYBOX;
}

std::string cmake_command() {
    return KBATCH_DEPLOY_CMAKE;
}
std::string ctest_command() {
    return KBATCH_DEPLOY_CTEST;
}
std::string cmake_generator() {
    return KBATCH_DEPLOY_GENERATOR;
}
std::string make_program() {
    return KBATCH_DEPLOY_MAKE_PROGRAM;
}
std::string cxx_compiler() {
    return KBATCH_DEPLOY_CXX_COMPILER;
}

double size_mib(const fs::path& file) {
    return static_cast<double>(fs::file_size(file)) / (1024.0 * 1024.0);
}

bool sanitized() {
    return KBATCH_DEPLOY_SANITIZED != 0;
}

std::string why_no_empty_root() {
    if (::geteuid() != 0)
        return "chroot(2) needs root; run the tests as root (as CI does)";
    if (sanitized())
        return "a sanitizer build: its runtime needs /proc, which an empty root does not have";
    return "";
}

bool can_run_in_empty_root() {
    const std::string why = why_no_empty_root();
    if (why.empty())
        return true;
    kbatch::test::report_skipped(why);
    return false;
}

}  // namespace kbatch::deploy_test
