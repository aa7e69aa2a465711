#include "request_reader.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string_view>

#include <boost/asio/error.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>

namespace kbatch::serve {
namespace {

namespace http = boost::beast::http;
using error_code = boost::system::error_code;

// What one read asks for while a header or a chunked body is being parsed. The buffer keeps this
// capacity for the connection's life: Beast's own loop asks for max(512, capacity - size), so a
// small buffer means reads of 512 bytes.
constexpr std::size_t kReadSize = 64 * 1024;

bool write_all(SocketStream& stream, std::string_view text) {
    while (!text.empty()) {
        iovec piece{const_cast<char*>(text.data()), text.size()};
        error_code error;
        const std::size_t n = stream.write_some(&piece, 1, error);
        if (error)
            return false;
        text.remove_prefix(n);
    }
    return true;
}

// A client that sent "Expect: 100-continue" waits (curl: one second) for this before the body.
bool answer_continue(SocketStream& stream, const HttpRequest& header) {
    if (header.version() < 11 ||
        !boost::beast::iequals(header[http::field::expect], "100-continue")) {
        return true;
    }
    return write_all(stream, "HTTP/1.1 100 Continue\r\n\r\n");
}

ReadOutcome closed(const error_code& error) {
    return {ReadStatus::kClosed, error.message()};
}

}  // namespace

RequestReader::RequestReader(SocketStream& stream, std::size_t body_limit, std::size_t header_limit)
    : stream_(stream), body_limit_(body_limit), header_limit_(header_limit) {
    buffer_.reserve(kReadSize);
}

bool RequestReader::wait_for_request(std::chrono::milliseconds idle_timeout) {
    if (buffer_.size() > 0)
        return true;
    error_code error;
    return stream_.wait_readable(idle_timeout, error);
}

bool RequestReader::fill(ReadOutcome& outcome) {
    const auto space = buffer_.prepare(kReadSize);
    error_code error;
    const std::size_t n = stream_.read_some(static_cast<char*>(space.data()), space.size(), error);
    if (error) {
        outcome = closed(error);
        return false;
    }
    buffer_.commit(n);
    return true;
}

ReadOutcome RequestReader::read(HttpRequest& request) {
    http::request_parser<http::string_body> parser;
    // The body limit is checked below from the Content-Length header, before any of the body is
    // read, rather than left to the parser: Boost 1.74's parser was seen to accept a body over
    // its limit when the body came in the same buffer as the header. (Not boost::none for "no
    // limit": 1.74 compares the length with the empty optional and refuses every body.)
    parser.body_limit(std::numeric_limits<std::uint64_t>::max());
    parser.header_limit(
        static_cast<std::uint32_t>(std::min<std::size_t>(header_limit_, UINT32_MAX)));
    parser.eager(false);  // stop after the header; its body is read below

    ReadOutcome outcome;
    while (!parser.is_header_done()) {
        if (buffer_.size() > 0) {
            error_code error;
            buffer_.consume(parser.put(buffer_.data(), error));
            if (error == http::error::header_limit)
                return {ReadStatus::kHeaderTooLarge, error.message()};
            if (error && error != http::error::need_more)
                return {ReadStatus::kMalformed, error.message()};
            if (parser.is_header_done())
                break;
        }
        if (!fill(outcome))
            return outcome;
    }

    if (parser.is_done()) {
        request = parser.release();
        return outcome;
    }
    if (parser.chunked()) {
        if (!answer_continue(stream_, parser.get()))
            return closed(boost::asio::error::connection_reset);
        // Chunk sizes come one at a time: the parser counts them against the limit.
        parser.body_limit(body_limit_);
        parser.eager(true);
        while (!parser.is_done()) {
            if (buffer_.size() > 0) {
                error_code error;
                buffer_.consume(parser.put(buffer_.data(), error));
                if (error == http::error::body_limit) {
                    request = parser.release();
                    request.body().clear();
                    return {ReadStatus::kBodyTooLarge, {}};
                }
                if (error && error != http::error::need_more)
                    return {ReadStatus::kMalformed, error.message()};
                if (parser.is_done())
                    break;
            }
            if (!fill(outcome))
                return outcome;
        }
        request = parser.release();
        return outcome;
    }

    // Not chunked and not done: a request's body then always has a Content-Length (RFC 9112
    // 6.3: a request without either has none, and the parser is done).
    const std::uint64_t length = parser.content_length().value_or(0);
    request = parser.release();
    if (length > body_limit_)
        return {ReadStatus::kBodyTooLarge, {}};
    if (!answer_continue(stream_, request))
        return closed(boost::asio::error::connection_reset);
    return read_sized_body(static_cast<std::size_t>(length), request.body());
}

ReadOutcome RequestReader::read_sized_body(std::size_t length, std::string& body) {
    // The string is sized once (zero-filling 6 MB costs a fraction of a millisecond), then the
    // kernel copies each read straight into it: no intermediate buffer, and each read asks for
    // all that is missing, so it returns all that has arrived.
    body.resize(length);
    std::size_t got = std::min(length, buffer_.size());
    std::memcpy(body.data(), buffer_.data().data(), got);
    buffer_.consume(got);
    while (got < length) {
        error_code error;
        got += stream_.read_some(body.data() + got, length - got, error);
        if (error)
            return closed(error);
    }
    return {};
}

}  // namespace kbatch::serve
