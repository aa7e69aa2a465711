// kbatch serve: the open connections, which of them are idle, and a bound on their number.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <list>
#include <memory>
#include <mutex>

namespace kbatch::serve {

/// Bounds the connections an HttpServer serves at once (each one has a thread), without letting
/// idle connections lock out the ones that matter: at the limit, the connection that has been
/// idle longest is shut down to make room for a new one. Only when every connection has a request
/// in progress (a runtime waiting in GET /next, invokers waiting for their answers) is a new one
/// refused.
///
/// "Idle" means no request in progress: from accept, or from the end of a response, until the
/// first byte of the next request arrives.
///
/// Ownership: owns no socket; it shuts sockets down (shutdown(2), which wakes their threads) but
/// their threads close them, through remove(), under the table's lock, so that a socket number
/// reused after a close is never shut down by mistake.
/// Thread safety: every method may be called from any thread.
class ConnectionTable {
  public:
    struct Entry;
    using Handle = std::shared_ptr<Entry>;

    enum class Admission {
        kAdmitted,            // below the limit
        kAdmittedByEviction,  // at the limit; the longest idle connection was shut down for it
        kFull,                // at the limit, with a request in progress on every connection
    };

    explicit ConnectionTable(std::size_t max_connections);

    /// Admits the connection on socket `fd` (see Admission); `*handle` is set unless kFull.
    Admission admit(int fd, Handle* handle);

    /// A request has begun to arrive: the connection may not be evicted until end_request().
    /// False if it has been shut down meanwhile (evicted, or the server is stopping).
    bool begin_request(const Handle& handle);
    /// The response is written: the connection is idle again, and evictable.
    void end_request(const Handle& handle);

    /// Closes the connection with `close` (called under the table's lock) and forgets it.
    void remove(const Handle& handle, const std::function<void()>& close);

    /// Shuts every connection down and admits none from now on.
    void shut_down_all();

    /// Connections admitted and neither removed nor shut down.
    std::size_t open() const;

  private:
    const std::size_t max_connections_;
    mutable std::mutex mutex_;
    std::list<Handle> entries_;
    bool stopping_ = false;
};

}  // namespace kbatch::serve
