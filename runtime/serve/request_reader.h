// kbatch serve: reads HTTP/1.1 requests off one connection, bodies in large reads.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include "socket_stream.h"

namespace kbatch::serve {

using HttpRequest = boost::beast::http::request<boost::beast::http::string_body>;

enum class ReadStatus {
    kOk,              // a whole request
    kClosed,          // the peer closed, reset or went silent past the timeout; nothing to answer
    kBodyTooLarge,    // the body is over the limit (the request has the header only)
    kHeaderTooLarge,  // the start line and header fields are over the limit
    kMalformed,       // not HTTP/1.x as RFC 9112 has it (`detail` says why)
};

struct ReadOutcome {
    ReadStatus status = ReadStatus::kOk;
    std::string detail;  // kMalformed: Beast's message
};

/// Reads one request after another off a connection. The header goes through Beast's parser;
/// a Content-Length body is then read by the reader itself, straight into the request's body
/// string with reads as large as what is left of it (a 6 MB event takes a few dozen reads, and
/// is copied once, from the kernel), after the length was checked against the limit. A chunked
/// body goes through the parser, fed in large reads, which enforces the limit chunk by chunk.
///
/// Ownership: does not own `stream`, which must outlive it. Keeps what arrived past the end of
/// one request (a pipelined next one) for the next call.
/// Thread safety: none; the connection's thread owns it.
class RequestReader {
  public:
    RequestReader(SocketStream& stream, std::size_t body_limit, std::size_t header_limit);

    /// Waits up to `idle_timeout` for the first byte of the next request (or one already
    /// buffered). False when the peer closed, or sent nothing in time.
    bool wait_for_request(std::chrono::milliseconds idle_timeout);

    /// Reads one request into `request`. Answers "Expect: 100-continue" itself, and only when
    /// the announced body is within the limit.
    ReadOutcome read(HttpRequest& request);

  private:
    // Reads more into buffer_; false (and `outcome` set) when the peer went away.
    bool fill(ReadOutcome& outcome);
    ReadOutcome read_sized_body(std::size_t length, std::string& body);

    SocketStream& stream_;
    const std::size_t body_limit_;
    const std::size_t header_limit_;
    boost::beast::flat_buffer buffer_;
};

}  // namespace kbatch::serve
