#include "json_skim.h"

#include <bit>
#include <cstdint>

#include "json_string.h"
#include "text_scan.h"

namespace kbatch {
namespace {

// A recursive descent over one value. Each step checks what simdjson's walk checks for the same
// text (the grammar, strings as unescape() reads them, numbers as JSON writes them, the character
// after a number or a literal), so a value it accepts is one the general path accepts.
class Skim {
  public:
    Skim(const char* at, const char* end) : at_(at), end_(end) {}

    const char* run() { return value(0) ? at_ : nullptr; }

  private:
    bool value(int depth) {
        if (at_ == end_)
            return false;
        switch (*at_) {
            case '"':
                return string();
            case '{':
                return object(depth + 1);
            case '[':
                return array(depth + 1);
            case 't':
                return literal("true", 4);
            case 'f':
                return literal("false", 5);
            case 'n':
                return literal("null", 4);
            default:
                return number();
        }
    }

    bool object(int depth) {
        if (depth > kMaxSkimDepth)
            return false;
        ++at_;  // '{'
        skip_space();
        if (take('}'))
            return true;
        do {
            skip_space();
            if (at_ == end_ || *at_ != '"' || !string())
                return false;
            skip_space();
            if (!take(':'))
                return false;
            skip_space();
            if (!value(depth))
                return false;
            skip_space();
        } while (take(','));
        return take('}');
    }

    bool array(int depth) {
        if (depth > kMaxSkimDepth)
            return false;
        ++at_;  // '['
        skip_space();
        if (take(']'))
            return true;
        do {
            skip_space();
            if (!value(depth))
                return false;
            skip_space();
        } while (take(','));
        return take(']');
    }

    bool string() {
        const char* const body = at_ + 1;
        const char* close = json_string::closing_quote(body, end_);
        if (close == nullptr)
            close = json_string::check_string(body, end_);
        if (close == nullptr)
            return false;
        at_ = close + 1;
        return true;
    }

    // -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?, then a character that may follow a value.
    bool number() {
        const char* at = at_;
        if (at < end_ && *at == '-')
            ++at;
        if (at == end_ || !is_digit(*at))
            return false;
        if (*at == '0') {
            ++at;
        } else {
            at = digits(at);
        }
        if (at < end_ && *at == '.') {
            const char* const fraction = at + 1;
            at = digits(fraction);
            if (at == fraction)
                return false;
        }
        if (at < end_ && (*at == 'e' || *at == 'E')) {
            ++at;
            if (at < end_ && (*at == '+' || *at == '-'))
                ++at;
            const char* const exponent = at;
            at = digits(exponent);
            if (at == exponent)
                return false;
        }
        at_ = at;
        return ends_scalar();
    }

    bool literal(const char* text, int size) {
        if (end_ - at_ < size)
            return false;
        for (int i = 0; i < size; ++i) {
            if (at_[i] != text[i])
                return false;
        }
        at_ += size;
        return ends_scalar();
    }

    // simdjson reads a number or a literal up to the next structural character or space, and
    // refuses "truex" and "12a": what follows must be one of those.
    bool ends_scalar() const {
        if (at_ == end_)
            return false;  // a value here always has its container's bracket after it
        const char c = *at_;
        return is_json_space(c) || c == ',' || c == '}' || c == ']';
    }

    static bool is_digit(char c) { return c >= '0' && c <= '9'; }

    const char* digits(const char* at) const {
        while (at < end_ && is_digit(*at))
            ++at;
        return at;
    }

    // A single space (Python's ", " and ": ") costs a test or two; a run of them (indentation) a
    // scan 32 bytes at a time.
    [[gnu::always_inline]] void skip_space() {
        if (static_cast<unsigned char>(*at_) <= ' ' && at_ < end_) {
            if (*at_ == ' ' && static_cast<unsigned char>(at_[1]) > ' ') {
                ++at_;
            } else {
                skip_more_space();
            }
        }
    }

    [[gnu::noinline]] void skip_more_space() {
        for (;;) {
            const std::uint32_t mask = json_string::non_space_mask(at_);
            if (mask != 0) {
                at_ += std::countr_zero(mask);
                break;
            }
            at_ += json_string::kBlock;
            if (at_ >= end_)
                break;
        }
        if (at_ > end_)
            at_ = end_;
    }

    bool take(char c) {
        if (at_ == end_ || *at_ != c)
            return false;
        ++at_;
        return true;
    }

    const char* at_;
    const char* const end_;
};

}  // namespace

const char* skim_value(const char* at, const char* end) {
    return Skim(at, end).run();
}

}  // namespace kbatch
