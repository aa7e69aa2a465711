// The default plugin, random_failure: each record fails independently with probability
// failure_rate; a seed makes the answers repeatable; a bad configuration is a ConfigError.
// The plugin is the real shared object, loaded as the host loads it.
#include <cstddef>
#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <kbatch/testing.hpp>
#include <nlohmann/json.hpp>

#include "invocation_handler.h"
#include "plugin_loader.h"
#include "test_support.h"

namespace kt = kbatch::testing;

namespace {

constexpr std::size_t kRecords = 10000;

// Note: in C++, nlohmann::json{{"seed", 42}} holds a *signed* integer, while parsing the text
// {"seed":42} gives an unsigned one; the tests write 42u to match what users' JSON text gives.
std::unique_ptr<kt::Plugin> load(nlohmann::json config) {
    return std::make_unique<kt::Plugin>(kbatch::test::random_failure_plugin(), std::move(config));
}

// Runs one event of `count` records through `processor`; element i is whether record i failed.
std::vector<bool> outcomes(const kbatch::ProcessorHandle& processor, std::size_t count = kRecords) {
    // Events are built once per size: building 10,000 records is the slow part of these tests.
    static std::map<std::size_t, std::string> events;
    auto [it, inserted] = events.try_emplace(count);
    if (inserted)
        it->second = kt::event_json(kbatch::test::numbered_records(count));
    const std::string& event = it->second;
    kbatch::InvocationHandler handler;
    kt::TestContext context;
    std::string response;
    const kbatch::Status status = handler.handle(event, processor, context.context(), &response);
    INFO(status.to_string());
    REQUIRE(status.is_ok());
    REQUIRE(handler.report().processed == count);
    std::vector<bool> failed(count, false);
    for (const auto& failure : handler.report().failures)
        failed[failure.index] = true;
    if (!handler.report().failures.empty()) {
        CHECK(handler.report().failures.front().reason == "random failure (chaos)");
    }
    // The response names exactly the failed records.
    CHECK(kbatch::test::item_identifiers(response).size() == handler.report().failures.size());
    return failed;
}

double share(const std::vector<bool>& failed, std::size_t begin = 0, std::size_t end = kRecords) {
    std::size_t count = 0;
    for (std::size_t i = begin; i < end; ++i)
        count += failed[i] ? 1 : 0;
    return static_cast<double>(count) / static_cast<double>(end - begin);
}

// The documented algorithm, written out independently: one mt19937_64 draw per record, its top
// 53 bits as a double in [0, 1), failing when below the rate.
std::vector<bool> model(std::uint64_t seed, double rate, std::size_t count = kRecords) {
    std::mt19937_64 engine(seed);
    std::vector<bool> failed;
    for (std::size_t i = 0; i < count; ++i) {
        failed.push_back(static_cast<double>(engine() >> 11) * 0x1.0p-53 < rate);
    }
    return failed;
}

}  // namespace

TEST_CASE("rate 0.5 with a fixed seed fails about half of 10,000 records, evenly spread") {
    auto plugin = load({{"failure_rate", 0.5}, {"seed", 42u}});
    const std::vector<bool> failed = outcomes(plugin->processor());
    CHECK(share(failed) >= 0.47);
    CHECK(share(failed) <= 0.53);
    // Not bunched: each half is near one half too.
    CHECK(share(failed, 0, kRecords / 2) >= 0.45);
    CHECK(share(failed, kRecords / 2, kRecords) <= 0.55);
    // Independent: about a quarter of neighbouring pairs both fail (alternating outcomes would
    // give the right share and no such pairs).
    std::size_t both = 0;
    for (std::size_t i = 0; i + 1 < kRecords; ++i)
        both += failed[i] && failed[i + 1] ? 1 : 0;
    const double pairs = static_cast<double>(both) / static_cast<double>(kRecords - 1);
    CHECK(pairs >= 0.22);
    CHECK(pairs <= 0.28);
}

TEST_CASE("the default rate is 0.5") {
    auto plugin = load({{"seed", 7u}});
    const double s = share(outcomes(plugin->processor()));
    CHECK(s >= 0.47);
    CHECK(s <= 0.53);
}

TEST_CASE("other rates are honoured") {
    auto low = load({{"failure_rate", 0.1}, {"seed", 3u}});
    const double s = share(outcomes(low->processor()));
    CHECK(s >= 0.08);
    CHECK(s <= 0.12);
}

TEST_CASE("rate 0 fails no record and rate 1 fails every record") {
    for (const std::uint64_t seed : {std::uint64_t{0}, std::uint64_t{1}, std::uint64_t{42}}) {
        INFO("seed " << seed);
        auto never = load({{"failure_rate", 0}, {"seed", seed}});
        CHECK(share(outcomes(never->processor())) == 0.0);
        auto always = load({{"failure_rate", 1}, {"seed", seed}});
        CHECK(share(outcomes(always->processor())) == 1.0);
    }
}

