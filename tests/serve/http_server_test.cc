// kbatch serve: the HTTP server in process, with limits small enough to reach in a test: the
// connection limit, the idle timeout, and body limits checked before the body is read.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>
#include <kbatch/logger.hpp>

#include "http_server.h"
#include "status.h"
#include "support/http_client.h"
#include "support/idle_connections.h"

namespace {

using namespace std::chrono_literals;
using kbatch::serve::Connection;
using kbatch::serve::HttpRequest;
using kbatch::serve::HttpServer;
using kbatch::serve::HttpServerLimits;
using kbatch::serve::Reply;
using kbatch::serve::RequestHandler;
using kbatch::serve_test::http_request;
using kbatch::serve_test::HttpResult;
using kbatch::serve_test::IdleConnections;
using kbatch::serve_test::raw_exchange;

class QuietLogger final : public kbatch::Logger {
  public:
    bool enabled(kbatch::LogLevel) const noexcept override { return false; }
    void log(kbatch::LogLevel, std::string_view) noexcept override {}
};

// Answers every request with its own body; GET /hold waits until release() (a handler at work,
// as GET /next or an invoke waits).
class EchoHandler final : public RequestHandler {
  public:
    Reply handle(HttpRequest& request, const Connection&) override {
        if (request.target() == "/hold") {
            std::unique_lock lock(mutex_);
            ++holding_;
            changed_.notify_all();
            changed_.wait_for(lock, 20s, [this] { return released_; });
        }
        Reply reply;
        reply.response.result(boost::beast::http::status::ok);
        reply.response.body() = std::move(request.body());
        return reply;
    }
    void body_too_large(const HttpRequest& request) override {
        std::lock_guard lock(mutex_);
        too_large_targets_.emplace_back(request.target());
    }

    void release() {
        std::lock_guard lock(mutex_);
        released_ = true;
        changed_.notify_all();
    }
    bool wait_holding(int count) {
        std::unique_lock lock(mutex_);
        return changed_.wait_for(lock, 10s, [&] { return holding_ >= count; });
    }
    std::vector<std::string> too_large_targets() {
        std::lock_guard lock(mutex_);
        return too_large_targets_;
    }

  private:
    std::mutex mutex_;
    std::condition_variable changed_;
    int holding_ = 0;
    bool released_ = false;
    std::vector<std::string> too_large_targets_;
};

struct TestServer {
    EchoHandler handler;
    QuietLogger logger;
    HttpServer server;

    explicit TestServer(HttpServerLimits limits) : server(handler, logger, limits) {
        const kbatch::Status listening = server.listen("127.0.0.1", 0);
        INFO(listening.message());
        REQUIRE(listening.is_ok());
        server.start();
    }
    ~TestServer() {
        handler.release();
        server.stop();
    }
    std::uint16_t port() const { return server.port(); }
};

HttpServerLimits limits(std::size_t max_connections, std::chrono::milliseconds idle_timeout) {
    HttpServerLimits result;
    result.max_connections = max_connections;
    result.idle_timeout = idle_timeout;
    return result;
}

std::future<HttpResult> hold_async(std::uint16_t port) {
    return std::async(std::launch::async, [port] { return http_request(port, "GET", "/hold"); });
}

}  // namespace

TEST_CASE("Idle connections are closed after the idle timeout, busy ones are not",
          "[serve][http]") {
    TestServer test(limits(64, 300ms));
    const IdleConnections idle(test.port(), 20);

    // A request whose handler works for longer than the idle timeout is not idle.
    auto held = hold_async(test.port());
    REQUIRE(test.handler.wait_holding(1));

    // Every idle one is closed (bounded wait: a hang fails the test rather than blocking it).
    CHECK(idle.wait_closed(idle.size(), 10000) == idle.size());

    test.handler.release();
    const HttpResult answer = held.get();
    REQUIRE(answer.ok);
    CHECK(answer.status == 200);
}

TEST_CASE("Several hundred idle connections do not lock out a request", "[serve][http]") {
    // The idle timeout is far away: only the connection limit can make room.
    TestServer test(limits(16, 60s));
    const IdleConnections idle(test.port(), 300);

    const HttpResult answer = http_request(test.port(), "POST", "/echo", "still served", 10s);
    REQUIRE(answer.ok);
    CHECK(answer.status == 200);
    CHECK(answer.body == "still served");
    // All but the limit's worth were closed to make room (the request's own connection counts).
    CHECK(idle.wait_closed(idle.size() - 15, 10000) >= idle.size() - 15);
}

