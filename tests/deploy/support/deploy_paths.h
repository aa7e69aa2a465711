// Deployment tests: where the packages and tools are (set by tests/deploy/CMakeLists.txt), and
// whether this machine can run a program in an empty root.
#pragma once

#include <filesystem>
#include <string>

namespace kbatch::deploy_test {

std::filesystem::path layer_zip();       // kbatch-layer-<version>-<arch>.zip
std::filesystem::path standalone_zip();  // kbatch-standalone-<version>-<arch>.zip
std::filesystem::path function_zip();    // json_check-function.zip
// deploy_greeting_plugin-function.zip: a plugin and, in lib/, its own shared library.
std::filesystem::path library_function_zip();
// deploy_greeting_plugin-standalone.zip: the same with the runtime tree (no layer).
std::filesystem::path library_standalone_zip();
// libdeploy_greeting_plugin.so as built (with this build's debug information, if any).
std::filesystem::path library_plugin();
std::filesystem::path template_file();   // the SAM template, configured (template.yaml)
std::filesystem::path plugin_source();   // plugins/json_check, the model plugin's folder
std::filesystem::path readme_project();  // fixtures/readme_plugin: the README's plugin project
std::filesystem::path sdk_include();     // core/include, the SDK headers in the source tree
std::string kbatch_version();            // project()'s version, as in the zips' names
std::string lambda_arch();               // x86_64 or arm64
std::filesystem::path build_dir();       // this build (to install from)
std::filesystem::path busybox();         // empty when none was found at configure time

// The toolchain this build uses, for configuring the out-of-tree project the same way.
std::string cmake_command();
std::string ctest_command();
std::string cmake_generator();
std::string make_program();
std::string cxx_compiler();

/// The file's size in MiB, for the report lines the tests print.
double size_mib(const std::filesystem::path& file);

/// Whether this build is instrumented with sanitizers.
bool sanitized();

/// Why the chroot tests cannot run here, or "" if they can: they need root (chroot(2)) and a
/// build without sanitizers (their runtimes read /proc, which an empty root has not).
std::string why_no_empty_root();

/// Whether the chroot tests can run (see why_no_empty_root). If not, reports the test skipped
/// with the reason (kbatch::test::report_skipped).
bool can_run_in_empty_root();

}  // namespace kbatch::deploy_test
