// `kbatch invoke` against what used to break it: input without an end, a plugin that prints to
// stdout or throws from its destructor, and a plugin that leaves a thread running at exit.
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <kbatch/testing.hpp>

#include "test_support.h"

namespace {

using kbatch::test::CommandResult;

std::string example_path() {
    return (kbatch::test::events_dir() / "example.json").string();
}

constexpr std::size_t kLambdaLimit = 6291456;

}  // namespace

TEST_CASE("kbatch invoke stops reading an endless file at Lambda's limit and says so") {
    const CommandResult result = kbatch::test::run_kbatch({"invoke", "--data-file", "/dev/zero"});
    INFO("stderr: " << result.err);
    CHECK(result.signal == 0);
    CHECK(result.exit_code == 1);
    CHECK(result.out.empty());
    CHECK_THAT(result.err,
               Catch::Contains("/dev/zero: Kbatch.InvalidEvent: the event is over Lambda's "
                               "invocation limit of 6291456 bytes"));
}

TEST_CASE("kbatch invoke takes standard input up to the limit, and refuses one byte more") {
    // Whitespace after a valid event is still a valid event: exactly at the limit it is decoded.
    std::string event = kbatch::test::read_file(example_path());
    event.resize(kLambdaLimit, ' ');
    const std::vector<std::string> args = {"invoke", "--data-file", "-", "--plugin",
                                           kbatch::test::stub_path("never_fails").string()};
    const CommandResult at_limit = kbatch::test::run_kbatch(args, event);
    INFO("stderr: " << at_limit.err);
    CHECK(at_limit.exit_code == 0);
    CHECK(at_limit.out == "{\"batchItemFailures\":[]}\n");

    event.push_back(' ');
    const CommandResult over = kbatch::test::run_kbatch(args, event);
    CHECK(over.exit_code == 1);
    CHECK(over.out.empty());
    CHECK_THAT(over.err, Catch::Contains("-: Kbatch.InvalidEvent: the event is over Lambda's "
                                         "invocation limit of 6291456 bytes"));
}

TEST_CASE("a plugin's output to stdout goes to stderr; the response stays alone on stdout") {
    const CommandResult result = kbatch::test::run_kbatch(
        {"invoke", "--data-file", "-", "--plugin",
         kbatch::test::stub_path("misbehaves_on_stdout").string()},
        kbatch::testing::event_json({{"1", "ok"}, {"2", "fail"}, {"3", "ok"}}));
    INFO("stdout: " << result.out << "\nstderr: " << result.err);
    CHECK(result.signal == 0);
    CHECK(result.exit_code == 0);
    CHECK(result.out == R"({"batchItemFailures":[{"itemIdentifier":"2"}]})"
                        "\n");
    CHECK_THAT(result.err, Catch::Contains("stub_misbehaves_on_stdout: constructed"));
    CHECK_THAT(result.err, Catch::Contains("stub_misbehaves_on_stdout: 3"));
    // Left in stdio's buffer by the plugin, flushed at exit: still not on stdout.
    CHECK_THAT(result.err, Catch::Contains("stub_misbehaves_on_stdout: unflushed"));
    // The destructor's exception is a warning, after the response: not an abort.
    CHECK_THAT(result.err,
               Catch::Contains("the plugin's destructor threw: stub destructor failure"));
}

TEST_CASE("a plugin that leaves a thread running does not crash the process at exit") {
    // Unmapping the library under the running thread crashed about half of the runs.
    for (int run = 0; run < 12; ++run) {
        const CommandResult result =
            kbatch::test::run_kbatch({"invoke", "--data-file", example_path(), "--plugin",
                                      kbatch::test::stub_path("leaves_thread_running").string()});
        INFO("run " << run << " stderr: " << result.err);
        REQUIRE(result.signal == 0);
        REQUIRE(result.exit_code == 0);
        CHECK(result.out == "{\"batchItemFailures\":[]}\n");
    }
}
