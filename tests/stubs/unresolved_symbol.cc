// Test stub: a valid plugin that calls a function no library defines. Loaded lazily it would
// fail only mid-batch, when process() first runs; the host loads with RTLD_NOW so it must fail at
// load, naming the missing symbol.
#include <kbatch/plugin.hpp>

extern "C" int kbatch_test_symbol_that_nothing_defines(int);

namespace {

class UnresolvedSymbol final : public kbatch::RecordProcessor {
  public:
    explicit UnresolvedSymbol(const kbatch::PluginConfig&) {}
    kbatch::Result process(const kbatch::KinesisRecord& record, const kbatch::Context&) override {
        if (kbatch_test_symbol_that_nothing_defines(static_cast<int>(record.data().size())) != 0) {
            return kbatch::Result::failure("unreachable");
        }
        return kbatch::Result::ok();
    }
};

}  // namespace

KBATCH_PLUGIN(UnresolvedSymbol)