TEST_CASE("With every connection busy a new one gets 503 and the busy ones are answered",
          "[serve][http]") {
    TestServer test(limits(3, 60s));
    std::vector<std::future<HttpResult>> held;
    for (int i = 0; i < 3; ++i)
        held.push_back(hold_async(test.port()));
    REQUIRE(test.handler.wait_holding(3));

    const std::string refused = raw_exchange(test.port(), "GET /x HTTP/1.1\r\nHost: x\r\n\r\n");
    CHECK_THAT(refused, Catch::StartsWith("HTTP/1.1 503"));
    CHECK_THAT(refused, Catch::Contains("ServiceException"));

    test.handler.release();
    for (auto& answer : held)
        CHECK(answer.get().status == 200);
    // Room again.
    CHECK(http_request(test.port(), "POST", "/echo", "after").body == "after");
}

TEST_CASE("A body over the limit is refused from its length before it is read", "[serve][http]") {
    HttpServerLimits small = limits(16, 10s);
    small.body_limit = 10;
    TestServer test(small);

    SECTION("announced, and never sent") {
        const std::string answer = raw_exchange(
            test.port(), "POST /big?x=1 HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n");
        CHECK_THAT(answer, Catch::StartsWith("HTTP/1.1 413"));
    }
    SECTION("sent in the same packet as the header") {
        const std::string answer = raw_exchange(
            test.port(), "POST /big?x=1 HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n" +
                             std::string(100, 'b'));
        CHECK_THAT(answer, Catch::StartsWith("HTTP/1.1 413"));
    }
    SECTION("with Expect: 100-continue, answered 413 without a 100") {
        const std::string answer =
            raw_exchange(test.port(),
                         "POST /big?x=1 HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\nExpect: "
                         "100-continue\r\n\r\n");
        CHECK_THAT(answer, Catch::StartsWith("HTTP/1.1 413"));
    }
    SECTION("chunked") {
        const std::string answer =
            raw_exchange(test.port(),
                         "POST /big?x=1 HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                         "6\r\nsix by\r\n6\r\ntes ag\r\n0\r\n\r\n");
        CHECK_THAT(answer, Catch::StartsWith("HTTP/1.1 413"));
    }
    REQUIRE(test.handler.too_large_targets().size() == 1);
    CHECK(test.handler.too_large_targets().front() == "/big?x=1");
    // Within the limit, all the same ways, it is served.
    CHECK_THAT(raw_exchange(test.port(),
                            "POST /ok HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n"
                            "Connection: close\r\n\r\n0123456789"),
               Catch::StartsWith("HTTP/1.1 200") && Catch::EndsWith("0123456789"));
    CHECK_THAT(raw_exchange(test.port(),
                            "POST /ok HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                            "Connection: close\r\n\r\n5\r\n01234\r\n5\r\n56789\r\n0\r\n\r\n"),
               Catch::StartsWith("HTTP/1.1 200") && Catch::EndsWith("0123456789"));
}

TEST_CASE("Requests pipelined on one connection are answered in order", "[serve][http]") {
    TestServer test(limits(16, 10s));
    const std::string answer = raw_exchange(
        test.port(),
        "POST /1 HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nfirstPOST /2 HTTP/1.1\r\n"
        "Host: x\r\nContent-Length: 6\r\nExpect: 100-continue\r\n\r\nsecond"
        "POST /3 HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nConnection: close\r\n\r\nthird");
    const std::size_t first = answer.find("first");
    const std::size_t go_on = answer.find("HTTP/1.1 100 Continue");
    const std::size_t second = answer.find("second");
    const std::size_t third = answer.find("third");
    REQUIRE(first != std::string::npos);
    REQUIRE(second != std::string::npos);
    REQUIRE(third != std::string::npos);
    CHECK(first < second);
    CHECK(second < third);
    CHECK(go_on < second);
}

TEST_CASE("A large body arrives whole", "[serve][http]") {
    TestServer test(limits(16, 10s));
    std::string body(6291456, 'x');
    for (std::size_t i = 0; i < body.size(); i += 4093)
        body[i] = static_cast<char>('a' + (i / 4093) % 26);
    const HttpResult answer = http_request(test.port(), "POST", "/echo", body, 30s);
    REQUIRE(answer.ok);
    CHECK(answer.status == 200);
    CHECK(answer.body == body);
}
