#include "lambda_context.h"

#include <chrono>

namespace kbatch::bench {

Context lambda_like_context(Logger& logger) {
    using namespace std::chrono_literals;
    return Context("8476a536-e9f4-5ba6-b8b4-bd11a7c4d0f4", Context::Clock::now() + 15min,
                   "arn:aws:lambda:us-east-1:123456789012:function:kbatch-bench",
                   "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=0",
                   logger);
}

}  // namespace kbatch::bench
