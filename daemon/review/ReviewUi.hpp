// The clerks' review UI, served by the daemon on its loopback HTTP endpoint under /review.
// Routes are here; the pages are Mustache views (Views.hpp, ui/templates/); sessions, CSRF and
// same-origin checks are Security.hpp; the bundle page's model is BundlePage.hpp; the
// registry's figures for lead clerks are Stats.hpp.
//
//   GET  /review                 the queue: filter, search, sort, pages, counts per reason and
//                                court, waiting time against the target; lead clerks: bulk
//   POST /review/bulk            lead: one decision with one reason for several bundles
//   GET  /review/b/NAME          one bundle, decided on one screen (findings, viewer, signature
//                                card, decision); the queue's filter rides along (prev/next)
//   GET  /review/b/NAME/preview/DOC/PAGE[?dpi=]   a page image (sandboxed helper)
//   POST /review/b/NAME/decide   register, reject (reasons + note), reprocess; then the next
//                                bundle of the clerk's filter
//   POST /review/b/NAME/assign   lead: assign to a clerk
//   POST /review/hold/BUNDLE     lead: legal hold on or off
//   GET  /review/decided/OUTCOME/NAME[/notice.pdf|receipt.pdf]
//   GET  /review/stats           lead: the registry at a glance
//   POST /review/lang            the clerk's language (kk/ru), kept in the registry
//   GET  /review/static/FILE     app.css, app.js (embedded)
//   GET/POST /review/login, POST /review/logout
//
// Security: clerks log in against the users file (PBKDF2); failed logins are limited
// (LoginThrottle); every state-changing request is a POST with the session's CSRF token from
// this origin; pages use no inline style or script, so the server's Content-Security-Policy
// forbids both. Decisions, logins, assignments and holds go to the registry's audit trail.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "config/Config.hpp"
#include "core/Pipeline.hpp"
#include "http/HttpServer.hpp"
#include "registry/Registry.hpp"
#include "review/LoginThrottle.hpp"
#include "review/Queue.hpp"
#include "review/Security.hpp"
#include "spool/Spool.hpp"

namespace sot::review {

class ReviewUi {
 public:
  struct Context {
    std::function<Config()> config;                             // the current one (reloads)
    std::function<std::shared_ptr<const Pipeline>()> pipeline;  // its rules
    std::string self_exe;  // renders previews (empty: previews are not offered)
    // Told of each decision taken (its action), for the metrics; may be empty.
    std::function<void(const std::string&)> decided = {};
  };
  ReviewUi(spool::Spool& spool, registry::Registry& registry, Context context);

  http::Response serve(const http::Request& req);

 private:
  http::Response route(const http::Request& req, const Session& s);
  std::string page(const std::string& title, const std::string& content, const Session* s,
                   const std::string& lang, const std::string& back,
                   const std::string& main_class = "") const;
  http::Response message(int status, const std::string& heading, const std::string& text,
                         const Session& s);
  http::Response login_page(const http::Request& req, const std::string& error_key, int status);
  http::Response login(const http::Request& req);
  http::Response set_language(const http::Request& req, const Session& s);
  http::Response queue_page(const http::Request& req, const Session& s);
  http::Response bulk(const http::Request& req, const Session& s);
  http::Response bundle_page(const std::string& placed, const http::Request& req, const Session& s,
                             const std::string& error = "");
  http::Response preview(const std::string& placed, const std::string& rest,
                         const http::Request& req);
  http::Response decide(const std::string& placed, const http::Request& req, const Session& s);
  http::Response assign(const std::string& placed, const http::Request& req, const Session& s);
  http::Response hold(const std::string& bundle, const http::Request& req, const Session& s);
  std::string hold_form(const std::string& bundle, const std::string& back, const Session& s);
  http::Response decided_page(const std::string& outcome, const std::string& placed,
                              const http::Request& req, const Session& s);
  http::Response decided_file(const std::string& outcome, const std::string& placed,
                              const std::string& file);
  http::Response stats_page(const http::Request& req, const Session& s);

  spool::Spool& spool_;
  registry::Registry& registry_;
  Context context_;
  SessionStore sessions_;
  LoginThrottle throttle_;
  QueueIndex queue_;
};

}  // namespace sot::review
