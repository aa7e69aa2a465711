// bench/runtime: reads HTTP/1.1 requests off one connection, for the scripted Runtime API. Just
// what a runtime client sends: a request line, headers, and a body by Content-Length or chunked.
#pragma once

#include <cstddef>
#include <string>

namespace kbatch::bench {

struct HttpRequest {
    std::string method;  // "GET"
    std::string target;  // "/2018-06-01/runtime/invocation/next"
    std::string body;
};

/// Reads requests from a connected socket, one after another, in reads of 64 KiB (so that the
/// server side never slows a transfer down). Does not own the socket.
class HttpRequestReader {
  public:
    explicit HttpRequestReader(int fd) : fd_(fd) {}

    /// Reads the next whole request. Answers "100 Continue" when the client asks for it (curl
    /// does for larger bodies). False when the peer closed the connection or sent something this
    /// reader does not understand.
    bool read(HttpRequest* request);

  private:
    bool fill();  // one more read into pending_; false at the end of the stream
    bool read_line(std::string* line);
    bool read_exactly(std::size_t count, std::string* out);
    bool read_chunked(std::string* out);

    int fd_;
    std::string pending_;  // read but not yet consumed
};

}  // namespace kbatch::bench
