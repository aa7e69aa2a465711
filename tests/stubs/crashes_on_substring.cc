// Test stub: kills its process when a record's decoded data contains "ABORT" (std::abort) or
// "SEGV" (a real invalid memory access); any other record succeeds. A plugin's crash cannot be
// caught by the host: it takes the runtime with it, and Lambda (or `kbatch serve`) fails the
// invocation and starts a new runtime. This stub is how the tests check that path.
#include <csignal>
#include <cstdlib>

#include <kbatch/plugin.hpp>

namespace {

// Written through a volatile pointer so that the compiler cannot prove the access away.
void access_invalid_memory() {
    int* volatile nowhere = nullptr;
    *nowhere = 1;
    // Not reached; if the platform maps page zero after all, die in the same way regardless.
    std::raise(SIGSEGV);
}

class CrashesOnSubstring final : public kbatch::RecordProcessor {
  public:
    explicit CrashesOnSubstring(const kbatch::PluginConfig&) {}

    kbatch::Result process(const kbatch::KinesisRecord& record, const kbatch::Context&) override {
        if (record.text().find("ABORT") != std::string_view::npos)
            std::abort();
        if (record.text().find("SEGV") != std::string_view::npos)
            access_invalid_memory();
        return kbatch::Result::ok();
    }
};

}  // namespace

KBATCH_PLUGIN(CrashesOnSubstring)
