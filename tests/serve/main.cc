// kbatch serve tests: Catch2's main, compiled once for every test program here.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
