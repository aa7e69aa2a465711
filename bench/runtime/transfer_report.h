// bench/runtime: prints issue 19's figures: a table for people, or one JSON line per figure.
#pragma once

#include <vector>

#include "transfer_figures.h"

namespace kbatch::bench {

void print_transfer_table(const std::vector<ShapeFigures>& shapes);
void print_transfer_json(const std::vector<ShapeFigures>& shapes);

}  // namespace kbatch::bench
