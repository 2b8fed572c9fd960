#include "notify/HttpPost.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

namespace sot::notify {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

namespace {

struct Url {
  bool tls = false;
  std::string host;  // without brackets
  std::string port;
  std::string target;
};

bool parse_url(const std::string& url, Url& u) {
  std::string rest;
  if (url.rfind("https://", 0) == 0) {
    u.tls = true;
    rest = url.substr(8);
  } else if (url.rfind("http://", 0) == 0) {
    rest = url.substr(7);
  } else {
    return false;
  }
  const auto slash = rest.find('/');
  std::string authority = rest.substr(0, slash);
  u.target = slash == std::string::npos ? "/" : rest.substr(slash);
  if (authority.find('@') != std::string::npos || authority.empty()) return false;
  if (authority.front() == '[') {
    const auto close = authority.find(']');
    if (close == std::string::npos) return false;
    u.host = authority.substr(1, close - 1);
    if (close + 1 < authority.size() && authority[close + 1] == ':')
      u.port = authority.substr(close + 2);
  } else {
    const auto colon = authority.rfind(':');
    u.host = authority.substr(0, colon);
    if (colon != std::string::npos) u.port = authority.substr(colon + 1);
  }
  if (u.port.empty()) u.port = u.tls ? "443" : "80";
  return !u.host.empty() && u.port.find_first_not_of("0123456789") == std::string::npos;
}

bool loopback(const std::string& host) {
  return host == "127.0.0.1" || host == "localhost" || host == "::1";
}

template <typename Stream>
PostResult exchange(Stream& stream, const Url& u,
                    const std::vector<std::pair<std::string, std::string>>& headers,
                    const std::string& body, std::chrono::seconds timeout) {
  bhttp::request<bhttp::string_body> req{bhttp::verb::post, u.target, 11};
  req.set(bhttp::field::host, u.host.find(':') != std::string::npos ? "[" + u.host + "]" : u.host);
  req.set(bhttp::field::user_agent, "sot-intake");
  req.set(bhttp::field::content_type, "application/json");
  for (const auto& [k, v] : headers) req.set(k, v);
  req.body() = body;
  req.prepare_payload();
  beast::get_lowest_layer(stream).expires_after(timeout);
  bhttp::write(stream, req);
  beast::flat_buffer buffer;
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(64 * 1024);  // the answer is not read for anything but its status
  beast::get_lowest_layer(stream).expires_after(timeout);
  bhttp::read(stream, buffer, parser);
  PostResult r;
  r.status = static_cast<int>(parser.get().result_int());
  if (!r.ok())
    r.error = "HTTP " + std::to_string(r.status) + ": " + parser.get().body().substr(0, 200);
  return r;
}

}  // namespace

PostResult http_post(const std::string& url,
                     const std::vector<std::pair<std::string, std::string>>& headers,
                     const std::string& body, const std::filesystem::path& ca_file,
                     std::chrono::seconds timeout) {
  Url u;
  if (!parse_url(url, u)) return {0, "not an http(s) URL: " + url};
  if (!u.tls && !loopback(u.host)) return {0, "plain http only to a loopback address"};
  try {
    asio::io_context io;
    tcp::resolver resolver(io);
    const auto endpoints = resolver.resolve(u.host, u.port);
    if (!u.tls) {
      beast::tcp_stream stream(io);
      stream.expires_after(timeout);
      stream.connect(endpoints);
      PostResult r = exchange(stream, u, headers, body, timeout);
      beast::error_code ec;
      stream.socket().shutdown(tcp::socket::shutdown_both, ec);
      return r;
    }
    asio::ssl::context ctx(asio::ssl::context::tls_client);
    ctx.set_options(asio::ssl::context::no_sslv2 | asio::ssl::context::no_sslv3 |
                    asio::ssl::context::no_tlsv1 | asio::ssl::context::no_tlsv1_1);
    if (ca_file.empty())
      ctx.set_default_verify_paths();
    else
      ctx.load_verify_file(ca_file.string());
    ctx.set_verify_mode(asio::ssl::verify_peer);
    beast::ssl_stream<beast::tcp_stream> stream(io, ctx);
    stream.set_verify_callback(asio::ssl::host_name_verification(u.host));
    // SNI (SSL_set_tlsext_host_name, without its macro's cast).
    if (SSL_ctrl(stream.native_handle(), SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
                 const_cast<char*>(u.host.c_str())) != 1)
      return {0, "cannot set the TLS server name"};
    beast::get_lowest_layer(stream).expires_after(timeout);
    beast::get_lowest_layer(stream).connect(endpoints);
    stream.handshake(asio::ssl::stream_base::client);
    PostResult r = exchange(stream, u, headers, body, timeout);
    beast::error_code ec;
    stream.shutdown(ec);  // the peer may just close: not an error of the delivery
    return r;
  } catch (const std::exception& e) {
    return {0, e.what()};
  }
}

}  // namespace sot::notify
