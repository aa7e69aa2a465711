// kbatch serve: the body of a response, owned or shared, written without a copy.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/optional/optional.hpp>
#include <boost/system/error_code.hpp>

namespace kbatch::serve {

/// A response's bytes: either a string of its own (an error body, a function's response moved
/// in from the runtime's post) or an immutable string shared with someone else (the event that
/// GET /next hands out stays the queue's, since an undelivered invocation goes back to it; up to
/// 6 MB that are not copied).
///
/// Thread safety: a shared string is never modified, so several responses may share it.
class Payload {
  public:
    Payload() = default;
    Payload(std::string text) : owned_(std::move(text)) {}  // NOLINT: a body is its text
    Payload(std::shared_ptr<const std::string> shared) : shared_(std::move(shared)) {}  // NOLINT

    Payload& operator=(std::string text) {
        owned_ = std::move(text);
        shared_.reset();
        return *this;
    }

    std::string_view view() const noexcept {
        return shared_ ? std::string_view(*shared_) : std::string_view(owned_);
    }
    std::size_t size() const noexcept { return view().size(); }

  private:
    std::string owned_;
    std::shared_ptr<const std::string> shared_;
};

/// A Beast body type (writer only: the server writes responses, it never parses them) over
/// Payload: the serializer sends the payload's bytes from where they are.
struct PayloadBody {
    using value_type = Payload;

    static std::uint64_t size(const value_type& body) { return body.size(); }

    class writer {
      public:
        using const_buffers_type = boost::asio::const_buffer;

        template <bool isRequest, class Fields>
        writer(const boost::beast::http::header<isRequest, Fields>&, const value_type& body)
            : body_(body) {}

        void init(boost::system::error_code& error) { error = {}; }

        boost::optional<std::pair<const_buffers_type, bool>> get(boost::system::error_code& error) {
            error = {};
            const std::string_view bytes = body_.view();
            return std::make_pair(const_buffers_type(bytes.data(), bytes.size()), false);
        }

      private:
        const value_type& body_;
    };
};

}  // namespace kbatch::serve
