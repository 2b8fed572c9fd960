#include "support/HookReceiver.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <optional>
#include <random>

#include "notify/Notifier.hpp"

namespace sot::test {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

struct HookReceiver::Impl {
  asio::io_context io;
  std::optional<asio::ssl::context> tls;
  std::mutex m;
  std::unique_ptr<tcp::acceptor> acceptor;
  bool down = false;  // connections reset at once
};

HookReceiver::HookReceiver(std::string secret, std::filesystem::path tls_cert,
                           std::filesystem::path tls_key)
    : impl_(std::make_unique<Impl>()), secret_(std::move(secret)) {
  if (!tls_cert.empty()) {
    impl_->tls.emplace(asio::ssl::context::tls_server);
    impl_->tls->use_certificate_chain_file(tls_cert.string());
    impl_->tls->use_private_key_file(tls_key.string(), asio::ssl::context::pem);
  }
  impl_->acceptor = std::make_unique<tcp::acceptor>(
      impl_->io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  port_ = impl_->acceptor->local_endpoint().port();
  thread_ = std::thread([this] { serve(); });
}

HookReceiver::~HookReceiver() {
  // The serving thread polls its (non-blocking) acceptor and sees stop_: it ends before the
  // acceptor is closed, never while it uses it.
  stop_ = true;
  thread_.join();
  beast::error_code ec;
  impl_->acceptor->close(ec);
}

std::string HookReceiver::url(const std::string& host) const {
  return std::string(impl_->tls ? "https://" : "http://") + host + ":" + std::to_string(port_) +
         "/hooks/sot";
}

void HookReceiver::set_down(bool down) {
  std::lock_guard lock(impl_->m);
  impl_->down = down;
}

std::vector<ReceivedHook> HookReceiver::received() const {
  std::lock_guard lock(m_);
  return received_;
}

void HookReceiver::serve() {
  std::mt19937 rng(42);
  while (!stop_) {
    tcp::acceptor* acceptor = nullptr;
    bool down = false;
    {
      std::lock_guard lock(impl_->m);
      acceptor = impl_->acceptor.get();
      down = impl_->down;
    }
    if (!acceptor || !acceptor->is_open()) break;
    // Non-blocking accept, polled: the port can be closed under it.
    beast::error_code ec;
    acceptor->non_blocking(true, ec);
    tcp::socket socket(impl_->io);
    acceptor->accept(socket, ec);
    if (ec) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
      continue;
    }
    socket.non_blocking(false, ec);
    if (down) {  // as a host that is gone: the connection reset, nothing read or answered
      socket.set_option(asio::socket_base::linger(true, 0), ec);
      socket.close(ec);
      continue;
    }
    try {
      beast::flat_buffer buffer;
      bhttp::request<bhttp::string_body> req;
      const bool fail = std::uniform_real_distribution<double>(0, 1)(rng) < fail_share_;
      bhttp::response<bhttp::string_body> res{
          fail ? bhttp::status::internal_server_error : bhttp::status::ok, 11};
      res.body() = fail ? "try again\n" : "ok\n";
      res.prepare_payload();
      auto handle = [&](auto& stream) {
        bhttp::read(stream, buffer, req);
        ReceivedHook h;
        h.body = nlohmann::json::parse(req.body(), nullptr, false);
        h.event_id = std::atoll(std::string(req["X-Sot-Event-Id"]).c_str());
        h.type = std::string(req["X-Sot-Event-Type"]);
        h.signature_ok = std::string(req["X-Sot-Signature"]) ==
                         "sha256=" + notify::signature(secret_, req.body());
        h.accepted = !fail;
        {
          std::lock_guard lock(m_);
          received_.push_back(std::move(h));
        }
        bhttp::write(stream, res);
      };
      if (impl_->tls) {
        beast::ssl_stream<tcp::socket&> stream(socket, *impl_->tls);
        stream.handshake(asio::ssl::stream_base::server);
        handle(stream);
        stream.shutdown(ec);
      } else {
        handle(socket);
      }
    } catch (const std::exception&) {
      // A client that gave up, a handshake refused: the next one.
    }
    socket.shutdown(tcp::socket::shutdown_both, ec);
  }
}

}  // namespace sot::test
