// The daemon's HTTP server: requests reach the handler decoded, answers carry the security
// headers, oversized and silent clients are cut off, and the Prometheus text is well formed.
#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <sstream>
#include <thread>

#include "http/HttpServer.hpp"
#include "service/Metrics.hpp"
#include "support/HttpClient.hpp"

using namespace sot;
using namespace sot::test;

TEST_CASE("form and query decoding", "[http]") {
  const auto f = http::parse_urlencoded("a=1&b=%D2%9B%D0%B0%D0%B7+%C3%A9&codes=X&codes=Y&empty");
  CHECK(f.at("a") == "1");
  CHECK(f.at("b") == "қаз é");
  CHECK(f.at("codes") == "X\nY");
  CHECK(f.at("empty").empty());
  CHECK(http::percent_decode("%zz%4", false) == "%zz%4");  // malformed escapes kept as they are
  CHECK(http::html_escape("<a href=\"x\">'&'</a>") ==
        "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
  http::Request r;
  r.headers["cookie"] = "a=1; sot_session=abc; b=2";
  CHECK(r.cookie("sot_session") == "abc");
  CHECK(r.cookie("missing").empty());
}

TEST_CASE("the server routes requests and cuts off oversized or silent clients", "[http]") {
  std::atomic<int> calls{0};
  http::ServerLimits limits;
  limits.max_body_bytes = 1000;
  limits.request_timeout_seconds = 1;
  http::Server server(
      {"127.0.0.1", 0},
      [&](const http::Request& r) {
        ++calls;
        if (r.path == "/echo")
          return http::Response::text(200, r.method + " " + std::to_string(r.query.count("q")) +
                                               r.query.at("q") + " " + r.body);
        return http::Response::text(404, "no");
      },
      limits);
  server.start();
  const int port = server.port();
  REQUIRE(port > 0);

  auto r = http_request(port, "POST", "/echo?q=%D3%99", "x=1");
  CHECK(r.status == 200);
  CHECK(r.body == "POST 1ә x=1");
  CHECK(r.headers["x-content-type-options"] == "nosniff");
  CHECK(r.headers["x-frame-options"] == "DENY");
  CHECK(r.headers["cache-control"] == "no-store");
  CHECK(http_request(port, "GET", "/nowhere").status == 404);

  // Over the body limit: refused without reaching the handler.
  const int before = calls;
  CHECK(http_request(port, "POST", "/echo", std::string(5000, 'a')).status == 413);
  CHECK(calls == before);

  // A client that connects and says nothing is dropped after the deadline; others are served.
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  CHECK(http_request(port, "GET", "/echo?q=1").status == 200);
  timeval tv{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  char c;
  const auto t0 = std::chrono::steady_clock::now();
  CHECK(::recv(fd, &c, 1, 0) == 0);  // closed by the server
  CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(4));
  ::close(fd);
  server.stop();
}

TEST_CASE("metrics are Prometheus text with outcomes, codes and latency histograms",
          "[http][metrics]") {
  service::Metrics m;
  m.bundle_decided({{"outcome", "rejected"},
                    {"findings", {{{"code", "SCAN_RESOLUTION_LOW"}}, {{"code", "UNREADABLE"}}}},
                    {"stage_ms", {{"scan", 12.5}, {"readability", 900}}},
                    {"duration_ms", 950}},
                   1.2);
  m.bundle_decided({{"outcome", "registered"}, {"findings", nlohmann::json::array()}}, 0.3);
  m.worker_restarted();
  m.set_queue(7, 2);
  const std::string t = m.render();
  CHECK_THAT(t, Catch::Contains("sot_bundles_total{outcome=\"rejected\"} 1"));
  CHECK_THAT(t, Catch::Contains("sot_bundles_total{outcome=\"registered\"} 1"));
  CHECK_THAT(t, Catch::Contains("sot_bundles_total{outcome=\"review\"} 0"));
  CHECK_THAT(t, Catch::Contains("sot_findings_total{code=\"UNREADABLE\"} 1"));
  CHECK_THAT(
      t, Catch::Contains("sot_stage_duration_seconds_bucket{stage=\"readability\",le=\"1\"} 1"));
  CHECK_THAT(
      t, Catch::Contains("sot_stage_duration_seconds_bucket{stage=\"readability\",le=\"0.5\"} 0"));
  CHECK_THAT(t, Catch::Contains("sot_bundle_latency_seconds_count 2"));
  CHECK_THAT(t, Catch::Contains("sot_bundle_latency_seconds_bucket{le=\"+Inf\"} 2"));
  CHECK_THAT(t, Catch::Contains("sot_queue_depth 7"));
  CHECK_THAT(t, Catch::Contains("sot_bundles_in_flight 2"));
  CHECK_THAT(t, Catch::Contains("sot_worker_restarts_total 1"));
  // Every sample line is "name{labels} value" or "name value", after its # TYPE.
  std::istringstream lines(t);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.empty() || line[0] == '#') continue;
    INFO(line);
    CHECK(line.find(' ') != std::string::npos);
    CHECK(line.rfind("sot_", 0) == 0);
  }
}

