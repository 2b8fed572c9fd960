// A minimal HTTP/1.1 client for the tests (plain sockets, Connection: close), so the daemon's
// endpoint is exercised the way curl or Prometheus would.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace sot::test {

struct HttpReply {
  int status = 0;                              // 0: no answer
  std::map<std::string, std::string> headers;  // lower-case names; Set-Cookie joined by '\n'
  std::string body;
};

HttpReply http_request(int port, const std::string& method, const std::string& target,
                       const std::string& body = "",
                       const std::vector<std::pair<std::string, std::string>>& headers = {});

// The port a daemon logged ("… on 127.0.0.1:PORT"), waiting for the line up to `seconds`.
int wait_for_http_port(const std::string& log_file, int seconds = 20);

}  // namespace sot::test
