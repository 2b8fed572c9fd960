// The portal's notification endpoint, as the tests need it: an HTTP (or HTTPS, with a given
// certificate and key) server on 127.0.0.1 that records every POST — its event id, body and
// whether its X-Sot-Signature is right — and can be told to fail a share of the requests
// (HTTP 500) or to be down for a while (every connection reset at once).
#pragma once

#include <atomic>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

namespace sot::test {

struct ReceivedHook {
  long long event_id = 0;
  std::string type;
  nlohmann::json body;
  bool signature_ok = false;
  bool accepted = false;  // answered 2xx
};

class HookReceiver {
 public:
  // `secret`: the HMAC key the signatures are checked with. `tls_cert`/`tls_key` (PEM): HTTPS.
  explicit HookReceiver(std::string secret, std::filesystem::path tls_cert = {},
                        std::filesystem::path tls_key = {});
  ~HookReceiver();
  HookReceiver(const HookReceiver&) = delete;
  HookReceiver& operator=(const HookReceiver&) = delete;

  int port() const { return port_; }
  std::string url(const std::string& host = "127.0.0.1") const;
  void fail_share(double share) { fail_share_ = share; }  // 0.5: every other request fails
  void set_down(bool down);                               // connections reset / served
  std::vector<ReceivedHook> received() const;

 private:
  void serve();
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::string secret_;
  int port_ = 0;
  std::atomic<double> fail_share_{0};
  std::atomic<bool> stop_{false};
  mutable std::mutex m_;
  std::vector<ReceivedHook> received_;
  std::thread thread_;
};

}  // namespace sot::test
