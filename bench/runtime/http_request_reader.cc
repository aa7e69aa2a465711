#include "http_request_reader.h"

#include <sys/socket.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>

#include "loopback_socket.h"

namespace kbatch::bench {
namespace {

constexpr std::size_t kReadSize = 64 * 1024;
// Nothing a runtime client sends comes close; a longer line means the stream is not HTTP.
constexpr std::size_t kMaxLine = 64 * 1024;
// Twice Lambda's 6 MB response limit: a longer body is a broken client.
constexpr std::size_t kMaxBody = 12 * 1024 * 1024;

std::string lower(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return text;
}

std::string trim(const std::string& text) {
    const std::size_t first = text.find_first_not_of(" \t");
    if (first == std::string::npos)
        return "";
    return text.substr(first, text.find_last_not_of(" \t") - first + 1);
}

bool parse_size(const std::string& text, int base, std::size_t* size) {
    const char* end = text.data() + text.size();
    const auto [stop, error] = std::from_chars(text.data(), end, *size, base);
    return error == std::errc() && stop != text.data();
}

}  // namespace

bool HttpRequestReader::fill() {
    char buffer[kReadSize];
    for (;;) {  // bounded: only an interrupted read goes round again
        const ssize_t got = ::recv(fd_, buffer, sizeof buffer, 0);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            return false;
        pending_.append(buffer, static_cast<std::size_t>(got));
        return true;
    }
}

bool HttpRequestReader::read_line(std::string* line) {
    std::size_t end = pending_.find("\r\n");
    while (end == std::string::npos) {
        if (pending_.size() > kMaxLine || !fill())
            return false;
        end = pending_.find("\r\n");
    }
    line->assign(pending_, 0, end);
    pending_.erase(0, end + 2);
    return true;
}

bool HttpRequestReader::read_exactly(std::size_t count, std::string* out) {
    while (pending_.size() < count) {
        if (!fill())
            return false;
    }
    out->append(pending_, 0, count);
    pending_.erase(0, count);
    return true;
}

bool HttpRequestReader::read_chunked(std::string* out) {
    std::string line;
    for (;;) {  // bounded by kMaxBody: every chunk but the last adds at least one byte
        if (!read_line(&line))
            return false;
        std::size_t size = 0;
        if (!parse_size(trim(line.substr(0, line.find(';'))), 16, &size) ||
            out->size() + size > kMaxBody) {
            return false;
        }
        if (size == 0)
            break;
        std::string crlf;
        if (!read_exactly(size, out) || !read_line(&crlf) || !crlf.empty())
            return false;
    }
    // Trailers, if any, end with an empty line.
    for (std::size_t lines = 0; lines < 100; ++lines) {
        if (!read_line(&line))
            return false;
        if (line.empty())
            return true;
    }
    return false;
}

bool HttpRequestReader::read(HttpRequest* request) {
    std::string line;
    if (!read_line(&line))
        return false;
    const std::size_t first_space = line.find(' ');
    const std::size_t second_space = line.find(' ', first_space + 1);
    if (first_space == std::string::npos || second_space == std::string::npos)
        return false;
    request->method = line.substr(0, first_space);
    request->target = line.substr(first_space + 1, second_space - first_space - 1);
    request->body.clear();

    std::size_t content_length = 0;
    bool chunked = false;
    bool expects_continue = false;
    for (std::size_t headers = 0;; ++headers) {
        if (headers > 200 || !read_line(&line))
            return false;
        if (line.empty())
            break;
        const std::size_t colon = line.find(':');
        if (colon == std::string::npos)
            return false;
        const std::string name = lower(line.substr(0, colon));
        const std::string value = lower(trim(line.substr(colon + 1)));
        if (name == "content-length" && !parse_size(value, 10, &content_length))
            return false;
        chunked = chunked || (name == "transfer-encoding" && value.find("chunked") != value.npos);
        expects_continue = expects_continue || (name == "expect" && value == "100-continue");
    }
    if (expects_continue && !send_all(fd_, "HTTP/1.1 100 Continue\r\n\r\n"))
        return false;
    if (chunked)
        return read_chunked(&request->body);
    if (content_length > kMaxBody)
        return false;
    return read_exactly(content_length, &request->body);
}

}  // namespace kbatch::bench
