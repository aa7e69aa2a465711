// kbatch bench: the ways of processing a batch that bench/compare times against each other.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

namespace kbatch::bench {

/// One way of processing a Kinesis batch: decode the event, hand every record's decoded data to
/// the per-record work (summing its bytes), and write the response. Built once, then run on the
/// same event many times, reusing whatever it keeps between runs as a Lambda runtime would.
class Contender {
  public:
    virtual ~Contender() = default;

    /// Processes `event` once and returns the sum of every decoded data byte, which must be the
    /// same for every contender (so none can skip work or decode wrongly). `event` is left
    /// unchanged, but its capacity may grow (for the JSON parser's padding). Throws on an event it
    /// cannot process.
    virtual std::uint64_t run(std::string& event) = 0;
};

/// kbatch end to end, as the runtime host runs a batch: InvocationHandler::handle_in_place with
/// the checksum plugin loaded from `plugin` as a real shared object.
std::unique_ptr<Contender> make_kbatch_contender(const std::filesystem::path& plugin);

/// The floor: a bare simdjson on-demand walk to each record's data, base64-decoded (with kbatch's
/// own decoder, straight from the event buffer when the text has no escapes) into one reused
/// buffer. No response, no other fields, no validation beyond what simdjson does anyway.
std::unique_ptr<Contender> make_floor_contender();

/// The naive C++ path: an nlohmann/json DOM, a plain scalar base64 decoder into a new string per
/// record, and an nlohmann/json response.
std::unique_ptr<Contender> make_naive_contender();

}  // namespace kbatch::bench
