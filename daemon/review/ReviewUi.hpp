// The clerks' review UI, served by the daemon on its loopback HTTP endpoint under /review:
// the queue of bundles in review (age, court, kind, reasons; filter and sort), a bundle's
// page (findings with their evidence, the signature, each document with its scan facts and
// page previews), and the actions register, reject (reasons among the codes + free text),
// reprocess, and — for lead clerks — assign.
//
// Security: clerks log in against the users file (PBKDF2); the session is a random token in
// an HttpOnly, SameSite=Strict cookie (8 h at most, 1 h idle); every state-changing request
// is a POST that carries the session's CSRF token and, when the browser sends an Origin,
// comes from this origin. A request without a session, or a POST without the right token, is
// refused (403). Every request checks its session against the users file: a clerk removed or
// given another role loses the session at once. Failed logins are limited per login and
// client, per login and overall (LoginThrottle); a login name no login can be is refused
// before any lookup; anonymous visitors see generic errors (details go to stderr and the
// audit trail). Pages take their style from /review/app.css: no inline style or script, so
// the server's Content-Security-Policy can forbid both. Decisions, logins and assignments go
// to the registry's audit trail.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "config/Config.hpp"
#include "core/Pipeline.hpp"
#include "http/HttpServer.hpp"
#include "registry/Registry.hpp"
#include "review/LoginThrottle.hpp"
#include "spool/Spool.hpp"

namespace sot::review {

class ReviewUi {
 public:
  struct Context {
    std::function<Config()> config;                             // the current one (reloads)
    std::function<std::shared_ptr<const Pipeline>()> pipeline;  // its rules
    std::string self_exe;  // renders previews (empty: previews are not offered)
  };
  ReviewUi(spool::Spool& spool, registry::Registry& registry, Context context);

  http::Response serve(const http::Request& req);

 private:
  struct Session {
    std::string login;
    std::string role;
    std::string csrf;
    std::chrono::steady_clock::time_point created, last_seen;
  };
  std::optional<Session> session_of(const http::Request& req);
  http::Response login_page(const std::string& error, int status = 200);
  http::Response login(const http::Request& req);
  http::Response queue_page(const http::Request& req, const Session& s);
  http::Response bundle_page(const std::string& placed, const Session& s,
                             const std::string& error = "");
  http::Response preview(const std::string& placed, const std::string& rest);
  http::Response decide(const std::string& placed, const http::Request& req, const Session& s);
  http::Response assign(const std::string& placed, const http::Request& req, const Session& s);
  // A lead clerk's legal hold on a bundle (retention leaves it alone while it is on).
  http::Response hold(const std::string& bundle, const http::Request& req, const Session& s);
  std::string hold_form(const std::string& bundle, const std::string& back, const Session& s);
  http::Response decided_page(const std::string& outcome, const std::string& placed,
                              const Session& s);
  http::Response decided_file(const std::string& outcome, const std::string& placed,
                              const std::string& file);
  std::string page(const std::string& title, const std::string& body, const Session* s) const;

  spool::Spool& spool_;
  registry::Registry& registry_;
  Context context_;
  std::mutex mutex_;
  std::map<std::string, Session> sessions_;  // by token
  LoginThrottle throttle_;
};

}  // namespace sot::review
