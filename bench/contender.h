// kbatch bench: the ways of processing a batch that bench/compare times against each other.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "event_source.h"

namespace kbatch::bench {

/// One way of processing a batch: decode the event, hand every record's payload to the
/// per-record work (summing its bytes), and write the response. Built once, then run on the same
/// event many times, reusing whatever it keeps between runs as a Lambda runtime would.
///
/// The payload, the same for every contender of a source:
///   Kinesis           each record's data, base64-decoded;
///   SQS               each message's body, the text as sent (JSON-unescaped);
///   DynamoDB Streams  each record's NewImage, its JSON text as the event writes it, whitespace
///                     left out (sum_json_text_bytes: so that a pretty-printed event sums as a
///                     compact one); nothing for a record without one (REMOVE).
class Contender {
  public:
    virtual ~Contender() = default;

    /// Whether it processes events of `source`. The driver asks before it runs a file, and reports
    /// a source a contender does not handle yet instead of running it.
    virtual bool handles(EventSource source) const = 0;

    /// Processes `event` once and returns the sum of every payload byte, which must be the same
    /// for every contender (so none can skip work or decode wrongly). `event` is left unchanged,
    /// but its capacity may grow (for the JSON parser's padding). Throws on an event it cannot
    /// process.
    virtual std::uint64_t run(std::string& event) = 0;
};

/// kbatch end to end, as the runtime host runs a batch: InvocationHandler::handle_in_place with
/// the checksum plugin loaded from `plugin` as a real shared object. It finds the source itself,
/// as the host does; handles() says which sources it is wired for.
std::unique_ptr<Contender> make_kbatch_contender(const std::filesystem::path& plugin);

/// The floor for events of `source`: a bare simdjson on-demand walk to each record's payload and
/// nothing else. Kinesis data is base64-decoded (with kbatch's own decoder, straight from the
/// event buffer when the text has no escapes) into one reused buffer; an SQS body is unescaped by
/// simdjson; a DynamoDB NewImage is its raw text. No response, no other fields, no validation
/// beyond what simdjson does anyway.
std::unique_ptr<Contender> make_floor_contender(EventSource source = EventSource::kKinesis);

/// The naive C++ path for events of `source`: an nlohmann/json DOM (Kinesis data through a plain
/// scalar base64 decoder into a new string per record, a NewImage dumped back to text), and an
/// nlohmann/json response.
std::unique_ptr<Contender> make_naive_contender(EventSource source = EventSource::kKinesis);

}  // namespace kbatch::bench
