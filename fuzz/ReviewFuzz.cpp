// Fuzz target: the review UI behind a logged-in session. Each input is a raw HTTP request;
// when Beast's parser (with the server's limits) takes it, it is sent to the review UI with a
// valid session cookie, its CSRF token in the form and this origin — so the fuzzer reaches
// the queue, bundle pages, decisions, assignments and the login, not only the parser. The
// spool holds bundles waiting in review. None of it may crash, hang or throw.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "config/Config.hpp"
#include "core/Pipeline.hpp"
#include "core/Report.hpp"
#include "http/HttpServer.hpp"
#include "registry/Registry.hpp"
#include "review/ReviewUi.hpp"
#include "review/Users.hpp"
#include "rules/RuleSet.hpp"
#include "spool/Spool.hpp"

namespace {

namespace fs = std::filesystem;

struct World {
  fs::path root;
  sot::Config config;
  std::shared_ptr<const sot::Pipeline> pipeline;
  std::unique_ptr<sot::spool::Spool> spool;
  std::unique_ptr<sot::registry::Registry> registry;
  std::unique_ptr<sot::review::ReviewUi> ui;
  std::string cookie;  // sot_session=…
  std::string csrf;
};

World* g = nullptr;

sot::http::Request base(const std::string& method, const std::string& path) {
  sot::http::Request r;
  r.method = method;
  r.path = r.target = path;
  r.peer = "127.0.0.1";
  r.headers["host"] = "127.0.0.1:8470";
  r.headers["origin"] = "http://127.0.0.1:8470";
  return r;
}

std::string cookie_value(const sot::http::Response& r, const std::string& name) {
  for (const auto& [k, v] : r.headers)
    if (k == "Set-Cookie" && v.rfind(name + "=", 0) == 0)
      return v.substr(name.size() + 1, v.find(';') - name.size() - 1);
  return "";
}

// A bundle in review/ as the daemon leaves it (a minimal report is all the UI reads).
void put_in_review(World& w, const std::string& id) {
  const fs::path dir = w.spool->outcome_dir(sot::Outcome::kReview) / id;
  fs::create_directories(dir / "files");
  const nlohmann::json report = {{"bundle", id},
                                 {"outcome", "review"},
                                 {"submission_id", "197100000000001"},
                                 {"findings",
                                  {{{"code", "DUPLICATE_FILE"},
                                    {"severity", "review"},
                                    {"stage", "integrity"},
                                    {"file", "a.pdf"},
                                    {"page", nullptr},
                                    {"detail", {{"same_as", "b.pdf"}}}}}},
                                 {"documents", {{{"file", "a.pdf"}, {"format", "pdf"}}}}};
  w.spool->write_result_at(dir, "report.json", report.dump());
  w.registry->record_outcome(id, id, "review", report);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  auto* w = new World;
  w->root = fs::temp_directory_path() / ("sot-fuzz-review-" + std::to_string(::getpid()));
  fs::create_directories(w->root);
  w->config = sot::shipped_config();
  w->config.spool_root = w->root / "spool";
  w->config.users_file = w->root / "users";
  // The fewest iterations the users file accepts: the fuzzer tries many logins (production
  // uses 200,000).
  std::ofstream(w->config.users_file)
      << sot::review::user_line("lead1", "lead", "password", 10000) << "\n";
  w->pipeline = sot::build_pipeline(w->config);
  w->spool = std::make_unique<sot::spool::Spool>(w->config.spool_root);
  w->registry = sot::registry::open_sqlite_registry(sot::registry::registry_file(w->spool->root()));
  for (const char* id : {"b1", "b2", "b3"}) put_in_review(*w, id);
  w->ui = std::make_unique<sot::review::ReviewUi>(
      *w->spool, *w->registry,
      sot::review::ReviewUi::Context{[w] { return w->config; }, [w] { return w->pipeline; }, ""});
  // Log in once, as a browser would.
  const auto form = w->ui->serve(base("GET", "/review/login"));
  const std::string login_token = cookie_value(form, "sot_login");
  auto post = base("POST", "/review/login");
  post.headers["cookie"] = "sot_login=" + login_token;
  post.body = "csrf=" + login_token + "&login=lead1&password=password";
  const auto in = w->ui->serve(post);
  w->cookie = "sot_session=" + cookie_value(in, "sot_session");
  auto page = base("GET", "/review");
  page.headers["cookie"] = w->cookie;
  const std::string body = w->ui->serve(page).body;
  const auto at = body.find("name=\"csrf\" value=\"");
  if (at != std::string::npos) w->csrf = body.substr(at + 19, body.find('"', at + 19) - at - 19);
  if (w->cookie.size() <= 12 || w->csrf.empty()) std::abort();  // the harness must log in
  g = w;
  std::atexit([] {
    std::error_code ec;
    fs::remove_all(g->root, ec);
  });
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  sot::http::ServerLimits limits;
  limits.max_body_bytes = 64 << 10;
  limits.max_header_bytes = 8 << 10;
  auto parsed = sot::http::parse_request(input, limits);
  if (!parsed) return 0;
  sot::http::Request r = std::move(*parsed);
  r.peer = "127.0.0.1";
  r.headers["host"] = "127.0.0.1:8470";
  if (!r.headers.count("origin")) r.headers["origin"] = "http://127.0.0.1:8470";
  if (!r.headers.count("cookie")) r.headers["cookie"] = g->cookie;
  if (r.method == "POST" && r.body.find("csrf=") == std::string::npos)
    r.body = "csrf=" + g->csrf + (r.body.empty() ? "" : "&" + r.body);
  (void)g->ui->serve(r);
  // Keep something to decide on.
  if (fs::is_empty(g->spool->outcome_dir(sot::Outcome::kReview)))
    put_in_review(*g, "b" + std::to_string(std::rand() % 1000 + 10));
  return 0;
}
