// Fuzz target: what the daemon's HTTP endpoint parses from a client — the request (Beast's
// parser with the server's limits, then our decoding of path, query, headers), the cookie
// header, the form body — and the clerks' users file. None of it may crash or hang.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "http/HttpServer.hpp"
#include "review/Users.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  sot::http::ServerLimits limits;
  limits.max_body_bytes = 64 << 10;
  limits.max_header_bytes = 8 << 10;
  if (const auto r = sot::http::parse_request(input, limits)) {
    (void)r->cookie("sot_session");
    (void)r->form();
    (void)sot::http::html_escape(r->path);
  }
  (void)sot::http::parse_urlencoded(input);
  sot::http::Request cookies;
  cookies.headers["cookie"] = std::string(input);
  (void)cookies.cookie("sot_session");
  try {
    (void)sot::review::parse_users(input, "fuzz");
  } catch (const std::exception&) {
  }
  return 0;
}
