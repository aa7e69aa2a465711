#include "response_writer.h"

#include <string_view>
#include <unordered_set>

#include <nlohmann/json.hpp>

namespace kbatch {

std::string write_batch_response(const BatchReport& report, bool pretty) {
    nlohmann::json failures = nlohmann::json::array();
    std::unordered_set<std::string_view> reported;
    for (const RecordFailure& failure : report.failures) {
        if (!reported.insert(failure.sequence_number).second)
            continue;
        failures.push_back({{"itemIdentifier", failure.sequence_number}});
    }
    const nlohmann::json response = {{"batchItemFailures", std::move(failures)}};
    return response.dump(pretty ? 2 : -1);
}

}  // namespace kbatch
