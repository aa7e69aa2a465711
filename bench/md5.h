// kbatch bench: MD5 digests for the SQS events' md5OfBody and md5OfMessageAttributes.
#pragma once

#include <string>
#include <string_view>

namespace kbatch::bench {

/// The MD5 digest of `bytes` as 32 lower-case hex digits (OpenSSL's EVP interface).
std::string md5_hex(std::string_view bytes);

}  // namespace kbatch::bench
