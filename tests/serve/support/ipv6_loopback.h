// kbatch serve tests: whether this machine can serve on the IPv6 loopback address.
#pragma once

namespace kbatch::serve_test {

/// True if a TCP socket can be bound to [::1] (some containers and CI machines have no IPv6).
bool has_ipv6_loopback();

}  // namespace kbatch::serve_test
