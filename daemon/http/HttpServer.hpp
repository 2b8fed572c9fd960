// A small HTTP/1.1 server for the daemon's loopback endpoint (/metrics, /healthz, the filer
// status API, the clerks' review UI), on Boost.Beast. One I/O thread accepts and reads;
// handlers run on a small pool so a slow one (a page preview) never holds up /healthz.
// Every connection has a deadline (a slow or silent client is dropped, sooner under
// pressure), a header and body limit; at most `max_connections` are open at once plus a
// reserve for the inline paths. The Host header must name the endpoint. HEAD is answered
// without a body. A handler's exception is a generic 500 (the detail goes to stderr).
// Every answer carries the security headers, a strict Content-Security-Policy included.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "config/Config.hpp"

namespace sot::http {

struct Request {
  std::string method;  // GET, POST, …
  std::string target;  // as sent: path and query
  std::string path;    // percent-decoded path
  std::map<std::string, std::string> query;
  std::map<std::string, std::string> headers;  // names in lower case
  std::string body;
  std::string peer;  // the client's address

  std::string header(const std::string& lower_name) const;
  std::string cookie(const std::string& name) const;
  // application/x-www-form-urlencoded body; repeated names joined with '\n'.
  std::map<std::string, std::string> form() const;
};

struct Response {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;

  static Response text(int status, std::string body);
  static Response json(int status, const std::string& body);
  static Response html(int status, std::string body);
  static Response redirect(const std::string& location);
};

using Handler = std::function<Response(const Request&)>;

// A route that takes a large body (an upload): its own body limit and deadline, and an
// `admit` check on the headers alone (authentication, rate) before a byte of the body is
// read; a response from it is sent instead and the connection closed.
struct BodyRoute {
  std::string path;
  std::string method = "POST";
  std::size_t max_body_bytes = 0;
  unsigned timeout_seconds = 120;
  std::function<std::optional<Response>(const Request&)> admit;
};

struct ServerLimits {
  std::size_t max_body_bytes = 1 << 20;
  std::size_t max_header_bytes = 16 << 10;
  unsigned request_timeout_seconds = 15;
  unsigned max_connections = 64;
  // Connections beyond max_connections kept for the inline paths alone (a probe of /healthz
  // still answers while idle or slow clients hold every other slot); they get a short
  // deadline and anything else on them is 503.
  unsigned reserve_connections = 8;
  // Past this many open connections, waiting for a request (an idle keep-alive, slow headers)
  // has a short deadline: under pressure they are shed first.
  unsigned pressure_connections = 48;
  unsigned pressure_timeout_seconds = 2;
  unsigned handler_threads = 2;
  // Paths answered on the I/O thread itself (cheap handlers that must answer even while the
  // pool is busy with slow ones, e.g. /healthz and /metrics).
  std::vector<std::string> inline_paths;
  // Host header names accepted (any port but the bound one is refused too); empty: any.
  // A request for another name is 421 — no DNS-rebinding page can talk to the endpoint.
  std::vector<std::string> allowed_hosts;
  // Routes with their own (larger) body limit; every other request has max_body_bytes.
  std::vector<BodyRoute> body_routes;
};

class Server {
 public:
  // Binds at once (throws std::runtime_error saying why it cannot); serves after start().
  Server(const ListenAddress& where, Handler handler, ServerLimits limits = {});
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  unsigned short port() const;  // the bound port (useful with port 0)
  void start();
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Whether a Host header value names one of `names` on `port` ("name", "name:port",
// "[::1]:port"); letters compared without case.
bool host_allowed(std::string_view host, const std::vector<std::string>& names,
                  unsigned short port);

// One request from raw bytes as the server parses it (limits applied): for tests and fuzzing.
std::optional<Request> parse_request(std::string_view raw, const ServerLimits& limits = {});

std::string percent_decode(std::string_view s, bool plus_is_space);
std::map<std::string, std::string> parse_urlencoded(std::string_view s);
std::string html_escape(std::string_view s);

}  // namespace sot::http
