// kbatch plugin SDK, internal: a version 1 plugin's processor behind the version 2 interface, so
// that everything above the loader (the batch runner, testing::Plugin) drives one kind of
// processor. Built into the host, never into a plugin.
#pragma once

#include <chrono>
#include <cstddef>
#include <exception>
#include <memory>
#include <string_view>
#include <type_traits>

#include "kbatch/abi.hpp"
#include "kbatch/detail/abi_v1.hpp"
#include "kbatch/record.hpp"

namespace kbatch::detail {

/// Whether version 2's Kinesis record begins with version 1's, member by member, in offsets and
/// types: AbiV1Instance hands a version 1 plugin a pointer into an array of version 2 records, so
/// a field added anywhere but at the end would shift every field a deployed plugin reads.
/// (tests/abi checks kbatch/detail/abi_v1.hpp itself against the frozen version 1 SDK.)
consteval bool v2_kinesis_fields_begin_with_v1() {
    using V1 = abi_v1::KinesisRecordFields;
    using V2 = KinesisRecordFields;
    return sizeof(V1) <= sizeof(V2) && alignof(V1) == alignof(V2) &&
           offsetof(V1, sequence_number) == offsetof(V2, sequence_number) &&
           offsetof(V1, partition_key) == offsetof(V2, partition_key) &&
           offsetof(V1, data) == offsetof(V2, data) &&
           offsetof(V1, approximate_arrival) == offsetof(V2, approximate_arrival) &&
           offsetof(V1, encryption_type) == offsetof(V2, encryption_type) &&
           offsetof(V1, kinesis_schema_version) == offsetof(V2, kinesis_schema_version) &&
           offsetof(V1, event_id) == offsetof(V2, event_id) &&
           offsetof(V1, event_name) == offsetof(V2, event_name) &&
           offsetof(V1, event_source) == offsetof(V2, event_source) &&
           offsetof(V1, event_source_arn) == offsetof(V2, event_source_arn) &&
           offsetof(V1, event_version) == offsetof(V2, event_version) &&
           offsetof(V1, invoke_identity_arn) == offsetof(V2, invoke_identity_arn) &&
           offsetof(V1, aws_region) == offsetof(V2, aws_region) &&
           std::is_same_v<decltype(V1::sequence_number), decltype(V2::sequence_number)> &&
           std::is_same_v<decltype(V1::data), decltype(V2::data)> &&
           std::is_same_v<decltype(V1::approximate_arrival), decltype(V2::approximate_arrival)> &&
           std::is_same_v<decltype(V1::aws_region), decltype(V2::aws_region)>;
}
static_assert(v2_kinesis_fields_begin_with_v1(),
              "KinesisRecordFields must begin with ABI version 1's members, in order: append new "
              "fields at its end");

/// Owns a version 1 processor and calls it as a version 2 per-record Kinesis processor.
class AbiV1Instance final : public PluginInstance {
  public:
    explicit AbiV1Instance(std::unique_ptr<abi_v1::RecordProcessor> processor) noexcept
        : processor_(std::move(processor)) {}

    void* query_interface(std::uint32_t, std::uint32_t) noexcept override { return nullptr; }

    void process_record(const BatchView& batch, std::size_t index, const InvocationView& invocation,
                        OutcomeSink& outcomes) noexcept override {
        if (batch.source != Source::kKinesis) {
            outcomes.failed(index, "a version 1 plugin handles Kinesis records only");
            return;
        }
        // Version 2's Kinesis fields begin with version 1's, in the same order and types.
        const auto* bytes = static_cast<const unsigned char*>(batch.records);
        const auto& fields = *reinterpret_cast<const abi_v1::KinesisRecordFields*>(
            bytes + index * batch.record_size);
        const abi_v1::KinesisRecord record(fields);
        LoggerV1 logger(*invocation.logger);
        const ClockV1 clock(invocation.time);
        const abi_v1::Context context(invocation.request_id,
                                      invocation.deadline_ns == INT64_MAX
                                          ? std::chrono::system_clock::time_point::max()
                                          : ClockV1::from_ns(invocation.deadline_ns),
                                      invocation.function_arn, invocation.trace_id, logger,
                                      invocation.time != nullptr ? &clock : nullptr);
        try {
            const abi_v1::Result result = processor_->process(record, context);
            if (result.succeeded())
                outcomes.succeeded(index);
            else
                outcomes.failed(index, result.reason());
        } catch (const std::exception& e) {
            outcomes.failed(index, e.what());
        } catch (...) {
            outcomes.failed(index, "unknown exception");
        }
    }

    void process_batch(const BatchView&, const InvocationView&,
                       OutcomeSink& outcomes) noexcept override {
        outcomes.fail_unmarked("a version 1 plugin takes records one by one");
    }

    void destroy(ErrorSink& errors) noexcept override {
        abi_v1::RecordProcessor* processor = processor_.release();
        try {
            delete processor;
        } catch (const std::exception& e) {
            errors.error(ErrorSink::kDestroyFailed, e.what());
        } catch (...) {
            errors.error(ErrorSink::kDestroyFailed, "unknown exception");
        }
        delete this;
    }

  private:
    ~AbiV1Instance() = default;

    // Version 1's logger, writing to version 2's.
    class LoggerV1 final : public abi_v1::Logger {
      public:
        explicit LoggerV1(kbatch::Logger& to) noexcept : to_(to) {}
        bool enabled(abi_v1::LogLevel level) const noexcept override {
            return to_.enabled(static_cast<LogLevel>(level));
        }
        void log(abi_v1::LogLevel level, std::string_view message) noexcept override {
            to_.log(static_cast<LogLevel>(level), message);
        }

      private:
        kbatch::Logger& to_;
    };

    // Version 1's clock, reading version 2's.
    class ClockV1 final : public abi_v1::TimeSource {
      public:
        explicit ClockV1(const kbatch::TimeSource* from) noexcept : from_(from) {}
        std::chrono::system_clock::time_point now() const noexcept override {
            return from_ != nullptr ? from_ns(from_->now_ns()) : std::chrono::system_clock::now();
        }
        static std::chrono::system_clock::time_point from_ns(std::int64_t ns) noexcept {
            return std::chrono::system_clock::time_point(
                std::chrono::duration_cast<std::chrono::system_clock::duration>(
                    std::chrono::nanoseconds(ns)));
        }

      private:
        const kbatch::TimeSource* from_;
    };

    std::unique_ptr<abi_v1::RecordProcessor> processor_;
};

}  // namespace kbatch::detail
