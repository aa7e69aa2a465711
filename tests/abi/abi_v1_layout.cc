// Compiled against the frozen version 1 SDK alone (tests/abi_v1/include, see CMakeLists.txt): the
// layout of what version 1 plugins were built with, for abi_v1_test to compare with the host's
// own declarations of version 1 (kbatch/detail/abi_v1.hpp) and with version 2's record.
#include "abi_v1_layout.h"

#include <cstddef>

#include <kbatch/context.hpp>
#include <kbatch/plugin.hpp>
#include <kbatch/plugin_config.hpp>
#include <kbatch/record.hpp>
#include <kbatch/result.hpp>

static_assert(KBATCH_ABI_VERSION == 1, "abi_v1_layout.cc must see the frozen version 1 SDK");

extern "C" KbatchTestV1Layout kbatch_test_v1_layout() {
    using Fields = kbatch::KinesisRecordFields;
    KbatchTestV1Layout layout{};
    layout.fields_size = sizeof(Fields);
    layout.fields_align = alignof(Fields);
    const std::size_t offsets[] = {
        offsetof(Fields, sequence_number),
        offsetof(Fields, partition_key),
        offsetof(Fields, data),
        offsetof(Fields, approximate_arrival),
        offsetof(Fields, encryption_type),
        offsetof(Fields, kinesis_schema_version),
        offsetof(Fields, event_id),
        offsetof(Fields, event_name),
        offsetof(Fields, event_source),
        offsetof(Fields, event_source_arn),
        offsetof(Fields, event_version),
        offsetof(Fields, invoke_identity_arn),
        offsetof(Fields, aws_region),
    };
    static_assert(sizeof(offsets) / sizeof(offsets[0]) == kKbatchTestV1FieldCount);
    for (std::size_t i = 0; i < kKbatchTestV1FieldCount; ++i)
        layout.field_offsets[i] = offsets[i];
    layout.record_size = sizeof(kbatch::KinesisRecord);
    layout.context_size = sizeof(kbatch::Context);
    layout.context_align = alignof(kbatch::Context);
    layout.result_size = sizeof(kbatch::Result);
    layout.config_size = sizeof(kbatch::PluginConfig);
    return layout;
}