namespace {

int connect_to(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// One raw request, the whole answer (Connection: close).
std::string raw_exchange(int port, const std::string& request) {
  const int fd = connect_to(port);
  if (fd < 0) return "";
  timeval tv{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  [[maybe_unused]] const auto sent = ::send(fd, request.data(), request.size(), MSG_NOSIGNAL);
  std::string out;
  char buf[4096];
  for (ssize_t n; (n = ::recv(fd, buf, sizeof buf, 0)) > 0;)
    out.append(buf, static_cast<size_t>(n));
  ::close(fd);
  return out;
}

}  // namespace

TEST_CASE("the Host header must name the endpoint: no DNS rebinding", "[http][trust]") {
  http::ServerLimits limits;
  limits.allowed_hosts = {"localhost", "127.0.0.1"};
  http::Server server(
      {"127.0.0.1", 0}, [](const http::Request&) { return http::Response::text(200, "secret"); },
      limits);
  server.start();
  const int port = server.port();
  const std::string p = std::to_string(port);
  auto get = [&](const std::string& host) {
    return raw_exchange(
        port, "GET /api/status/1 HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n");
  };
  CHECK_THAT(get("127.0.0.1:" + p), Catch::StartsWith("HTTP/1.1 200"));
  CHECK_THAT(get("LocalHost:" + p), Catch::StartsWith("HTTP/1.1 200"));
  for (const std::string& bad :
       std::vector<std::string>{"attacker.example:" + p, "attacker.example", "127.0.0.1:1",
                                "127.0.0.1", "localhost.attacker.example:" + p, std::string()}) {
    INFO(bad);
    const std::string answer = get(bad);
    CHECK_THAT(answer, !Catch::Contains("secret"));
    CHECK_THAT(answer, Catch::StartsWith("HTTP/1.1 421") || Catch::StartsWith("HTTP/1.1 400"));
  }
  CHECK(http::host_allowed("[::1]:8470", {"[::1]"}, 8470));
  CHECK_FALSE(http::host_allowed("[::1", {"[::1]"}, 8470));
  server.stop();
}

TEST_CASE("HEAD without a body — a strict CSP — a handler's error stays in the log",
          "[http][trust]") {
  http::Server server({"127.0.0.1", 0}, [](const http::Request& r) {
    if (r.path == "/boom") throw std::runtime_error("/etc/sot-intake/users: line 3 is broken");
    return http::Response::text(200, "hello");
  });
  server.start();
  const int port = server.port();
  const std::string head =
      raw_exchange(port, "HEAD /x HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) +
                             "\r\nConnection: close\r\n\r\n");
  CHECK_THAT(head, Catch::StartsWith("HTTP/1.1 200"));
  CHECK_THAT(head, Catch::Contains("Content-Length: 5\r\n"));
  CHECK(head.substr(head.find("\r\n\r\n") + 4).empty());
  auto r = http_request(port, "GET", "/x");
  CHECK(r.headers["content-security-policy"] ==
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; form-action "
        "'self'; "
        "frame-ancestors 'none'; base-uri 'none'");
  const auto boom = http_request(port, "GET", "/boom");
  CHECK(boom.status == 500);
  CHECK(boom.body == "internal error\n");
  server.stop();
}

TEST_CASE("/healthz answers while idle clients hold every other slot", "[http][trust]") {
  http::ServerLimits limits;
  limits.max_connections = 16;
  limits.reserve_connections = 4;
  limits.pressure_connections = 12;
  limits.inline_paths = {"/healthz"};
  http::Server server(
      {"127.0.0.1", 0},
      [](const http::Request& r) {
        return http::Response::text(200, r.path == "/healthz" ? "ok" : "page");
      },
      limits);
  server.start();
  const int port = server.port();
  // Sixteen connections that send nothing take every ordinary slot.
  std::vector<int> idle;
  for (int i = 0; i < 16; ++i) idle.push_back(connect_to(port));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  const auto t0 = std::chrono::steady_clock::now();
  const auto health = http_request(port, "GET", "/healthz");
  CHECK(health.status == 200);
  CHECK(health.body == "ok");
  CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(1));
  // A page on a reserve slot is turned away at once, never queued behind the idle ones.
  CHECK(http_request(port, "GET", "/page").status == 503);
  // Under pressure the idle ones are shed sooner than the usual deadline (15 s).
  timeval tv{10, 0};
  ::setsockopt(idle.back(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  char c;
  const auto t1 = std::chrono::steady_clock::now();
  CHECK(::recv(idle.back(), &c, 1, 0) == 0);
  CHECK(std::chrono::steady_clock::now() - t1 < std::chrono::seconds(5));
  for (int fd : idle) ::close(fd);
  server.stop();
}
