// One HTTP POST to the portal's notification endpoint: https:// with the server's certificate
// verified (the system's trust store, or a CA file) and its host name checked, SNI sent; or
// http:// to a loopback relay. Every step has a deadline; nothing here retries.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace sot::notify {

struct PostResult {
  int status = 0;     // the HTTP status; 0 when no answer came (connection, TLS, timeout)
  std::string error;  // why, when status is 0 or not 2xx
  bool ok() const { return status >= 200 && status < 300; }
};

PostResult http_post(const std::string& url,
                     const std::vector<std::pair<std::string, std::string>>& headers,
                     const std::string& body, const std::filesystem::path& ca_file,
                     std::chrono::seconds timeout);

}  // namespace sot::notify