TEST_CASE("one seed gives one answer, across instances and however the batch is split") {
    auto a = load({{"seed", 1234u}});
    auto b = load({{"seed", 1234u}});  // loaded while a is alive: separate state
    const std::vector<bool> first = outcomes(a->processor());
    CHECK(outcomes(b->processor()) == first);

    // One draw per record, in order: two batches of 5,000 give what one batch of 10,000 gave.
    auto c = load({{"seed", 1234u}});
    std::vector<bool> split = outcomes(c->processor(), kRecords / 2);
    const std::vector<bool> second_half = outcomes(c->processor(), kRecords / 2);
    split.insert(split.end(), second_half.begin(), second_half.end());
    CHECK(split == first);
}

TEST_CASE("different seeds give different answers") {
    auto a = load({{"seed", 1u}});
    auto b = load({{"seed", 2u}});
    CHECK(outcomes(a->processor()) != outcomes(b->processor()));
}

TEST_CASE("without a seed every instance draws a fresh one") {
    // Two identical runs of 10,000 draws by chance: probability about 2^-10000.
    auto a = load(nlohmann::json::object());
    auto b = load(nlohmann::json::object());
    CHECK(outcomes(a->processor()) != outcomes(b->processor()));
}

TEST_CASE("a seed's answers are the documented algorithm, the same on every host") {
    // The plugin promises that a seed reproduces a chaos run anywhere (it avoids
    // std::uniform_real_distribution, whose algorithm differs between standard libraries).
    for (const std::uint64_t seed : {std::uint64_t{0}, std::uint64_t{42}, UINT64_MAX}) {
        for (const double rate : {0.5, 0.25, 0.9}) {
            INFO("seed " << seed << " rate " << rate);
            auto plugin = load({{"seed", seed}, {"failure_rate", rate}});
            CHECK(outcomes(plugin->processor(), 2000) == model(seed, rate, 2000));
        }
    }
}

TEST_CASE("an invalid configuration is a ConfigError that says what is wrong") {
    struct Case {
        nlohmann::json config;
        std::string message;
    };
    const Case cases[] = {
        {{{"failure_rate", 1.5}}, "random_failure: failure_rate must be within [0, 1], got 1.5"},
        {{{"failure_rate", -0.1}}, "random_failure: failure_rate must be within [0, 1], got -0.1"},
        {{{"failure_rate", "x"}}, R"(random_failure: failure_rate must be a number, got "x")"},
        {{{"failure_rate", true}}, "random_failure: failure_rate must be a number, got true"},
        {{{"failure_rate", nullptr}}, "random_failure: failure_rate must be a number, got null"},
        {{{"seed", -1}}, "random_failure: seed must be a non-negative integer, got -1"},
        {{{"seed", 1.5}}, "random_failure: seed must be a non-negative integer, got 1.5"},
        {{{"seed", "42"}}, R"(random_failure: seed must be a non-negative integer, got "42")"},
        {{{"rate", 0.5}}, R"(random_failure: unknown setting "rate" (known: failure_rate, seed))"},
        {nlohmann::json::array({0.5}), "random_failure: the configuration must be a JSON object"},
        {nlohmann::json("x"), "random_failure: the configuration must be a JSON object"},
    };
    for (const Case& c : cases) {
        INFO(c.config.dump());
        std::unique_ptr<kbatch::LoadedPlugin> plugin;
        const kbatch::Status status = kbatch::LoadedPlugin::load(
            kbatch::test::random_failure_plugin(), kbatch::PluginConfig(c.config), &plugin);
        REQUIRE_FALSE(status.is_ok());
        CHECK(status.kind() == kbatch::ErrorKind::kConfigError);
        CHECK_THAT(status.message(), Catch::EndsWith(": " + c.message));
        CHECK(plugin == nullptr);
    }
}

TEST_CASE("a seed held as a signed JSON integer is accepted like the same seed parsed from text") {
    // nlohmann::json{{"seed", 42}} (a signed integer, how a host or test embedding kbatch would
    // build a configuration) must mean what the text {"seed":42} means, not be refused with
    // "seed must be a non-negative integer, got 42".
    std::unique_ptr<kbatch::LoadedPlugin> plugin;
    const kbatch::Status status =
        kbatch::LoadedPlugin::load(kbatch::test::random_failure_plugin(),
                                   kbatch::PluginConfig(nlohmann::json{{"seed", 42}}), &plugin);
    INFO(status.to_string());
    REQUIRE(status.is_ok());
    auto parsed = load(nlohmann::json::parse(R"({"seed":42})"));
    CHECK(outcomes(plugin->processor(), 1000) == outcomes(parsed->processor(), 1000));
}
