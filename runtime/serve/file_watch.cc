#include "file_watch.h"

#include <sys/stat.h>

#include <utility>

#include <fmt/format.h>

namespace kbatch::serve {

FileWatch::FileWatch(Locate locate) : locate_(std::move(locate)) {
    baseline_ = signature();
}

std::string FileWatch::signature() {
    file_ = locate_();
    if (!file_) {
        description_ = "(not found)";
        return "missing";
    }
    description_ = file_->string();
    struct stat info {};
    if (stat(file_->c_str(), &info) != 0)
        return fmt::format("{} unreadable", description_);
    return fmt::format("{} {} {} {}.{:09}", description_, info.st_ino, info.st_size,
                       info.st_mtim.tv_sec, info.st_mtim.tv_nsec);
}

bool FileWatch::changed() {
    std::string now = signature();
    if (now == baseline_) {
        pending_.reset();
        return false;
    }
    if (pending_ != now) {  // still moving: wait until it holds still for one poll
        pending_ = std::move(now);
        return false;
    }
    baseline_ = std::move(now);
    pending_.reset();
    return true;
}

}  // namespace kbatch::serve
