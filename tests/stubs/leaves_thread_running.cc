// Test stub: starts a thread in its constructor that runs the plugin's own code until the process
// ends (a metrics flusher, a connection pool's keep-alive), and never joins it. The host must keep
// the shared object mapped while that thread runs, on every path out of the process.
#include <atomic>
#include <chrono>
#include <thread>

#include <kbatch/plugin.hpp>

namespace {

std::atomic<unsigned long> ticks{0};

// Stays inside this library's code: when the library is unmapped under it, it crashes.
[[noreturn]] void tick_forever() {
    for (;;) {
        ticks.fetch_add(1, std::memory_order_relaxed);
        std::this_thread::sleep_for(std::chrono::microseconds(50));
    }
}

class LeavesThreadRunning final : public kbatch::RecordProcessor {
  public:
    explicit LeavesThreadRunning(const kbatch::PluginConfig&) {
        std::thread(tick_forever).detach();
    }
    kbatch::Result process(const kbatch::KinesisRecord&, const kbatch::Context&) override {
        return kbatch::Result::ok();
    }
};

}  // namespace

KBATCH_PLUGIN(LeavesThreadRunning)
