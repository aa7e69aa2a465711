// The kbatch contender: what the runtime host does with one event, minus the HTTP.
#include <stdexcept>

#include "checksum_plugin_host.h"
#include "contender.h"
#include "invocation_handler.h"
#include "lambda_context.h"

namespace kbatch::bench {
namespace {

class KbatchContender final : public Contender {
  public:
    explicit KbatchContender(const std::filesystem::path& plugin) : plugin_(plugin) {}

    // The one place that wires the kbatch contender to a source. kbatch's decoder hands only
    // Kinesis batches to plugins today; SQS and DynamoDB Streams join this list when it decodes
    // them (ABI v2, issue 13) and the checksum plugin sums their payloads (the TODO in
    // checksum_plugin/checksum.cc). Until then bench/compare reports them "not yet supported".
    bool handles(EventSource source) const override { return source == EventSource::kKinesis; }

    std::uint64_t run(std::string& event) override {
        // The host builds a context per invocation too.
        const Context context = lambda_like_context(logger_);
        const std::uint64_t before = plugin_.total();
        const Status status =
            handler_.handle_in_place(event, plugin_.processor(), context, &response_);
        if (!status.is_ok())
            throw std::runtime_error(status.to_string());
        return plugin_.total() - before;
    }

  private:
    NullLogger logger_;
    ChecksumPluginHost plugin_;
    // Kept across runs, as the host keeps them across invocations.
    InvocationHandler handler_;
    std::string response_;
};

}  // namespace

std::unique_ptr<Contender> make_kbatch_contender(const std::filesystem::path& plugin) {
    return std::make_unique<KbatchContender>(plugin);
}

}  // namespace kbatch::bench
