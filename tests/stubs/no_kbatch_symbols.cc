// Test stub: an ordinary shared object (a valid ELF file that dlopen accepts) that exports a
// function but none of kbatch's symbols.
extern "C" __attribute__((visibility("default"))) int stub_answer() {
    return 42;
}
