// The Runtime API client in process: how often it tries, and what it makes of the deadline header.
#include <chrono>
#include <cstdint>
#include <limits>
#include <string>
#include <thread>

#include <fmt/format.h>
#include <catch2/catch.hpp>

#include "raw_http_peer.h"
#include "runtime_api_client.h"

namespace kbatch::test {
namespace {

using namespace std::chrono_literals;
using tcp = boost::asio::ip::tcp;
using Clock = std::chrono::system_clock;

RetryPolicy quick_retries(int* sleeps) {
    RetryPolicy policy;
    policy.post_timeout = 150ms;
    policy.sleep = [sleeps](std::chrono::milliseconds) { ++*sleeps; };
    return policy;
}

std::string next_answer(std::string_view request_id) {
    return fmt::format(
        "HTTP/1.1 200 OK\r\nLambda-Runtime-Aws-Request-Id: {}\r\nContent-Length: 2\r\n\r\n{{}}",
        request_id);
}

// GET /next once, so that what follows goes out on the kept-alive connection.
void take_next(RuntimeApiClient& api) {
    InvocationHeaders invocation;
    std::string event;
    REQUIRE(api.next(&invocation, &event).is_ok());
}

TEST_CASE("a response post that is never answered goes out six times in all, as the log says") {
    // GET /next first, so that the post goes out on a kept-alive connection: that is where a
    // second, uncounted send used to hide.
    RawHttpPeer peer("127.0.0.1", [&peer](tcp::socket& socket, const std::string& request, int) {
        if (request.starts_with("GET ")) {
            RawHttpPeer::send(socket, next_answer("req-1"));
            return AfterReply::kKeepOpen;
        }
        peer.hold_until_closed(socket, 10s);
        return AfterReply::kClose;
    });
    int sleeps = 0;
    RuntimeApiClient api(peer.host(), peer.port(), quick_retries(&sleeps));
    take_next(api);
    const Status posted = api.post_response("req-1", R"({"batchItemFailures":[]})");
    REQUIRE_FALSE(posted.is_ok());
    CHECK_THAT(posted.message(), Catch::Contains("gave up after 6 attempts"));
    // Not a refusal: the API never answered, and the runtime must give way to a new one.
    CHECK(posted.kind() == ErrorKind::kRuntimeApiError);
    std::size_t posts = 0;
    for (const std::string& request : peer.requests())
        posts += request.starts_with("POST /2018-06-01/runtime/invocation/req-1/response") ? 1 : 0;
    CHECK(posts == 6);
    CHECK(sleeps == 5);  // between attempts, none after the last
}

TEST_CASE("a kept-alive connection closed by the API is retried at once, as one of the six") {
    // The API answers each request and closes the connection after it (its idle timeout): every
    // post after the first request meets a closed connection once, then goes through.
    RawHttpPeer peer("127.0.0.1", [](tcp::socket& socket, const std::string& request, int) {
        if (request.starts_with("GET ")) {
            RawHttpPeer::send(socket, next_answer("req-2"));
            return AfterReply::kClose;
        }
        RawHttpPeer::send(socket, "HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\n");
        return AfterReply::kClose;
    });
    int sleeps = 0;
    RuntimeApiClient api(peer.host(), peer.port(), quick_retries(&sleeps));
    take_next(api);
    std::this_thread::sleep_for(50ms);  // let the close arrive
    CHECK(api.post_response("req-2", "{}").is_ok());
    CHECK(sleeps == 0);  // a stale connection is not a reason to back off
}

TEST_CASE("a 4xx answer is a refusal, final at once, told apart from a failing API") {
    RawHttpPeer peer("127.0.0.1", [](tcp::socket& socket, const std::string& request, int) {
        if (request.starts_with("GET ")) {
            RawHttpPeer::send(socket, next_answer("req-3"));
            return AfterReply::kKeepOpen;
        }
        RawHttpPeer::send(socket, "HTTP/1.1 410 Gone\r\nContent-Length: 9\r\n\r\ntimed out");
        return AfterReply::kKeepOpen;
    });
    int sleeps = 0;
    RuntimeApiClient api(peer.host(), peer.port(), quick_retries(&sleeps));
    take_next(api);
    const Status posted = api.post_response("req-3", "{}");
    REQUIRE_FALSE(posted.is_ok());
    // The host serves the next invocation after a refusal, and exits after any other failure.
    CHECK(posted.kind() == ErrorKind::kRuntimeApiRefused);
    CHECK_THAT(posted.message(), Catch::Contains("answered 410: timed out"));
    CHECK(sleeps == 0);
}

TEST_CASE("the deadline header saturates instead of wrapping round") {
    constexpr auto kMost =
        std::chrono::duration_cast<std::chrono::milliseconds>(Clock::duration::max()).count();
    CHECK(parse_deadline_header("1767225600000") ==
          Clock::time_point(std::chrono::milliseconds(1767225600000)));
    CHECK(parse_deadline_header("0") == Clock::time_point());
    // Beyond what the clock holds (its nanoseconds run out in 2262): no deadline rather than one
    // in the past, which would report every record "not processed".
    CHECK(parse_deadline_header("9300000000000") == Clock::time_point::max());
    CHECK(parse_deadline_header(std::to_string(std::numeric_limits<std::int64_t>::max())) ==
          Clock::time_point::max());
    CHECK(parse_deadline_header("99999999999999999999999") == Clock::time_point::max());
    CHECK(parse_deadline_header(std::to_string(kMost)) ==
          Clock::time_point(std::chrono::milliseconds(kMost)));
    CHECK(parse_deadline_header(std::to_string(kMost + 1)) == Clock::time_point::max());
    CHECK(parse_deadline_header(std::to_string(-kMost)) ==
          Clock::time_point(std::chrono::milliseconds(-kMost)));
    CHECK(parse_deadline_header(std::to_string(-kMost - 1)) == Clock::time_point::min());
    CHECK(parse_deadline_header("-99999999999999999999999") == Clock::time_point::min());
    // Not a number: no deadline.
    for (const char* unparsable : {"", "soon", "12x", "1.5e12", " 1", "+1", "-"}) {
        INFO(unparsable);
        CHECK(parse_deadline_header(unparsable) == Clock::time_point::max());
    }
}

}  // namespace
}  // namespace kbatch::test
