// kbatch bench: the statistic bench/compare reports.
#pragma once

#include <algorithm>
#include <vector>

namespace kbatch::bench {

/// The median of `samples` (the mean of the two middle ones for an even count); 0 when empty.
/// The median rather than the mean: on a shared machine a few runs are slowed by others' work.
inline double median(std::vector<double> samples) {
    if (samples.empty())
        return 0;
    std::sort(samples.begin(), samples.end());
    const std::size_t middle = samples.size() / 2;
    if (samples.size() % 2 == 1)
        return samples[middle];
    return (samples[middle - 1] + samples[middle]) / 2;
}

}  // namespace kbatch::bench
