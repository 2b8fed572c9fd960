#include "review/Security.hpp"

#include <iostream>

#include "review/Users.hpp"

namespace sot::review {

namespace {
constexpr auto kSessionLifetime = std::chrono::hours(8);
constexpr auto kSessionIdle = std::chrono::hours(1);
}  // namespace

SessionStore::SessionStore(std::function<std::filesystem::path()> users_file)
    : users_file_(std::move(users_file)) {}

std::string SessionStore::open(Session s) {
  const std::string token = random_token();
  std::lock_guard lock(mutex_);
  sessions_[token] = std::move(s);
  return token;
}

void SessionStore::close(const std::string& token) {
  std::lock_guard lock(mutex_);
  sessions_.erase(token);
}

void SessionStore::set_language(const std::string& token, const std::string& lang) {
  std::lock_guard lock(mutex_);
  if (const auto it = sessions_.find(token); it != sessions_.end()) it->second.lang = lang;
}

std::optional<Session> SessionStore::find(const http::Request& req) {
  const std::string token = req.cookie(kSessionCookie);
  if (token.empty()) return std::nullopt;
  std::lock_guard lock(mutex_);
  const auto now = std::chrono::steady_clock::now();
  for (auto it = sessions_.begin(); it != sessions_.end();)  // drop the expired
    if (now - it->second.created > kSessionLifetime || now - it->second.last_seen > kSessionIdle)
      it = sessions_.erase(it);
    else
      ++it;
  const auto it = sessions_.find(token);
  if (it == sessions_.end()) return std::nullopt;
  // The users file decides on every request: removed, or given another role, the clerk's
  // session ends now, not when it expires. A file that cannot be read ends every session.
  bool still = false;
  try {
    const auto file = users_file_();
    if (!file.empty())
      for (const auto& u : load_users(file))
        still = still || (u.login == it->second.login && u.role == it->second.role);
  } catch (const std::exception& e) {
    std::cerr << "sot-intaked[-]: review: the users file cannot be read: " << e.what() << std::endl;
  }
  if (!still) {
    sessions_.erase(it);
    return std::nullopt;
  }
  it->second.last_seen = now;
  return it->second;
}

bool same_origin(const http::Request& req) {
  const std::string site = req.header("sec-fetch-site");
  if (!site.empty() && site != "same-origin" && site != "none") return false;
  const std::string origin = req.header("origin");
  if (origin.empty() || origin == "null") return origin.empty();
  const std::string host = req.header("host");
  return origin == "http://" + host;
}

bool csrf_ok(const http::Request& req, const Session& s) {
  const auto form = req.form();
  const auto it = form.find("csrf");
  return same_origin(req) && it != form.end() && equal_secrets(it->second, s.csrf);
}

std::string cookie_header(const std::string& name, const std::string& value, long max_age) {
  return name + "=" + value +
         "; Path=/review; HttpOnly; SameSite=Strict; Max-Age=" + std::to_string(max_age);
}

std::string session_cookie(const std::string& token) {
  return cookie_header(kSessionCookie, token,
                       std::chrono::duration_cast<std::chrono::seconds>(kSessionLifetime).count());
}

http::Response forbidden(const std::string& why) {
  return http::Response::text(403, "forbidden: " + why + "\n");
}

http::Response not_found() {
  return http::Response::text(404, "not found\n");
}

http::Response method_not_allowed(const char* allow) {
  http::Response r = http::Response::text(405, "method not allowed\n");
  r.headers.emplace_back("Allow", allow);
  return r;
}

std::string url_encode(std::string_view s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

std::string local_target(const std::string& target) {
  if ((target == "/review" || target.rfind("/review/", 0) == 0 ||
       target.rfind("/review?", 0) == 0) &&
      target.find_first_of("\r\n\\") == std::string::npos && target.find("//") == std::string::npos)
    return target;
  return "/review";
}

}  // namespace sot::review
