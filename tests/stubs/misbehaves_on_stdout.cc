// Test stub: prints to standard output from its constructor and from process() (as a debugging
// printf or a chatty library would), fails the records whose data is "fail", and throws from its
// destructor. `kbatch invoke`'s standard output must still be the response alone, and the throw
// a warning, not an abort.
#include <cstdio>
#include <iostream>
#include <stdexcept>

#include <kbatch/plugin.hpp>

namespace {

class MisbehavesOnStdout final : public kbatch::RecordProcessor {
  public:
    explicit MisbehavesOnStdout(const kbatch::PluginConfig&) {
        std::printf("stub_misbehaves_on_stdout: constructed\n");
    }
    ~MisbehavesOnStdout() override { throw std::runtime_error("stub destructor failure"); }
    kbatch::Result process(const kbatch::KinesisRecord& record, const kbatch::Context&) override {
        std::cout << "stub_misbehaves_on_stdout: " << record.sequence_number() << std::endl;
        std::fputs("stub_misbehaves_on_stdout: unflushed", stdout);
        return record.text() == "fail" ? kbatch::Result::failure("marked") : kbatch::Result::ok();
    }
};

}  // namespace

KBATCH_PLUGIN(MisbehavesOnStdout)
