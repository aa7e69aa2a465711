#include "test_support.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <sstream>

#include <fmt/format.h>
#include <catch2/catch.hpp>
#include <kbatch/testing.hpp>

extern char** environ;

namespace kbatch::test {
namespace fs = std::filesystem;

fs::path stub_dir() {
    return KBATCH_TEST_STUB_DIR;
}
fs::path stub_path(std::string_view name) {
    return stub_dir() / fmt::format("libstub_{}.so", name);
}
fs::path fixtures_dir() {
    return fs::path(KBATCH_TEST_FIXTURES_DIR).lexically_normal();
}
void report_skipped(std::string_view reason) {
    // Written straight to stdout (not a Catch message) so that it shows whatever the reporter.
    std::fputs(fmt::format("kbatch test skipped: {}\n", reason).c_str(), stdout);
    std::fflush(stdout);
}

bool skip_without_peer_fixtures() {
    if (fs::is_directory(fixtures_dir()))
        return false;
    report_skipped(fmt::format(
        "the peer fixtures are not at {} (../shared/fixtures/peer-events beside the repository, "
        "which a user's clone does not have)",
        fixtures_dir().string()));
    return true;
}

fs::path events_dir() {
    return KBATCH_TEST_EVENTS_DIR;
}
fs::path sdk_include_dir() {
    return KBATCH_TEST_SDK_INCLUDE_DIR;
}
fs::path out_of_tree_source() {
    return KBATCH_TEST_OUT_OF_TREE_SOURCE;
}
fs::path kbatch_binary() {
    return KBATCH_TEST_KBATCH_BINARY;
}
fs::path random_failure_plugin() {
    return KBATCH_TEST_RANDOM_FAILURE_PLUGIN;
}

std::string read_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    INFO("reading " << path);
    REQUIRE(in.good());
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void write_file(const fs::path& path, std::string_view contents) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(contents.data(), static_cast<std::streamsize>(contents.size()));
    out.close();
    INFO("writing " << path);
    REQUIRE(out.good());
}

TempDir::TempDir() {
    std::string pattern = (fs::temp_directory_path() / "kbatch-test-XXXXXX").string();
    INFO("mkdtemp " << pattern << ": " << std::strerror(errno));
    REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    path_ = pattern;
}

TempDir::~TempDir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
}

std::optional<std::string> reference_base64_decode(std::string_view text) {
    static constexpr std::string_view kAlphabet =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    if (text.size() % 4 != 0)
        return std::nullopt;
    std::string out;
    for (std::size_t i = 0; i < text.size(); i += 4) {
        unsigned long group = 0;
        int padding = 0;
        for (std::size_t k = 0; k < 4; ++k) {
            const char c = text[i + k];
            group <<= 6;
            if (c == '=') {
                // '=' only in the last two places of the last group.
                if (i + 4 != text.size() || k < 2)
                    return std::nullopt;
                ++padding;
                continue;
            }
            if (padding > 0)
                return std::nullopt;  // a letter after '='
            const std::size_t value = kAlphabet.find(c);
            if (value == std::string_view::npos)
                return std::nullopt;
            group |= value;
        }
        // Bits that no output byte uses must be zero (RFC 4648 section 3.5, canonical encoding).
        if (padding == 1 && (group & 0xFF) != 0)
            return std::nullopt;
        if (padding == 2 && (group & 0xFFFF) != 0)
            return std::nullopt;
        out += static_cast<char>(group >> 16 & 0xFF);
        if (padding < 2)
            out += static_cast<char>(group >> 8 & 0xFF);
        if (padding < 1)
            out += static_cast<char>(group & 0xFF);
    }
    return out;
}

std::string random_bytes(std::mt19937& engine, std::size_t size) {
    std::uniform_int_distribution<int> byte(0, 255);
    std::string bytes(size, '\0');
    for (char& c : bytes)
        c = static_cast<char>(byte(engine));
    return bytes;
}

std::vector<kbatch::testing::TestRecord> numbered_records(std::size_t count,
                                                          std::string_view data_prefix) {
    std::vector<kbatch::testing::TestRecord> records;
    for (std::size_t i = 0; i < count; ++i) {
        records.push_back(
            {kbatch::testing::sequence_number(i), fmt::format("{}{}", data_prefix, i)});
    }
    return records;
}

