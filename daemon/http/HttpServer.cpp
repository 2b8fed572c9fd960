#include "http/HttpServer.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <iostream>
#include <optional>
#include <stdexcept>
#include <thread>

namespace sot::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

std::string percent_decode(std::string_view s, bool plus_is_space) {
  std::string out;
  out.reserve(s.size());
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && hex(s[i + 1]) >= 0 && hex(s[i + 2]) >= 0) {
      out += static_cast<char>(hex(s[i + 1]) * 16 + hex(s[i + 2]));
      i += 2;
    } else if (s[i] == '+' && plus_is_space) {
      out += ' ';
    } else {
      out += s[i];
    }
  }
  return out;
}

std::map<std::string, std::string> parse_urlencoded(std::string_view s) {
  std::map<std::string, std::string> out;
  std::size_t i = 0;
  while (i <= s.size()) {
    std::size_t amp = s.find('&', i);
    if (amp == std::string_view::npos) amp = s.size();
    const std::string_view pair = s.substr(i, amp - i);
    if (!pair.empty()) {
      const auto eq = pair.find('=');
      std::string key = percent_decode(pair.substr(0, eq), true);
      std::string value =
          eq == std::string_view::npos ? "" : percent_decode(pair.substr(eq + 1), true);
      auto [it, fresh] = out.emplace(std::move(key), value);
      if (!fresh) it->second += "\n" + value;
    }
    i = amp + 1;
  }
  return out;
}

std::string html_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string Request::header(const std::string& lower_name) const {
  const auto it = headers.find(lower_name);
  return it == headers.end() ? "" : it->second;
}

std::string Request::cookie(const std::string& name) const {
  const std::string all = header("cookie");
  std::size_t i = 0;
  while (i < all.size()) {
    std::size_t semi = all.find(';', i);
    if (semi == std::string::npos) semi = all.size();
    std::string pair = all.substr(i, semi - i);
    const auto first = pair.find_first_not_of(' ');
    pair = first == std::string::npos ? "" : pair.substr(first);
    const auto eq = pair.find('=');
    if (eq != std::string::npos && pair.substr(0, eq) == name) return pair.substr(eq + 1);
    i = semi + 1;
  }
  return "";
}

std::map<std::string, std::string> Request::form() const {
  return parse_urlencoded(body);
}

Response Response::text(int status, std::string body) {
  return Response{status, "text/plain; charset=utf-8", std::move(body), {}};
}
Response Response::json(int status, const std::string& body) {
  return Response{status, "application/json", body + "\n", {}};
}
Response Response::html(int status, std::string body) {
  return Response{status, "text/html; charset=utf-8", std::move(body), {}};
}
Response Response::redirect(const std::string& location) {
  Response r{303, "text/plain; charset=utf-8", "", {{"Location", location}}};
  return r;
}

bool host_allowed(std::string_view host, const std::vector<std::string>& names,
                  unsigned short port) {
  std::string name;
  std::string_view port_text;
  if (!host.empty() && host.front() == '[') {  // [v6]:port
    const auto close = host.find(']');
    if (close == std::string_view::npos) return false;
    name = std::string(host.substr(0, close + 1));
    const auto rest = host.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return false;
      port_text = rest.substr(1);
    }
  } else {
    const auto colon = host.rfind(':');
    name = std::string(host.substr(0, colon));
    if (colon != std::string_view::npos) port_text = host.substr(colon + 1);
  }
  if (name.empty()) return false;
  if (!port_text.empty() && port_text != std::to_string(port)) return false;
  if (port_text.empty() && port != 80) return false;
  for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (std::string n : names) {
    for (char& c : n) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (n == name) return true;
  }
  return false;
}

namespace {

constexpr const char* kContentSecurityPolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'";

Request to_request(const bhttp::request<bhttp::string_body>& in) {
  Request r;
  r.method = std::string(in.method_string());
  r.target = std::string(in.target());
  const auto q = r.target.find('?');
  r.path = percent_decode(std::string_view(r.target).substr(0, q), false);
  if (q != std::string::npos) r.query = parse_urlencoded(std::string_view(r.target).substr(q + 1));
  for (const auto& field : in) {
    std::string name(field.name_string());
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    r.headers[name] = std::string(field.value());
  }
  r.body = in.body();
  return r;
}

}  // namespace

std::optional<Request> parse_request(std::string_view raw, const ServerLimits& limits) {
  bhttp::request_parser<bhttp::string_body> parser;
  parser.body_limit(limits.max_body_bytes);
  parser.header_limit(static_cast<std::uint32_t>(limits.max_header_bytes));
  parser.eager(true);
  beast::error_code ec;
  parser.put(asio::buffer(raw.data(), raw.size()), ec);
  if (ec || !parser.is_done()) return std::nullopt;
  return to_request(parser.get());
}

