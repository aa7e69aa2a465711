#include "batch_difference.h"

#include <bit>
#include <cstdint>
#include <string_view>
#include <utility>

#include <fmt/format.h>

namespace kbatch::test {

std::string batch_difference(const DecodedBatch& a, const DecodedBatch& b) {
    if (a.kinesis.size() != b.kinesis.size())
        return fmt::format("{} records against {}", a.kinesis.size(), b.kinesis.size());
    for (std::size_t i = 0; i < a.kinesis.size(); ++i) {
        const KinesisRecord x(a.kinesis[i]);
        const KinesisRecord y(b.kinesis[i]);
        const std::pair<std::string_view, std::string_view> strings[] = {
            {x.sequence_number(), y.sequence_number()},
            {x.partition_key(), y.partition_key()},
            {x.text(), y.text()},
            {x.encryption_type(), y.encryption_type()},
            {x.kinesis_schema_version(), y.kinesis_schema_version()},
            {x.event_id(), y.event_id()},
            {x.event_name(), y.event_name()},
            {x.event_source(), y.event_source()},
            {x.event_source_arn(), y.event_source_arn()},
            {x.event_version(), y.event_version()},
            {x.invoke_identity_arn(), y.invoke_identity_arn()},
            {x.aws_region(), y.aws_region()},
        };
        for (const auto& [left, right] : strings) {
            if (left != right)
                return fmt::format("Records[{}]: {:?} against {:?}", i, left, right);
        }
        // Bit for bit: the fast path computes the timestamp itself.
        if (std::bit_cast<std::uint64_t>(x.approximate_arrival()) !=
            std::bit_cast<std::uint64_t>(y.approximate_arrival())) {
            return fmt::format("Records[{}]: timestamp {} against {}", i, x.approximate_arrival(),
                               y.approximate_arrival());
        }
    }
    if (a.defects.size() != b.defects.size())
        return fmt::format("{} defects against {}", a.defects.size(), b.defects.size());
    for (std::size_t i = 0; i < a.defects.size(); ++i) {
        if (a.defects[i].index != b.defects[i].index || a.defects[i].reason != b.defects[i].reason)
            return fmt::format("defect {:?} against {:?}", a.defects[i].reason,
                               b.defects[i].reason);
    }
    return "";
}

}  // namespace kbatch::test
