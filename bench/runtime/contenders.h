// bench/runtime: the programs that both runtime benchmarks (runtime_figures.cc and
// transfer_figures_main.cc) start, and the command-line options that name them.
#pragma once

#include <string>

#include <CLI/CLI.hpp>

namespace kbatch::bench {

/// Paths to the two runtimes under test and what they need.
struct ContenderPaths {
    std::string kbatch;       // the kbatch CLI (for serve)
    std::string runtime;      // kbatch-runtime
    std::string plugin;       // the checksum plugin .so
    std::string node;         // node
    std::string ric_dir;      // where aws-lambda-ric is installed (DIR/node_modules/...)
    std::string handler_dir;  // where handler.js is
};

/// Adds --kbatch, --runtime, --plugin, --node, --ric-dir and --handler-dir (all required) to
/// `app`; `paths` must outlive the parse.
inline void add_contender_options(CLI::App& app, ContenderPaths& paths) {
    app.add_option("--kbatch", paths.kbatch, "the kbatch CLI")->required();
    app.add_option("--runtime", paths.runtime, "kbatch-runtime")->required();
    app.add_option("--plugin", paths.plugin, "the checksum plugin")->required();
    app.add_option("--node", paths.node, "node")->required();
    app.add_option("--ric-dir", paths.ric_dir, "where aws-lambda-ric is installed")->required();
    app.add_option("--handler-dir", paths.handler_dir, "where handler.js is")->required();
}

}  // namespace kbatch::bench