struct Server::Impl : std::enable_shared_from_this<Server::Impl> {
  Impl(const ListenAddress& where, Handler h, ServerLimits l)
      : handler(std::move(h)), limits(l), acceptor(io), pool(l.handler_threads) {
    beast::error_code ec;
    const tcp::endpoint ep(asio::ip::make_address(where.host, ec), where.port);
    if (ec) throw std::runtime_error("http: bad address " + where.host + ": " + ec.message());
    acceptor.open(ep.protocol(), ec);
    if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor.bind(ep, ec);
    if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec)
      throw std::runtime_error("http: cannot listen on " + where.host + ":" +
                               std::to_string(where.port) + ": " + ec.message());
    port = acceptor.local_endpoint(ec).port();
  }

  struct Session : std::enable_shared_from_this<Session> {
    Session(Impl& s, tcp::socket sock, bool reserve)
        : server(s), stream(std::move(sock)), reserve_slot(reserve) {
      beast::error_code ec;
      const auto ep = stream.socket().remote_endpoint(ec);
      if (!ec) peer = ep.address().to_string();
    }
    Impl& server;
    beast::tcp_stream stream;
    beast::flat_buffer buffer;
    std::optional<bhttp::request_parser<bhttp::string_body>> parser;
    std::shared_ptr<bhttp::response<bhttp::string_body>> reply;
    bool reserve_slot;                // taken beyond max_connections: the inline paths only
    std::optional<Response> refusal;  // an upload refused on its headers, sent after its body
    std::string peer;

    void read() {
      parser.emplace();
      // The largest any route takes; narrowed to the request's own limit once its headers
      // are in (Beast checks a Content-Length against the limit as the header completes).
      std::size_t widest = server.limits.max_body_bytes;
      for (const auto& r : server.limits.body_routes) widest = std::max(widest, r.max_body_bytes);
      parser->body_limit(widest);
      parser->header_limit(static_cast<std::uint32_t>(server.limits.max_header_bytes));
      // Waiting for a request is cheap to give up under pressure: the deadline shortens.
      const bool pressed =
          reserve_slot || server.connections.load() > server.limits.pressure_connections;
      stream.expires_after(std::chrono::seconds(pressed ? server.limits.pressure_timeout_seconds
                                                        : server.limits.request_timeout_seconds));
      bhttp::async_read_header(
          stream, buffer, *parser,
          [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_header(ec); });
    }

    // The headers are in: an upload route gets its limit, its deadline and its admission
    // check before the body is read; everything else reads on with the default limit.
    void on_header(beast::error_code ec) {
      if (ec) return on_read(ec);
      const auto& h = parser->get();
      const std::string_view target(h.target().data(), h.target().size());
      const std::string_view path = target.substr(0, target.find('?'));
      const std::string_view method(h.method_string().data(), h.method_string().size());
      const BodyRoute* route = nullptr;
      for (const auto& r : server.limits.body_routes)
        if (r.path == path && r.method == method) route = &r;
      if (reserve_slot) route = nullptr;
      const std::size_t limit = route ? route->max_body_bytes : server.limits.max_body_bytes;
      if (const auto length = parser->content_length(); length && *length > limit) {
        respond(Response::text(413, "request too large\n"), false, false);
        return;
      }
      parser->body_limit(limit);  // and for a chunked body, chunk by chunk
      if (!route) return read_body();
      const auto& hosts = server.limits.allowed_hosts;
      if (!hosts.empty()) {
        const auto host = h[bhttp::field::host];
        if (!host_allowed(std::string_view(host.data(), host.size()), hosts, server.port)) {
          respond(Response::text(421, "misdirected request\n"), false, false);
          return;
        }
      }
      if (route->admit) {
        Request head;
        head.method = std::string(method);
        head.target = std::string(target);
        head.path = percent_decode(path, false);
        for (const auto& f : h) {
          std::string name(f.name_string());
          std::transform(name.begin(), name.end(), name.begin(),
                         [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
          head.headers[name] = std::string(f.value());
        }
        head.peer = peer;
        std::optional<Response> refused;
        try {
          refused = route->admit(head);
        } catch (const std::exception& e) {
          std::cerr << "sot-intaked[-]: http: internal error admitting " << path << ": " << e.what()
                    << std::endl;
          refused = Response::text(500, "internal error\n");
        }
        if (refused) {
          // A small body is read first so the client sees the answer (closing on unread
          // bytes would reset the connection under it); a large one is never read.
          const auto length = parser->content_length();
          if (length && *length <= server.limits.max_body_bytes) {
            refusal = std::move(refused);
            parser->body_limit(server.limits.max_body_bytes);
            return read_body();
          }
          respond(*refused, false, false);
          return;
        }
      }
      stream.expires_after(std::chrono::seconds(route->timeout_seconds));
      // A client that asked to be told to go on (curl does for large bodies) is told now.
      const auto expect = h[bhttp::field::expect];
      if (beast::iequals(expect, "100-continue")) {
        auto go_on =
            std::make_shared<bhttp::response<bhttp::empty_body>>(bhttp::status::continue_, 11);
        bhttp::async_write(stream, *go_on,
                           [self = shared_from_this(), go_on](beast::error_code wec, std::size_t) {
                             if (wec) return self->close();
                             self->read_body();
                           });
        return;
      }
      read_body();
    }

    void read_body() {
      bhttp::async_read(
          stream, buffer, *parser,
          [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
    }

    void on_read(beast::error_code ec) {
      if (ec == bhttp::error::body_limit || ec == bhttp::error::header_limit) {
        respond(Response::text(413, "request too large\n"), false, false);
        return;
      }
      if (ec) return close();
      if (refusal) {
        Response r = std::move(*refusal);
        refusal.reset();
        respond(r, false, false);
        return;
      }
      auto req = std::make_shared<bhttp::request<bhttp::string_body>>(parser->release());
      const bool head = req->method() == bhttp::verb::head;
      const auto& hosts = server.limits.allowed_hosts;
      if (!hosts.empty()) {
        const auto host = (*req)[bhttp::field::host];
        if (!host_allowed(std::string_view(host.data(), host.size()), hosts, server.port)) {
          respond(Response::text(421, "misdirected request\n"), false, head);
          return;
        }
      }
      const auto run = [self = shared_from_this(), req] {
        try {
          Request r = to_request(*req);
          r.peer = self->peer;
          return self->server.handler(r);
        } catch (const std::exception& e) {
          // The detail is for the operator, not for whoever sent the request.
          std::cerr << "sot-intaked[-]: http: internal error on " << req->target() << ": "
                    << e.what() << std::endl;
          return Response::text(500, "internal error\n");
        }
      };
      const std::string_view target(req->target().data(), req->target().size());
      const auto& fast = server.limits.inline_paths;
      if (std::find(fast.begin(), fast.end(), target.substr(0, target.find('?'))) != fast.end()) {
        respond(run(), req->keep_alive() && !reserve_slot, head);
        return;
      }
      if (reserve_slot) {
        respond(Response::text(503, "busy\n"), false, head);
        return;
      }
      // Everything else runs on the pool; the answer is written back on the I/O thread.
      asio::post(server.pool, [self = shared_from_this(), req, run, head] {
        Response r = run();
        const bool keep = req->keep_alive();
        asio::post(self->stream.get_executor(), [self, r = std::move(r), keep, head]() mutable {
          self->respond(r, keep, head);
        });
      });
    }

    void respond(const Response& r, bool keep_alive, bool head) {
      reply = std::make_shared<bhttp::response<bhttp::string_body>>(
          static_cast<bhttp::status>(r.status), 11);
      reply->set(bhttp::field::server, "sot-intaked");
      reply->set(bhttp::field::content_type, r.content_type);
      reply->set(bhttp::field::cache_control, "no-store");
      reply->set("X-Content-Type-Options", "nosniff");
      reply->set("X-Frame-Options", "DENY");
      reply->set("Referrer-Policy", "same-origin");  // forms keep their Origin header
      reply->set("Content-Security-Policy", kContentSecurityPolicy);
      for (const auto& [name, value] : r.headers) reply->insert(name, value);
      reply->keep_alive(keep_alive);
      if (head) {
        // The headers a GET would get, without its body.
        reply->content_length(r.body.size());
      } else {
        reply->body() = r.body;
        reply->prepare_payload();
      }
      stream.expires_after(std::chrono::seconds(server.limits.request_timeout_seconds));
      bhttp::async_write(
          stream, *reply,
          [self = shared_from_this(), keep_alive](beast::error_code ec, std::size_t) {
            if (ec || !keep_alive) return self->close();
            self->read();
          });
    }

    void close() {
      beast::error_code ignored;
      stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
      stream.close();
    }

    ~Session() { --server.connections; }
  };

  void accept() {
    acceptor.async_accept([this](beast::error_code ec, tcp::socket sock) {
      if (ec) {
        if (acceptor.is_open()) accept();
        return;
      }
      const unsigned open = connections.load();
      if (open >= limits.max_connections + limits.reserve_connections) {
        beast::error_code ignored;
        sock.close(ignored);  // over every limit: refused at once
      } else {
        ++connections;
        std::make_shared<Session>(*this, std::move(sock), open >= limits.max_connections)->read();
      }
      accept();
    });
  }

  // Declaration order is destruction order reversed: sessions still queued in `io` are
  // destroyed with it and touch `connections`.
  Handler handler;
  ServerLimits limits;
  unsigned short port = 0;  // the bound one, for the Host check
  std::atomic<unsigned> connections{0};
  asio::io_context io;
  tcp::acceptor acceptor;
  asio::thread_pool pool;
  std::thread thread;
};

Server::Server(const ListenAddress& where, Handler handler, ServerLimits limits)
    : impl_(std::make_unique<Impl>(where, std::move(handler), limits)) {}

Server::~Server() {
  stop();
}

unsigned short Server::port() const {
  beast::error_code ec;
  return impl_->acceptor.local_endpoint(ec).port();
}

void Server::start() {
  impl_->accept();
  impl_->thread = std::thread([this] { impl_->io.run(); });
}

void Server::stop() {
  if (!impl_) return;
  asio::post(impl_->io, [this] {
    beast::error_code ignored;
    impl_->acceptor.close(ignored);
  });
  impl_->io.stop();
  if (impl_->thread.joinable()) impl_->thread.join();
  impl_->pool.join();
}

}  // namespace sot::http
