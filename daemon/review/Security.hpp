// The review UI's session and request security: clerks' sessions (a random token in an
// HttpOnly, SameSite=Strict cookie; 8 h at most, 1 h idle), each checked against the users file
// on every request (a clerk removed, or given another role, loses the session at once); the
// CSRF token every POST carries; the same-origin check of state-changing requests; cookies.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "http/HttpServer.hpp"

namespace sot::review {

struct Session {
  std::string login;
  std::string role;  // "clerk" or "lead"
  std::string csrf;
  std::string lang;  // the UI's language for this clerk
  std::chrono::steady_clock::time_point created, last_seen;
};

inline constexpr const char* kSessionCookie = "sot_session";
inline constexpr const char* kLoginCookie = "sot_login";
inline constexpr const char* kLangCookie = "sot_lang";

class SessionStore {
 public:
  // `users_file` gives the file the sessions are checked against (it may change on reload).
  explicit SessionStore(std::function<std::filesystem::path()> users_file);

  // The token of a new session.
  std::string open(Session s);
  // The request's live session (touched), or nullopt.
  std::optional<Session> find(const http::Request& req);
  void close(const std::string& token);
  void set_language(const std::string& token, const std::string& lang);

 private:
  std::function<std::filesystem::path()> users_file_;
  std::mutex mutex_;
  std::map<std::string, Session> sessions_;  // by token
};

// A POST from another origin is refused even with a valid cookie (SameSite covers modern
// browsers; this covers the rest).
bool same_origin(const http::Request& req);
// A POST carries the session's CSRF token and comes from this origin.
bool csrf_ok(const http::Request& req, const Session& s);
std::string cookie_header(const std::string& name, const std::string& value, long max_age);
std::string session_cookie(const std::string& token);
http::Response forbidden(const std::string& why);
http::Response not_found();
http::Response method_not_allowed(const char* allow);
// A URL path segment or query value, percent-encoded.
std::string url_encode(std::string_view s);
// A redirect target inside the review UI only (else /review).
std::string local_target(const std::string& target);

}  // namespace sot::review
