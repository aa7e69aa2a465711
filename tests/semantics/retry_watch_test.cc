// The misconfiguration guard: failed records that Lambda did not deliver again.
#include <algorithm>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <catch2/catch.hpp>
#include <kbatch/testing.hpp>

#include "batch_runner.h"
#include "event_decoder.h"
#include "retry_watch.h"
#include "sequence_number.h"
#include "test_support.h"

namespace kt = kbatch::testing;

namespace kbatch::test {
namespace {

TEST_CASE("sequence numbers compare as big decimals, never as integers") {
    const std::string big = "49590338271490256608559692538361571095921575989136588898";
    CHECK(compare_sequence_numbers(big, big) == 0);
    CHECK(compare_sequence_numbers("9", "10") < 0);  // text order would say otherwise
    CHECK(compare_sequence_numbers("10", "9") > 0);
    CHECK(compare_sequence_numbers("007", "7") == 0);
    CHECK(compare_sequence_numbers(big, big + "0") < 0);
    CHECK(compare_sequence_numbers(std::string(128, '9'), std::string(127, '9')) > 0);
    // Differ only in the last digit of 56, beyond what any integer type holds.
    CHECK(compare_sequence_numbers(big.substr(0, 55) + "7", big) < 0);
}

// Fails the records whose data is "fail".
class FailsMarked final : public RecordProcessor {
  public:
    Result process(const KinesisRecord& record, const Context&) override {
        return record.text() == "fail" ? Result::failure("marked") : Result::ok();
    }
};

struct Shard {
    std::string arn = "arn:aws:kinesis:us-east-1:123456789012:stream/s";
    std::string id = "shardId-000000000001";
};

nlohmann::json record(const Shard& shard, std::size_t number, std::string data) {
    kt::TestRecord written{kt::sequence_number(number), std::move(data)};
    written.event_source_arn = shard.arn;
    written.shard_id = shard.id;  // eventID is "<shard id>:<sequence number>"
    return kt::record_json(written);
}

class Runner {
  public:
    // A vector, not a json: nlohmann reads a one-element braced list as that element.
    std::vector<std::string> run(const std::vector<nlohmann::json>& records) {
        REQUIRE(decoder_.decode(event_from_records(records)).is_ok());
        REQUIRE(run_batch(decoder_.batch(), ProcessorHandle::borrow(processor_), context_.context(),
                          RunOptions{}, report_)
                    .is_ok());
        return watch_.observe(decoder_.batch(), report_);
    }
    RetryWatch& watch() { return watch_; }

  private:
    EventDecoder decoder_;
    FailsMarked processor_;
    kt::TestContext context_;
    BatchReport report_;
    RetryWatch watch_;
};

TEST_CASE("a shard that resumes at its failed record is fine") {
    Runner runner;
    const Shard shard;
    CHECK(runner.run({record(shard, 1, "ok"), record(shard, 2, "fail"), record(shard, 3, "fail")})
              .empty());
    CHECK(runner.run({record(shard, 2, "ok"), record(shard, 3, "ok"), record(shard, 4, "ok")})
              .empty());
    // The failure is settled, so later batches further on are fine too.
    CHECK(runner.run({record(shard, 9, "ok")}).empty());
}

TEST_CASE("a shard that resumes beyond its failed record is reported, naming the shard") {
    Runner runner;
    const Shard shard;
    CHECK(runner.run({record(shard, 10, "fail"), record(shard, 11, "ok")}).empty());
    const std::vector<std::string> warnings = runner.run({record(shard, 12, "ok")});
    REQUIRE(warnings.size() == 1);
    CHECK(warnings[0].find("ReportBatchItemFailures") != std::string::npos);
    CHECK(warnings[0].find(shard.arn + " " + shard.id) != std::string::npos);
    CHECK(warnings[0].find(kt::sequence_number(10)) != std::string::npos);
    CHECK(warnings[0].find(kt::sequence_number(12)) != std::string::npos);
    // Said once: the next batch compares against the new state.
    CHECK(runner.run({record(shard, 13, "ok")}).empty());
}

TEST_CASE("the watch remembers a bounded number of shards") {
    Runner runner;
    RetryWatch& watch = runner.watch();
    const Shard base;
    const std::size_t most = RetryWatch::kMaxRememberedShards;
    for (std::size_t i = 0; i < most + 50; ++i) {
        const Shard shard{base.arn, fmt::format("shardId-{:012}", i)};
        REQUIRE(runner.run({record(shard, 5, "fail")}).empty());
        CHECK(watch.remembered_shards() == std::min(i + 1, most));
    }
    // A remembered shard is still watched.
    const Shard last{base.arn, fmt::format("shardId-{:012}", most + 49)};
    CHECK(runner.run({record(last, 6, "ok")}).size() == 1);
}

TEST_CASE("a batch spanning more shards than Lambda would send is not watched") {
    Runner runner;
    const Shard base;
    std::vector<nlohmann::json> records;
    for (std::size_t i = 0; i <= RetryWatch::kMaxShardsPerBatch; ++i)
        records.push_back(record(Shard{base.arn, fmt::format("shardId-{:012}", i)}, 5, "fail"));
    CHECK(runner.run(records).empty());
    CHECK(runner.watch().remembered_shards() == 0);
    // One shard fewer is watched, every shard of it.
    records.pop_back();
    CHECK(runner.run(records).empty());
    CHECK(runner.watch().remembered_shards() == RetryWatch::kMaxShardsPerBatch);
}

TEST_CASE("a batch with several shards is checked shard by shard") {
    Runner runner;
    const Shard first, second{first.arn, "shardId-000000000002"};
    CHECK(runner.run({record(first, 5, "fail"), record(second, 7, "ok"), record(first, 6, "ok")})
              .empty());
    // The second shard had no failure; the first resumes beyond its failed record.
    const std::vector<std::string> warnings =
        runner.run({record(second, 8, "ok"), record(first, 6, "ok")});
    REQUIRE(warnings.size() == 1);
    CHECK(warnings[0].find(first.arn + " " + first.id) != std::string::npos);
}

TEST_CASE("shards are watched separately") {
    Runner runner;
    const Shard first, second{first.arn, "shardId-000000000002"};
    CHECK(runner.run({record(first, 5, "fail")}).empty());
    // Another shard moving on says nothing about the first.
    CHECK(runner.run({record(second, 50, "ok")}).empty());
    CHECK(runner.run({record(first, 5, "ok")}).empty());
}

}  // namespace
}  // namespace kbatch::test
