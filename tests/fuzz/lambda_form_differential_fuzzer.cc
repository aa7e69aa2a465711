// libFuzzer target: any bytes, as an event, through the decoder with and without its fast path
// for Lambda's form (lambda_form_decoder.h). It traps when the two disagree: on the status, the
// source, or any field of any record (every field of source_fields.h's tables: Kinesis, SQS with
// its message attributes, DynamoDB Streams with its images) or defect. The fast path may only
// ever take an event the general path decodes to the same batch. scripts/fuzz seeds it with the
// events of all three sources, compact and spaced, and a dictionary of their keys.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "batch_difference.h"
#include "event_decoder.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static kbatch::EventDecoder trying;
    static kbatch::EventDecoder general(kbatch::EventDecoder::FastPath::kSkip);
    const std::string_view event(reinterpret_cast<const char*>(data), size);
    const std::string fast_status = trying.decode(event).to_string();
    const std::string general_status = general.decode(event).to_string();
    const std::string difference = kbatch::test::batch_difference(trying.batch(), general.batch());
    if (fast_status != general_status || !difference.empty()) {
        std::fprintf(stderr, "the decoder's paths disagree: %s against %s; %s\n",
                     fast_status.c_str(), general_status.c_str(), difference.c_str());
        __builtin_trap();
    }
    return 0;
}
