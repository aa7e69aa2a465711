// The Runtime API's HTTP client against answers no good server gives: bodies larger than their
// limit (announced or chunked), bodies cut off, kept-alive connections closed under it, and IPv6.
#include <chrono>
#include <random>
#include <string>
#include <thread>

#include <fmt/format.h>
#include <boost/beast/http/verb.hpp>
#include <catch2/catch.hpp>

#include "http_client.h"
#include "raw_http_peer.h"
#include "status.h"
#include "test_support.h"

namespace kbatch::test {
namespace {

using namespace std::chrono_literals;
namespace http = boost::beast::http;
using tcp = boost::asio::ip::tcp;

constexpr std::size_t kLimit = 1024 * 1024;

struct Exchange {
    Status status = Status::ok();  // what request() returned
    HttpClientResponse response;
    std::string body;

    // A transport failure is the one failure request() has: kIoError, whatever went wrong.
    bool transport_failed() const {
        CHECK((status.is_ok() || status.kind() == ErrorKind::kIoError));
        return !status.is_ok();
    }
};

Exchange get(HttpClient& client, std::size_t limit = kLimit) {
    Exchange exchange;
    exchange.status = client.request(http::verb::get, "/thing", {}, {}, 5s, limit,
                                     &exchange.response, &exchange.body);
    return exchange;
}

std::string ok_head(std::size_t length) {
    return fmt::format("HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n", length);
}

std::string seeded_bytes(std::size_t size, unsigned seed) {
    std::mt19937 random(seed);
    std::string bytes(size, '\0');
    for (char& byte : bytes)
        byte = static_cast<char>(random());
    return bytes;
}

TEST_CASE("a Content-Length over the limit is refused from the headers, before the body") {
    // 200 MB announced, 1,000 bytes sent, the connection then held open: a client that reads the
    // body waits here until its timeout instead of refusing at once.
    RawHttpPeer peer("127.0.0.1", [&peer](tcp::socket& socket, const std::string&, int) {
        RawHttpPeer::send(socket, ok_head(200'000'000) + std::string(1000, 'x'));
        peer.hold_until_closed(socket, 10s);
        return AfterReply::kClose;
    });
    HttpClient client(peer.host(), peer.port());
    const auto started = std::chrono::steady_clock::now();
    const Exchange exchange = get(client);
    const auto took = std::chrono::steady_clock::now() - started;
    REQUIRE(exchange.transport_failed());
    CHECK_THAT(exchange.status.message(),
               Catch::Contains("body of 200000000 bytes is over the limit of 1048576 bytes"));
    CHECK(exchange.body.empty());
    // Not a timing assertion of speed: a client that read the body would have hit the 5 s
    // timeout with another message; this only rules that out.
    CHECK(took < 5s);
}

TEST_CASE("a body exactly at the limit is read whole; one byte more is refused") {
    const std::string body = seeded_bytes(kLimit, 7);
    std::size_t extra = 0;
    RawHttpPeer peer("127.0.0.1", [&](tcp::socket& socket, const std::string&, int) {
        const std::string sent = body + std::string(extra, '+');
        RawHttpPeer::send(socket, ok_head(sent.size()) + sent);
        return AfterReply::kKeepOpen;
    });
    HttpClient client(peer.host(), peer.port());
    const Exchange at_limit = get(client);
    REQUIRE_FALSE(at_limit.transport_failed());
    CHECK(at_limit.response.status == 200);
    CHECK(at_limit.body == body);

    extra = 1;
    const Exchange over = get(client);
    REQUIRE(over.transport_failed());
    CHECK_THAT(over.status.message(), Catch::Contains("over the limit of 1048576 bytes"));
    CHECK(over.body.empty());
}

TEST_CASE("a chunked body is refused once it grows past the limit") {
    RawHttpPeer peer("127.0.0.1", [](tcp::socket& socket, const std::string&, int) {
        std::string reply = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
        const std::string chunk(64 * 1024, 'c');
        for (int i = 0; i < 17; ++i)  // 17 x 64 KiB: one chunk past 1 MiB
            reply += fmt::format("{:x}\r\n{}\r\n", chunk.size(), chunk);
        reply += "0\r\n\r\n";
        RawHttpPeer::send(socket, reply);
        return AfterReply::kClose;
    });
    HttpClient client(peer.host(), peer.port());
    const Exchange exchange = get(client);
    REQUIRE(exchange.transport_failed());
    CHECK_THAT(exchange.status.message(), Catch::Contains("body larger than 1048576 bytes"));
}

TEST_CASE("a chunked body within the limit arrives whole") {
    const std::string body = seeded_bytes(300 * 1024, 11);
    RawHttpPeer peer("127.0.0.1", [&](tcp::socket& socket, const std::string&, int) {
        std::string reply = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
        for (std::size_t at = 0; at < body.size(); at += 70'000) {
            const std::string chunk = body.substr(at, 70'000);
            reply += fmt::format("{:x}\r\n{}\r\n", chunk.size(), chunk);
        }
        reply += "0\r\n\r\n";
        RawHttpPeer::send(socket, reply);
        return AfterReply::kKeepOpen;
    });
    HttpClient client(peer.host(), peer.port());
    const Exchange exchange = get(client);
    REQUIRE_FALSE(exchange.transport_failed());
    CHECK(exchange.body == body);
}

TEST_CASE("a body sent in pieces, after a body of another size, arrives whole and alone") {
    // The first answer is larger, the second smaller: the reused buffer must hold exactly the
    // second body, nothing left over from the first.
    const std::string large = seeded_bytes(900 * 1024, 3);
    const std::string small = seeded_bytes(5000, 4);
    RawHttpPeer peer("127.0.0.1", [&](tcp::socket& socket, const std::string&, int number) {
        const std::string& body = number == 1 ? large : small;
        RawHttpPeer::send(socket, ok_head(body.size()) + body.substr(0, 10));
        std::this_thread::sleep_for(20ms);
        RawHttpPeer::send(socket, body.substr(10, 1000));
        std::this_thread::sleep_for(20ms);
        RawHttpPeer::send(socket, body.substr(1010));
        return AfterReply::kKeepOpen;
    });
    HttpClient client(peer.host(), peer.port());
    std::string body;
    HttpClientResponse response;
    REQUIRE(client.request(http::verb::get, "/a", {}, {}, 5s, kLimit, &response, &body).is_ok());
    CHECK(body == large);
    REQUIRE(client.request(http::verb::get, "/b", {}, {}, 5s, kLimit, &response, &body).is_ok());
    CHECK(body == small);
    CHECK(peer.requests().size() == 2);  // one connection, kept alive
}

TEST_CASE("a connection closed mid-body is a failure that says how much arrived") {
    RawHttpPeer peer("127.0.0.1", [](tcp::socket& socket, const std::string&, int) {
        RawHttpPeer::send(socket, ok_head(5000) + std::string(1000, 'x'));
        return AfterReply::kClose;
    });
    HttpClient client(peer.host(), peer.port());
    const Exchange exchange = get(client);
    REQUIRE(exchange.transport_failed());
    CHECK_THAT(exchange.status.message(),
               Catch::Contains("the connection closed after 1000 of 5000 body bytes"));
    CHECK(exchange.body.empty());
}

TEST_CASE("a kept-alive connection the server closed is told apart from a timeout") {
    SECTION("closed by the server after its answer: stale") {
        RawHttpPeer peer("127.0.0.1", [](tcp::socket& socket, const std::string&, int) {
            // Says keep-alive, then closes anyway (an idle timeout on the server's side).
            RawHttpPeer::send(socket, ok_head(2) + "ok");
            return AfterReply::kClose;
        });
        HttpClient client(peer.host(), peer.port());
        REQUIRE_FALSE(get(client).transport_failed());
        std::this_thread::sleep_for(50ms);  // let the close arrive
        const Exchange second = get(client);
        REQUIRE(second.transport_failed());
        CHECK(second.response.stale_connection);
    }
    SECTION("never answered: not stale") {
        RawHttpPeer peer("127.0.0.1", [&peer](tcp::socket& socket, const std::string&, int n) {
            if (n == 1) {
                RawHttpPeer::send(socket, ok_head(2) + "ok");
                return AfterReply::kKeepOpen;
            }
            peer.hold_until_closed(socket, 10s);
            return AfterReply::kClose;
        });
        HttpClient client(peer.host(), peer.port());
        REQUIRE_FALSE(get(client).transport_failed());
        Exchange second;
        second.status = client.request(http::verb::get, "/thing", {}, {}, 200ms, kLimit,
                                       &second.response, &second.body);
        REQUIRE(second.transport_failed());
        CHECK_FALSE(second.response.stale_connection);
        CHECK(peer.requests().size() == 2);  // sent once: retrying is the caller's decision
    }
}

TEST_CASE("split_host_port reads host:port, URLs and bracketed IPv6 literals") {
    std::string host, port;
    CHECK(split_host_port("127.0.0.1:9001", &host, &port));
    CHECK((host == "127.0.0.1" && port == "9001"));
    CHECK(split_host_port("http://localhost:9000/2015-03-31/functions", &host, &port));
    CHECK((host == "localhost" && port == "9000"));
    CHECK(split_host_port("[::1]:9001", &host, &port));
    CHECK((host == "::1" && port == "9001"));
    CHECK(split_host_port("http://[fe80::1:2]:80/x", &host, &port));
    CHECK((host == "fe80::1:2" && port == "80"));
    for (const char* bad : {"::1:9001", "[::1]", "[::1:9001", "[]:9001", "host", ":9001",
                            "host:", "host:90a", "a]:1"}) {
        INFO(bad);
        CHECK_FALSE(split_host_port(bad, &host, &port));
    }
}

TEST_CASE("an IPv6 server is reached, with its address in brackets in the Host header") {
    if (!has_ipv6_loopback()) {
        report_skipped("this machine has no IPv6 loopback address");
        return;
    }
    RawHttpPeer peer("::1", [](tcp::socket& socket, const std::string&, int) {
        RawHttpPeer::send(socket, ok_head(2) + "v6");
        return AfterReply::kKeepOpen;
    });
    std::string host, port;
    REQUIRE(split_host_port("[::1]:" + peer.port(), &host, &port));
    HttpClient client(host, port);
    const Exchange exchange = get(client);
    REQUIRE_FALSE(exchange.transport_failed());
    CHECK(exchange.body == "v6");
    REQUIRE(peer.requests().size() == 1);
    CHECK_THAT(peer.requests()[0], Catch::Contains("Host: [::1]:" + peer.port() + "\r\n"));
}

}  // namespace
}  // namespace kbatch::test