std::string event_from_records(const nlohmann::json& records) {
    return nlohmann::json{{"Records", records}}.dump();
}

std::string lambda_form_event(const std::vector<kbatch::testing::TestRecord>& records) {
    nlohmann::ordered_json array = nlohmann::ordered_json::array();
    for (const kbatch::testing::TestRecord& record : records)
        array.push_back(kbatch::testing::basic_record_json<nlohmann::ordered_json>(record));
    return nlohmann::ordered_json{{"Records", std::move(array)}}.dump();
}

std::vector<std::string> item_identifiers(const std::string& response) {
    INFO("response: " << response);
    const nlohmann::json json = nlohmann::json::parse(response, nullptr, false);
    REQUIRE_FALSE(json.is_discarded());
    REQUIRE(json.is_object());
    REQUIRE(json.size() == 1);
    REQUIRE(json.contains("batchItemFailures"));
    const nlohmann::json& failures = json["batchItemFailures"];
    REQUIRE(failures.is_array());
    // One assertion for all items (batches have up to 10,000): the first bad item is named.
    std::vector<std::string> identifiers;
    std::string bad_item;
    for (const nlohmann::json& item : failures) {
        if (!item.is_object() || item.size() != 1 || !item.contains("itemIdentifier") ||
            !item["itemIdentifier"].is_string() ||
            item["itemIdentifier"].get_ref<const std::string&>().empty()) {
            bad_item = item.dump();
            break;
        }
        identifiers.push_back(item["itemIdentifier"].get<std::string>());
    }
    INFO("not {\"itemIdentifier\": \"<non-empty string>\"}: " << bad_item);
    REQUIRE(bad_item.empty());
    return identifiers;
}

std::vector<char*> exec_array(const std::vector<std::string>& strings) {
    std::vector<char*> array;
    array.reserve(strings.size() + 1);
    // char* only because exec's C signature predates const: neither exec nor spawn writes them.
    for (const std::string& s : strings)
        array.push_back(const_cast<char*>(s.c_str()));
    array.push_back(nullptr);
    return array;
}

CommandResult run_command(const std::vector<std::string>& argv, std::string_view input,
                          const std::vector<std::string>& extra_env) {
    REQUIRE_FALSE(argv.empty());
    // The child's standard streams are files, so neither side can block on a full pipe.
    TempDir io;
    const fs::path in_path = io / "stdin", out_path = io / "stdout", err_path = io / "stderr";
    write_file(in_path, input);

    std::vector<std::string> env;
    for (char** entry = environ; *entry != nullptr; ++entry) {
        const std::string_view variable(*entry);
        if (variable.starts_with("KBATCH_") || variable.starts_with("AWS_LAMBDA_") ||
            variable.starts_with("_HANDLER=")) {
            continue;
        }
        env.emplace_back(variable);
    }
    env.insert(env.end(), extra_env.begin(), extra_env.end());
    const std::vector<char*> argv_ptrs = exec_array(argv), env_ptrs = exec_array(env);

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, in_path.c_str(), O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                     0600);
    posix_spawn_file_actions_addopen(&actions, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                     0600);
    pid_t pid = 0;
    const int spawn_error =
        ::posix_spawnp(&pid, argv[0].c_str(), &actions, nullptr, argv_ptrs.data(), env_ptrs.data());
    posix_spawn_file_actions_destroy(&actions);
    INFO("spawning " << argv[0] << ": " << std::strerror(spawn_error));
    REQUIRE(spawn_error == 0);

    int status = 0;
    while (::waitpid(pid, &status, 0) < 0) {
        REQUIRE(errno == EINTR);
    }
    CommandResult result;
    if (WIFEXITED(status))
        result.exit_code = WEXITSTATUS(status);
    if (WIFSIGNALED(status))
        result.signal = WTERMSIG(status);
    result.out = read_file(out_path);
    result.err = read_file(err_path);
    return result;
}

CommandResult run_kbatch(const std::vector<std::string>& args, std::string_view input,
                         const std::vector<std::string>& extra_env) {
    std::vector<std::string> argv{kbatch_binary().string()};
    argv.insert(argv.end(), args.begin(), args.end());
    return run_command(argv, input, extra_env);
}

}  // namespace kbatch::test
