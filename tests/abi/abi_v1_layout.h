// The layout of the frozen version 1 SDK's types, measured by abi_v1_layout.cc (compiled against
// tests/abi_v1/include alone). Plain C, so that it names no SDK type of either version.
#pragma once

#include <cstddef>

inline constexpr std::size_t kKbatchTestV1FieldCount = 13;

struct KbatchTestV1Layout {
    std::size_t fields_size;
    std::size_t fields_align;
    std::size_t field_offsets[kKbatchTestV1FieldCount];  // KinesisRecordFields, in member order
    std::size_t record_size;                             // KinesisRecord
    std::size_t context_size;
    std::size_t context_align;
    std::size_t result_size;
    std::size_t config_size;
};

extern "C" KbatchTestV1Layout kbatch_test_v1_layout();
