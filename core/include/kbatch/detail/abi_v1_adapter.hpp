// kbatch plugin SDK, internal: a version 1 plugin's processor behind the version 2 interface, so
// that everything above the loader (the batch runner, testing::Plugin) drives one kind of
// processor. Built into the host, never into a plugin.
#pragma once

#include <chrono>
#include <cstddef>
#include <exception>
#include <memory>
#include <string_view>

#include "kbatch/abi.hpp"
#include "kbatch/detail/abi_v1.hpp"
#include "kbatch/record.hpp"

namespace kbatch::detail {

/// Owns a version 1 processor and calls it as a version 2 per-record Kinesis processor.
class AbiV1Instance final : public PluginInstance {
  public:
    explicit AbiV1Instance(std::unique_ptr<abi_v1::RecordProcessor> processor) noexcept
        : processor_(std::move(processor)) {}

    void* query_interface(std::uint32_t, std::uint32_t) noexcept override { return nullptr; }

    void process_record(const BatchView& batch, std::size_t index,
                        const InvocationView& invocation, OutcomeSink& outcomes) noexcept override {
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
        const abi_v1::Context context(
            invocation.request_id,
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
