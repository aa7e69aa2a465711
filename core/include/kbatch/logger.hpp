// kbatch plugin SDK: the logger a plugin writes to (kbatch::Logger, kbatch::LogLevel). It crosses
// the plugin boundary, so it is declared with the other boundary types in abi.hpp; this header
// stays for plugins that include it by name.
#pragma once

#include "kbatch/abi.hpp"
