#include "connection_table.h"

#include <sys/socket.h>

#include <algorithm>

namespace kbatch::serve {

struct ConnectionTable::Entry {
    int fd = -1;
    bool busy = false;  // a request is in progress
    bool shut = false;  // shut down by the table (evicted, or stopping)
    std::chrono::steady_clock::time_point idle_since = std::chrono::steady_clock::now();
};

ConnectionTable::ConnectionTable(std::size_t max_connections)
    : max_connections_(std::max<std::size_t>(max_connections, 1)) {}

ConnectionTable::Admission ConnectionTable::admit(int fd, Handle* handle) {
    std::lock_guard lock(mutex_);
    if (stopping_)
        return Admission::kFull;
    Admission admission = Admission::kAdmitted;
    std::size_t live = 0;
    Entry* oldest_idle = nullptr;
    for (const Handle& entry : entries_) {
        if (entry->shut)
            continue;
        ++live;
        if (!entry->busy && (oldest_idle == nullptr || entry->idle_since < oldest_idle->idle_since))
            oldest_idle = entry.get();
    }
    if (live >= max_connections_) {
        if (oldest_idle == nullptr)
            return Admission::kFull;
        // Its thread wakes from its wait for a request, finds the end of the stream, and leaves.
        ::shutdown(oldest_idle->fd, SHUT_RDWR);
        oldest_idle->shut = true;
        admission = Admission::kAdmittedByEviction;
    }
    auto entry = std::make_shared<Entry>();
    entry->fd = fd;
    entries_.push_back(entry);
    *handle = std::move(entry);
    return admission;
}

bool ConnectionTable::begin_request(const Handle& handle) {
    std::lock_guard lock(mutex_);
    if (handle->shut)
        return false;
    handle->busy = true;
    return true;
}

void ConnectionTable::end_request(const Handle& handle) {
    std::lock_guard lock(mutex_);
    handle->busy = false;
    handle->idle_since = std::chrono::steady_clock::now();
}

void ConnectionTable::remove(const Handle& handle, const std::function<void()>& close) {
    std::lock_guard lock(mutex_);
    close();
    handle->shut = true;
    entries_.remove(handle);
}

void ConnectionTable::shut_down_all() {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    for (const Handle& entry : entries_) {
        if (!entry->shut) {
            ::shutdown(entry->fd, SHUT_RDWR);
            entry->shut = true;
        }
    }
}

std::size_t ConnectionTable::open() const {
    std::lock_guard lock(mutex_);
    return static_cast<std::size_t>(std::count_if(
        entries_.begin(), entries_.end(), [](const Handle& entry) { return !entry->shut; }));
}

}  // namespace kbatch::serve
