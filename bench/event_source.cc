#include "event_source.h"

#include <stdexcept>

#include <simdjson.h>

namespace kbatch::bench {

std::string_view event_source_name(EventSource source) {
    switch (source) {
        case EventSource::kKinesis:
            return "aws:kinesis";
        case EventSource::kSqs:
            return "aws:sqs";
        case EventSource::kDynamoDb:
            return "aws:dynamodb";
    }
    return "unknown";
}

EventSource detect_event_source(std::string_view event) {
    if (event.starts_with("\xEF\xBB\xBF"))
        event.remove_prefix(3);  // a byte-order mark, as some SDKs' sample events have
    const simdjson::padded_string padded(event);
    simdjson::ondemand::parser parser;
    simdjson::ondemand::document doc;
    simdjson::ondemand::array records;
    std::string_view name;
    if (parser.iterate(padded).get(doc) != simdjson::SUCCESS ||
        doc.find_field_unordered("Records").get_array().get(records) != simdjson::SUCCESS) {
        throw std::runtime_error("not an event: no Records array");
    }
    for (simdjson::ondemand::value record : records) {
        if (record.find_field_unordered("eventSource").get_string().get(name) !=
            simdjson::SUCCESS) {
            throw std::runtime_error("Records[0] has no eventSource string");
        }
        for (const EventSource source :
             {EventSource::kKinesis, EventSource::kSqs, EventSource::kDynamoDb}) {
            if (name == event_source_name(source))
                return source;
        }
        throw std::runtime_error("Records[0] comes from \"" + std::string(name) +
                                 "\", not from a source the benchmarks know");
    }
    throw std::runtime_error("the event has no records");
}

}  // namespace kbatch::bench
