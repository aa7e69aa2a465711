// kbatch plugin SDK: the classes a plugin's processor derives from.
//
// Per record (the host hands records out one by one, in event order, and applies the failure
// policy and the deadline guard between them):
//
//   class Mine final : public kbatch::RecordProcessor { ... };            // Kinesis, as in ABI v1
//   class Mine final : public kbatch::Processor<kbatch::SqsMessage> { ... };
//   class Mine final : public kbatch::Processor<kbatch::KinesisRecord, kbatch::SqsMessage,
//                                               kbatch::DynamoDbRecord> { ... };
//       kbatch::Result process(const kbatch::SqsMessage& message, const kbatch::Context&) override;
//
// Whole batches (one bulk write per batch; the plugin marks each record's outcome):
//
//   class Bulk final : public kbatch::BatchProcessor<kbatch::SqsMessage> {
//       void process(const kbatch::Batch<kbatch::SqsMessage>& batch, const kbatch::Context& ctx,
//                    kbatch::Outcomes& outcomes) override;
//   };
//
// The record types named are the sources the plugin handles: the host reads them at load time and
// fails an invocation of any other source with Kbatch.UnsupportedEventSource.
//
// Lifetime: the host constructs one instance when it loads the plugin (at start-up on Lambda) and
// keeps it, and the shared object, until the process ends; it is used for every batch.
// Threading: process() is called from one thread at a time unless the class declares
//   static constexpr bool kThreadSafe = true;
// Errors: an exception that escapes process() fails the record (per record: that record, with its
// what(), or "unknown exception"; per batch: every record not yet marked). It never reaches the
// host.
#pragma once

#include <cstddef>
#include <iterator>
#include <string_view>

#include "kbatch/abi.hpp"
#include "kbatch/context.hpp"
#include "kbatch/dynamodb_record.hpp"
#include "kbatch/record.hpp"
#include "kbatch/result.hpp"
#include "kbatch/sqs.hpp"

namespace kbatch {
inline namespace abi_v2 {

/// The records of one batch, of one source, in event order.
///
/// Lifetime: a view of host memory, valid during the process() call that received it, as are
/// the records it hands out. Thread safety: immutable.
template <class Record>
class Batch {
  public:
    using Fields = typename Record::fields_type;

    explicit Batch(const BatchView& view) noexcept : view_(view) {}

    std::size_t size() const noexcept { return view_.count; }
    bool empty() const noexcept { return view_.count == 0; }
    /// Record `index` (below size()).
    Record operator[](std::size_t index) const noexcept {
        const auto* bytes = static_cast<const unsigned char*>(view_.records);
        const auto* fields = reinterpret_cast<const Fields*>(bytes + index * view_.record_size);
        return Record(*fields,
                      view_.record_size < sizeof(Fields) ? view_.record_size : sizeof(Fields));
    }

    class iterator {
      public:
        using iterator_concept = std::forward_iterator_tag;
        using value_type = Record;
        using difference_type = std::ptrdiff_t;

        iterator() = default;
        iterator(const Batch* batch, std::size_t index) noexcept : batch_(batch), index_(index) {}
        Record operator*() const noexcept { return (*batch_)[index_]; }
        iterator& operator++() noexcept {
            ++index_;
            return *this;
        }
        iterator operator++(int) noexcept {
            iterator before = *this;
            ++index_;
            return before;
        }
        bool operator==(const iterator& other) const noexcept { return index_ == other.index_; }
        /// The position of the record in the batch: what Outcomes takes.
        std::size_t index() const noexcept { return index_; }

      private:
        const Batch* batch_ = nullptr;
        std::size_t index_ = 0;
    };
    iterator begin() const noexcept { return iterator(this, 0); }
    iterator end() const noexcept { return iterator(this, view_.count); }

    /// The batch as it crossed the plugin boundary.
    const BatchView& view() const noexcept { return view_; }

  private:
    BatchView view_;
};

/// Where a batch-level processor marks each record's outcome, by its index in the batch.
/// A record marked failed stays failed; a record left unmarked is reported failed.
/// Thread safety: a processor that declares kThreadSafe may mark from several threads.
class Outcomes {
  public:
    explicit Outcomes(OutcomeSink& sink) noexcept : sink_(&sink) {}

    void succeeded(std::size_t index) noexcept { sink_->succeeded(index); }
    /// `reason` is logged, never sent to Lambda.
    void failed(std::size_t index, std::string_view reason) noexcept {
        sink_->failed(index, reason);
    }
    void set(std::size_t index, const Result& result) noexcept {
        if (result.succeeded())
            succeeded(index);
        else
            failed(index, result.reason());
    }

  private:
    OutcomeSink* sink_;
};

}  // namespace abi_v2

namespace detail {

template <class... Records>
struct RecordList {};

/// One source's per-record entry point.
template <class Record>
class RecordProcessorOf {
  public:
    /// Processes one record. `record` and `ctx` are valid only during the call.
    virtual Result process(const Record& record, const Context& ctx) = 0;

  protected:
    ~RecordProcessorOf() = default;
};

/// One source's batch-level entry point.
template <class Record>
class BatchProcessorOf {
  public:
    /// Processes the whole batch and marks each record's outcome in `outcomes`.
    virtual void process(const Batch<Record>& batch, const Context& ctx, Outcomes& outcomes) = 0;

  protected:
    ~BatchProcessorOf() = default;
};

}  // namespace detail

inline namespace abi_v2 {

/// What every processor is: something the SDK destroys through this base.
class ProcessorBase {
  public:
    /// Declared potentially-throwing so that an exception from a plugin's destructor reaches the
    /// SDK, which reports it to the host as a warning, instead of ending the process in
    /// std::terminate.
    virtual ~ProcessorBase() noexcept(false) {}
};

/// A processor that takes records one by one, of the sources its Records name.
template <class... Records>
class Processor : public ProcessorBase, public detail::RecordProcessorOf<Records>... {
  public:
    using detail::RecordProcessorOf<Records>::process...;
    using kbatch_records = detail::RecordList<Records...>;
    static constexpr ProcessingForm kbatch_form = ProcessingForm::kPerRecord;
};

/// A processor that takes whole batches, of the sources its Records name.
template <class... Records>
class BatchProcessor : public ProcessorBase, public detail::BatchProcessorOf<Records>... {
  public:
    using detail::BatchProcessorOf<Records>::process...;
    using kbatch_records = detail::RecordList<Records...>;
    static constexpr ProcessingForm kbatch_form = ProcessingForm::kBatch;
};

/// A Kinesis record processor: the ABI version 1 shape, which every v1 plugin derives from.
class RecordProcessor : public Processor<KinesisRecord> {};

}  // namespace abi_v2
}  // namespace kbatch
