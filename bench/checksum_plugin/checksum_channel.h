// kbatch bench: how the benchmarks read what the checksum plugin computed.
//
// The plugin is a real .so behind the RecordProcessor interface, which returns only a Result. So
// that neither the compiler nor a lazy plugin can skip reading the data, the plugin also exports
// the running sum of every byte it read, and the benchmarks check it against the expected sum.
#pragma once

#include <cstdint>

namespace kbatch::bench {

/// The exported alias: a function returning the sum of every decoded byte the plugin's
/// processors have read since the library was loaded.
inline constexpr const char* kChecksumTotalSymbol = "kbatch_bench_checksum_total";
using ChecksumTotalFunction = std::uint64_t();

}  // namespace kbatch::bench
