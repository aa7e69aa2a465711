// The zips themselves: what is in them, where, with which modes, how big, and (without root)
// that the layer's host and plugins resolve every library inside the layer.
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "deploy_paths.h"
#include "elf_sections.h"
#include "empty_root.h"
#include "test_support.h"

namespace kbatch::deploy_test {
namespace {

namespace fs = std::filesystem;
using Strings = std::vector<std::string>;

// The layer's fixed contents; lib/kbatch/system holds whatever the host needs besides these.
const Strings kRuntimeFiles = {
    "bin/kbatch-runtime",
    "bootstrap",
    "kbatch-version",
    "lib/kbatch/plugins/libjson_check.so",
    "lib/kbatch/plugins/librandom_failure.so",
};
const Strings kSystemLibraries = {"ld-linux-x86-64.so.2", "libc.so.6", "libgcc_s.so.1", "libm.so.6",
                                  "libstdc++.so.6"};

bool contains(const Strings& list, const std::string& item) {
    return std::find(list.begin(), list.end(), item) != list.end();
}

std::uintmax_t total_size(const fs::path& dir) {
    std::uintmax_t total = 0;
    for (const fs::directory_entry& entry : fs::recursive_directory_iterator(dir)) {
        if (entry.is_regular_file())
            total += entry.file_size();
    }
    return total;
}

void report_size(const fs::path& zip, const fs::path& unpacked) {
    std::cout << zip.filename().string() << ": " << size_mib(zip) << " MiB zipped, "
              << static_cast<double>(total_size(unpacked)) / (1024.0 * 1024.0) << " MiB unpacked"
              << std::endl;
}

// The runtime tree (layer or standalone), checked file by file; `extra` are the files a plugin's
// standalone zip adds to it.
void check_runtime_tree(const EmptyRoot& root, const std::string& dir, const Strings& extra = {}) {
    Strings files;
    for (const std::string& file : root.files()) {
        if (file.starts_with(dir + "/"))
            files.push_back(file.substr(dir.size() + 1));
    }
    INFO("files:\n" << Catch::Detail::stringify(files));
    for (const std::string& expected : kRuntimeFiles)
        CHECK(contains(files, expected));
    for (const std::string& library : kSystemLibraries)
        CHECK(contains(files, "lib/kbatch/system/" + library));
    for (const std::string& file : files) {
        INFO(file);
        // Nothing else, and nothing in lib/ itself: Lambda puts /opt/lib on every process's
        // LD_LIBRARY_PATH, and another glibc there would break the image's own programs.
        CHECK((contains(kRuntimeFiles, file) || file.starts_with("lib/kbatch/system/") ||
               contains(extra, file)));
        // Lambda's user owns none of it: readable and executable by all.
        const fs::perms perms = fs::status(root.path() / dir / file).permissions();
        CHECK((perms & fs::perms::others_read) != fs::perms::none);
        CHECK((perms & fs::perms::others_exec) != fs::perms::none);
    }
    CHECK(kbatch::test::read_file(root.path() / dir / "bootstrap").starts_with("#!/bin/sh\n"));
    // Which kbatch a deployed function runs: `cat /opt/kbatch-version`.
    CHECK(kbatch::test::read_file(root.path() / dir / "kbatch-version") == kbatch_version() + "\n");
    for (const std::string& file : extra)
        CHECK(contains(files, file));
}

// What a stripped file lacks: debug information and the local symbol table (the dynamic
// symbols, which dlopen and the host need, are in .dynsym and stay).
void check_stripped(const fs::path& file) {
    INFO(file.string());
    CHECK_FALSE(has_elf_section(file, ".debug_info"));
    CHECK_FALSE(has_elf_section(file, ".symtab"));
    CHECK(has_elf_section(file, ".dynsym"));
}

// Runs the layer's own loader in list mode over `object`, with only the layer's library folder
// and no cache: every library it resolves must be a file of the layer.
void check_resolves_inside(const fs::path& tree, const std::string& object) {
    const fs::path system = tree / "lib/kbatch/system";
    const kbatch::test::CommandResult listed = kbatch::test::run_command(
        {(system / "ld-linux-x86-64.so.2").string(), "--inhibit-cache", "--library-path",
         system.string(), "--list", (tree / object).string()});
    INFO(object << " needs:\n" << listed.out << listed.err);
    REQUIRE(listed.exit_code == 0);
    std::istringstream lines(listed.out);
    std::string line;
    int resolved = 0;
    while (std::getline(lines, line)) {
        const std::size_t arrow = line.find("=> ");
        if (arrow == std::string::npos)
            continue;
        const std::string path = line.substr(arrow + 3, line.find(" (") - arrow - 3);
        INFO(line);
        CHECK(path.starts_with(system.string() + "/"));
        ++resolved;
    }
    CHECK(resolved > 0);
}

}  // namespace

TEST_CASE("the layer holds bootstrap, the host, its whole C/C++ runtime and the plugins") {
    EmptyRoot root;
    root.unpack(layer_zip(), "opt");
    check_runtime_tree(root, "opt");
    report_size(layer_zip(), root.path() / "opt");
    // The anchor's packager makes 6.5 MB for a trivial program; stay below that. (A sanitizer
    // build carries its sanitizer runtimes too.)
    if (!sanitized())
        CHECK(size_mib(layer_zip()) < 6.5);
}

TEST_CASE("the layer's host and plugins need no library from outside the layer") {
    EmptyRoot root;
    root.unpack(layer_zip(), "opt");
    for (const char* object : {"bin/kbatch-runtime", "lib/kbatch/plugins/libjson_check.so",
                               "lib/kbatch/plugins/librandom_failure.so"})
        check_resolves_inside(root.path() / "opt", object);
}

TEST_CASE("the standalone zip holds the same tree, for /var/task") {
    EmptyRoot root;
    root.unpack(standalone_zip(), "var/task");
    check_runtime_tree(root, "var/task");
    report_size(standalone_zip(), root.path() / "var/task");
}

TEST_CASE("the function zip holds the plugin at its root, and nothing of the runtime") {
    EmptyRoot root;
    root.unpack(function_zip(), "var/task");
    CHECK(root.files() == Strings{"var/task/libjson_check.so"});
    report_size(function_zip(), root.path() / "var/task");
}

TEST_CASE("a function zip carries the plugin's own libraries in lib/, under their sonames") {
    EmptyRoot root;
    root.unpack(library_function_zip(), "var/task");
    CHECK(root.files() ==
          Strings{"var/task/lib/libdeploy_greeting.so.1", "var/task/libdeploy_greeting_plugin.so"});
}

TEST_CASE("the zips' names carry kbatch's version and Lambda's architecture") {
    const std::string suffix = "-" + kbatch_version() + "-" + lambda_arch() + ".zip";
    CHECK(layer_zip().filename().string() == "kbatch-layer" + suffix);
    CHECK(standalone_zip().filename().string() == "kbatch-standalone" + suffix);
}

TEST_CASE("a plugin's zips hold it and its libraries stripped, and the build keeps them whole") {
    EmptyRoot root;
    root.unpack(library_function_zip(), "var/task");
    const fs::path packaged = root.path() / "var/task/libdeploy_greeting_plugin.so";
    check_stripped(packaged);
    check_stripped(root.path() / "var/task/lib/libdeploy_greeting.so.1");
    // The build folder's copy keeps its symbols, to debug with.
    CHECK(has_elf_section(library_plugin(), ".symtab"));
    std::cout << "libdeploy_greeting_plugin.so: " << fs::file_size(library_plugin())
              << " bytes built, " << fs::file_size(packaged) << " bytes packaged" << std::endl;
    CHECK(fs::file_size(packaged) < fs::file_size(library_plugin()));
}

TEST_CASE("a plugin's standalone zip is the runtime tree with the plugin at its root") {
    EmptyRoot root;
    root.unpack(library_standalone_zip(), "var/task");
    check_runtime_tree(root, "var/task",
                       {"libdeploy_greeting_plugin.so", "lib/libdeploy_greeting.so.1"});
    check_stripped(root.path() / "var/task/libdeploy_greeting_plugin.so");
    report_size(library_standalone_zip(), root.path() / "var/task");
}

}  // namespace kbatch::deploy_test
