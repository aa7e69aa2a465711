#include "batch_difference.h"

#include <bit>
#include <cstdint>
#include <functional>
#include <span>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "source_fields.h"

namespace kbatch::test {
namespace {

using fields::Kind;

std::string_view as_text(std::span<const std::byte> bytes) {
    return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

// Whether `attributes` lies inside `batch`'s own storage (the decoders point it there last).
bool inside(const DecodedBatch& batch, std::span<const SqsMessageAttribute> attributes) {
    if (attributes.empty())
        return true;
    const std::less_equal<const SqsMessageAttribute*> before;
    const SqsMessageAttribute* const begin = batch.sqs_attributes.data();
    return before(begin, attributes.data()) &&
           before(attributes.data() + attributes.size(), begin + batch.sqs_attributes.size());
}

template <class Table>
std::string fields_difference(const typename Table::Fields& x, const typename Table::Fields& y,
                              const std::string& where);

// The difference of two messages' attributes, entry by entry.
std::string attributes_difference(std::span<const SqsMessageAttribute> x,
                                  std::span<const SqsMessageAttribute> y,
                                  const std::string& where) {
    if (x.size() != y.size())
        return fmt::format("{}: {} attributes against {}", where, x.size(), y.size());
    for (std::size_t i = 0; i < x.size(); ++i) {
        const std::string entry = fmt::format("{}[{}]", where, i);
        if (x[i].name != y[i].name)
            return fmt::format("{}.name: {:?} against {:?}", entry, x[i].name, y[i].name);
        std::string difference = fields_difference<fields::SqsAttributeEntry>(x[i], y[i], entry);
        if (!difference.empty())
            return difference;
    }
    return "";
}

// Every field of the table, compared as its kind is.
template <class Table>
std::string fields_difference(const typename Table::Fields& x, const typename Table::Fields& y,
                              const std::string& where) {
    std::string difference;
    const auto compare = [&](const auto& field) {
        if (!difference.empty())
            return;
        const std::string place = fmt::format("{}.{}", where, field.key);
        if (field.text != nullptr && x.*field.text != y.*field.text) {
            difference = fmt::format("{}: {:?} against {:?}", place, x.*field.text, y.*field.text);
        } else if (field.bytes != nullptr && as_text(x.*field.bytes) != as_text(y.*field.bytes)) {
            difference = fmt::format("{}: bytes {:?} against {:?}", place, as_text(x.*field.bytes),
                                     as_text(y.*field.bytes));
        } else if (field.seconds != nullptr &&
                   // Bit for bit: the fast path computes numbers itself.
                   std::bit_cast<std::uint64_t>(x.*field.seconds) !=
                       std::bit_cast<std::uint64_t>(y.*field.seconds)) {
            difference =
                fmt::format("{}: {} against {}", place, x.*field.seconds, y.*field.seconds);
        } else if (field.count != nullptr && x.*field.count != y.*field.count) {
            difference = fmt::format("{}: {} against {}", place, x.*field.count, y.*field.count);
        } else if (field.attributes != nullptr) {
            difference = attributes_difference(x.*field.attributes, y.*field.attributes, place);
        }
    };
    for (const auto& field : Table::kFields)
        compare(field);
    return difference;
}

template <class Table>
std::string records_difference(const std::vector<typename Table::Fields>& a,
                               const std::vector<typename Table::Fields>& b) {
    if (a.size() != b.size())
        return fmt::format("{} records against {}", a.size(), b.size());
    for (std::size_t i = 0; i < a.size(); ++i) {
        std::string difference =
            fields_difference<Table>(a[i], b[i], fmt::format("Records[{}]", i));
        if (!difference.empty())
            return difference;
    }
    return "";
}

}  // namespace

std::string batch_difference(const DecodedBatch& a, const DecodedBatch& b) {
    if (a.source != b.source) {
        return fmt::format("source {} against {}", source_name(a.source), source_name(b.source));
    }
    std::string difference;
    switch (a.source) {
        case Source::kKinesis:
            difference = records_difference<fields::KinesisSource>(a.kinesis, b.kinesis);
            break;
        case Source::kSqs:
            difference = records_difference<fields::SqsSource>(a.sqs, b.sqs);
            break;
        case Source::kDynamoDb:
            difference = records_difference<fields::DynamoDbSource>(a.dynamodb, b.dynamodb);
            break;
    }
    if (!difference.empty())
        return difference;
    for (const DecodedBatch* batch : {&a, &b}) {
        for (std::size_t i = 0; i < batch->sqs.size(); ++i) {
            if (!inside(*batch, batch->sqs[i].message_attributes))
                return fmt::format("Records[{}]: attributes outside the batch's storage", i);
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
