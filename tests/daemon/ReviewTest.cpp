// Clerks' decisions, the users file, the filer's status and the registry queries behind them:
// a decision moves a review bundle like an automatic outcome (number + receipt, or notice with
// the clerk's reasons), is audited, cannot be taken twice, and survives a crash mid-way.
#include <catch2/catch.hpp>

#include <regex>
#include <set>
#include <sstream>

#include "core/Report.hpp"
#include "outcome/Resubmission.hpp"
#include "outcome/Status.hpp"
#include "registry/Registry.hpp"
#include "review/BundlePage.hpp"
#include "review/Decisions.hpp"
#include "review/Queue.hpp"
#include "review/ReviewUi.hpp"
#include "review/Stats.hpp"
#include "review/Users.hpp"
#include "review/Views.hpp"
#include "rules/RuleSet.hpp"
#include "service/Recovery.hpp"
#include "spool/Spool.hpp"
#include "support/PgServer.hpp"
#include "support/TestBundle.hpp"

using namespace sot;
using namespace sot::test;
using json = nlohmann::json;
namespace fs = std::filesystem;

namespace {

// A spool with `n` bundles waiting in review/ (a duplicated attachment sends them there), as
// the daemon leaves them: result/report.json, the registry's record.
struct ReviewSpool {
  TempDir t;
  spool::Spool spool{t.path() / "spool"};
  // SQLite, or a fresh PostgreSQL database when the suite runs on it (SOT_TEST_REGISTRY).
  std::unique_ptr<registry::Registry> registry = open_test_registry(spool.root()).registry;
  rules::RuleSet rules = rules::shipped_rules();
  Config config = test_config();

  explicit ReviewSpool(int n) {
    config.number_format = "{court}/{yy}-{seq:04}";
    for (int i = 1; i <= n; ++i) {
      BundleBuilder b("review-" + std::to_string(i));
      b.manifest["submission_id"] = "55500000000000" + std::to_string(i);
      b.documents.push_back({"Шарттың екінші данасы.jpeg", "Шарттың екінші данасы", "attachment",
                             b.documents[1].content});
      b.manifest["appendix"].push_back("Шарттың екінші данасы");
      const fs::path staged = b.write(t.path());
      json report = make_report(run_pipeline(staged), rules, 300);
      REQUIRE(report["outcome"] == "review");
      const fs::path dir = spool.outcome_dir(Outcome::kReview) / b.id();
      fs::rename(staged, dir);
      spool.write_result_at(dir, "report.json", report.dump(2));
      registry->transition(b.id(), "received", report["submission_id"].get<std::string>());
      registry->record_outcome(b.id(), b.id(), "review", report);
    }
  }
  review::Decisions decisions() { return review::Decisions(spool, *registry, config, rules); }
  // A users file with this one clerk, for the UI.
  void add_clerk(const std::string& login, const std::string& role, const std::string& password) {
    config.users_file = t.path() / "users";
    review::set_user(config.users_file, login, role, password);
  }
};

}  // namespace

TEST_CASE("a clerk registers a bundle: number, receipt, audit, same durability as the daemon",
          "[review]") {
  ReviewSpool s(1);
  auto d = s.decisions();
  REQUIRE(d.queue().size() == 1);
  CHECK(d.queue()[0].reasons == std::vector<std::string>{"DUPLICATE_FILE"});
  const auto r = d.decide({"review-1", "register", "aigerim", {}, "копии разные", ""});
  REQUIRE(r.ok);
  CHECK(r.outcome == "registered");
  CHECK(std::regex_match(r.registration_number, std::regex(R"(7110/\d\d-0001)")));
  const fs::path dir = s.spool.outcome_dir(Outcome::kRegistered) / "review-1";
  const json report = json::parse(read_file(dir / "result" / "report.json"));
  CHECK(report["outcome"] == "registered");
  CHECK(report["registration_number"] == r.registration_number);
  CHECK(report["decision"]["by"] == "aigerim");
  CHECK(report["decision"]["automatic_outcome"] == "review");
  CHECK(fs::exists(dir / "result" / "receipt.pdf"));
  CHECK(json::parse(read_file(dir / "result" / "receipt.json"))["registration_number"] ==
        r.registration_number);
  CHECK(d.queue().empty());
  CHECK(fs::is_empty(s.spool.deciding()));
  const auto rec = s.registry->find("review-1");
  REQUIRE(rec);
  CHECK(rec->outcome == "registered");
  CHECK(rec->registration_number == r.registration_number);
  const auto audit = s.registry->audit_trail("review-1");
  REQUIRE(audit.size() == 1);
  CHECK(audit[0].actor == "aigerim");
  CHECK(audit[0].action == "register");
  CHECK(audit[0].detail["note"] == "копии разные");
  // Decided once: a second decision finds nothing to decide.
  const auto again = d.decide({"review-1", "reject", "bolat", {"FILE_CORRUPT"}, "", ""});
  CHECK_FALSE(again.ok);
  CHECK_THAT(again.error, Catch::Contains("not waiting in review"));
}

TEST_CASE("a clerk rejects with chosen reasons, a document and words for the filer", "[review]") {
  ReviewSpool s(1);
  auto d = s.decisions();
  CHECK_THAT(d.decide({"review-1", "reject", "aigerim", {}, "", ""}).error,
             Catch::Contains("at least one reason"));
  // A review code is a reason only where the check found it in this bundle.
  CHECK_THAT(d.decide({"review-1", "reject", "aigerim", {"REVOCATION_UNKNOWN"}, "", ""}).error,
             Catch::Contains("not a rejection reason"));
  CHECK_THAT(d.decide({"review-1", "reject", "aigerim", {"NO_SUCH_CODE"}, "", ""}).error,
             Catch::Contains("not a rejection reason"));
  CHECK_THAT(d.decide({"review-1", "reject", "aigerim", {"FILE_CORRUPT"}, "", "nope.pdf"}).error,
             Catch::Contains("not a document"));
  CHECK_THAT(d.decide({"review-1", "archive", "aigerim", {}, "", ""}).error,
             Catch::Contains("unknown action"));
  const auto r = d.decide({"review-1",
                           "reject",
                           "aigerim",
                           {"FILE_CORRUPT"},
                           "Екінші дана бос / вторая копия пустая",
                           "Шарттың екінші данасы.jpeg"});
  REQUIRE(r.ok);
  CHECK(r.outcome == "rejected");
  const fs::path res = s.spool.outcome_dir(Outcome::kRejected) / "review-1" / "result";
  const json notice = json::parse(read_file(res / "notice.json"));
  REQUIRE(notice["reasons"].size() == 1);
  CHECK(notice["reasons"][0]["code"] == "FILE_CORRUPT");
  CHECK(notice["reasons"][0]["file"] == "Шарттың екінші данасы.jpeg");
  CHECK(notice["reasons"][0]["note"] == "Екінші дана бос / вторая копия пустая");
  CHECK_THAT(notice["reasons"][0]["message"]["kk"].get<std::string>(),
             Catch::Contains("Шарттың екінші данасы.jpeg"));
  CHECK(fs::file_size(res / "notice.pdf") > 1000);
  // The filer's status says rejected, with the reason and what to do.
  const auto status = outcome::filer_status(*s.registry, "555000000000001", s.rules);
  REQUIRE(status);
  CHECK((*status)["status"] == "rejected");
  REQUIRE((*status)["reasons"].size() == 1);
  CHECK((*status)["reasons"][0]["code"] == "FILE_CORRUPT");
  CHECK_FALSE((*status)["reasons"][0]["action"]["kk"].get<std::string>().empty());
}

TEST_CASE("a clerk confirms what the check found as the reason: the notice says the same thing",
          "[review]") {
  ReviewSpool s(1);
  auto d = s.decisions();
  // DUPLICATE_FILE's severity is review; the check found it here, so the clerk may refuse for it.
  const auto r = d.decide({"review-1", "reject", "aigerim", {"DUPLICATE_FILE"}, "", ""});
  REQUIRE(r.ok);
  const fs::path res = s.spool.outcome_dir(Outcome::kRejected) / "review-1" / "result";
  const json notice = json::parse(read_file(res / "notice.json"));
  REQUIRE(notice["reasons"].size() == 1);
  CHECK(notice["reasons"][0]["code"] == "DUPLICATE_FILE");
  // Its file and evidence are the finding's: the message names both files, nothing left blank.
  const std::string ru = notice["reasons"][0]["message"]["ru"].get<std::string>();
  CHECK_THAT(ru, Catch::Contains("совпадает с файлом «") && !Catch::Contains("{"));
  CHECK_FALSE(notice["reasons"][0]["file"].is_null());
}

TEST_CASE("what the court could not do is never the filer's reason", "[review]") {
  const json report = {
      {"findings",
       json::array({{{"code", "PROCESSING_FAILED"}, {"severity", "review"}},
                    {{"code", "REVOCATION_UNKNOWN"}, {"severity", "review"}},
                    {{"code", "SIGNATURE_ALGORITHM_UNSUPPORTED"}, {"severity", "review"}},
                    {{"code", "TITLE_MISMATCH"}, {"severity", "review"}},
                    {{"code", "PAGE_COUNT_NOTE"}, {"severity", "info"}}})}};
  CHECK(review::Decisions::found_codes(report) == std::vector<std::string>{"TITLE_MISMATCH"});
  ReviewSpool s(0);
  const auto reasons = s.decisions().reasons_for(report);
  CHECK(std::find(reasons.begin(), reasons.end(), "TITLE_MISMATCH") != reasons.end());
  for (const char* c :
       {"PROCESSING_FAILED", "REVOCATION_UNKNOWN", "SIGNATURE_ALGORITHM_UNSUPPORTED"})
    CHECK(std::find(reasons.begin(), reasons.end(), c) == reasons.end());
}

TEST_CASE("reprocess returns a bundle to incoming/ as not yet decided", "[review]") {
  ReviewSpool s(1);
  auto d = s.decisions();
  const auto r = d.decide({"review-1", "reprocess", "aigerim", {}, "rules changed", ""});
  REQUIRE(r.ok);
  CHECK(fs::is_directory(s.spool.incoming() / "review-1"));
  CHECK_FALSE(s.registry->decided("review-1"));
  CHECK((*outcome::filer_status(*s.registry, "555000000000001", s.rules))["status"] == "received");
}

TEST_CASE("two clerks cannot decide one bundle — a crash mid-decision is finished or undone",
          "[review]") {
  ReviewSpool s(3);
  auto d = s.decisions();
  // Somebody else has review-1 in deciding/ right now.
  REQUIRE(s.spool.claim_for_decision("review-1"));
  const auto audit_before = s.registry->audit_trail("review-1").size();
  const auto transitions_before = s.registry->transitions("review-1").size();
  const auto r = d.decide({"review-1", "register", "bolat", {}, "", ""});
  CHECK_FALSE(r.ok);
  CHECK_THAT(r.error, Catch::Contains("taken by someone else"));
  // The loser of the race writes nothing at all — a reprocess neither.
  const auto again = d.decide({"review-1", "reprocess", "bolat", {}, "", ""});
  CHECK_FALSE(again.ok);
  CHECK_THAT(again.error, Catch::Contains("taken by someone else"));
  CHECK(s.registry->audit_trail("review-1").size() == audit_before);
  CHECK(s.registry->transitions("review-1").size() == transitions_before);
  CHECK(s.registry->find("review-1")->outcome == "review");
  // A crash right after the decision on review-2 was committed, before any file showed it:
  // the next start finishes it from the registry. review-1's claim was never committed: undone.
  REQUIRE(s.spool.claim_for_decision("review-2"));
  json report = json::parse(read_file(s.spool.deciding() / "review-2" / "result" / "report.json"));
  report["outcome"] = "rejected";
  const std::string text = report.dump(2) + "\n";
  s.registry->commit_decision("review-2", "rejected", text);
  const auto resume = service::recover(s.spool, *s.registry, s.rules,
                                       [](const std::string&, const std::string&, bool) {});
  CHECK(resume == 0);  // nothing of active/ to put back
  CHECK(fs::is_directory(s.spool.outcome_dir(Outcome::kReview) / "review-1"));  // undone
  const fs::path rejected = s.spool.outcome_dir(Outcome::kRejected) / "review-2";
  REQUIRE(fs::is_directory(rejected));  // finished
  CHECK(read_file(rejected / "result" / "report.json") == text);
  CHECK(fs::exists(rejected / "result" / "notice.pdf"));
  CHECK(s.registry->find("review-2")->outcome == "rejected");
  CHECK_FALSE(s.registry->pending_decision("review-2"));
  CHECK(fs::is_directory(s.spool.outcome_dir(Outcome::kReview) / "review-3"));  // untouched
  CHECK(fs::is_empty(s.spool.deciding()));
}

TEST_CASE("registry lookups: by submission, by outcome and date, transitions", "[review]") {
  ReviewSpool s(2);
  auto& reg = *s.registry;
  CHECK(reg.by_submission("555000000000002").at(0).id == "review-2");
  CHECK(reg.by_submission("nope").empty());
  registry::ListQuery q;
  q.outcome = "review";
  CHECK(reg.list(q).size() == 2);
  q.since = "2999-01-01";
  CHECK(reg.list(q).empty());
  const auto t = reg.transitions("review-1");
  REQUIRE(t.size() == 2);
  CHECK(t[0].state == "received");
  CHECK(t[1].state == "review");
  s.registry->set_assignee("review-1", "bolat");
  CHECK(s.registry->assignee("review-1") == "bolat");
  auto d = s.decisions();
  CHECK(d.queue().size() == 2);
  CHECK(d.show("review-1").value()["assignee"] == "bolat");
  CHECK_FALSE(d.show("../etc"));
}

TEST_CASE("clerks' passwords are salted PBKDF2 — the users file is checked line by line",
          "[review][users]") {
  TempDir t;
  const fs::path file = t.path() / "clerks.txt";
  review::set_user(file, "aigerim", "lead", "correct horse battery");
  review::set_user(file, "bolat", "clerk", "another long one");
  review::set_user(file, "bolat", "clerk", "replaced password");  // replaces, not appends
  const auto users = review::load_users(file);
  REQUIRE(users.size() == 2);
  CHECK(users[0].role == "lead");
  CHECK(users[0].iterations == review::kPbkdf2Iterations);
  CHECK(users[0].salt.size() == 16);
  CHECK(read_file(file).find("correct horse") == std::string::npos);
  CHECK(review::authenticate(users, "aigerim", "correct horse battery"));
  CHECK_FALSE(review::authenticate(users, "aigerim", "correct horse batterY"));
  CHECK_FALSE(review::authenticate(users, "bolat", "another long one"));
  CHECK(review::authenticate(users, "bolat", "replaced password"));
  CHECK_FALSE(review::authenticate(users, "nobody", "replaced password"));
  // Two users with one password have different hashes (salted).
  review::set_user(file, "dana", "clerk", "replaced password");
  const auto again = review::load_users(file);
  CHECK(again[1].hash != again[2].hash);

  CHECK_THROWS_WITH(review::set_user(file, "Bad Login", "clerk", "long enough pw"),
                    Catch::Contains("bad login"));
  CHECK_THROWS_WITH(review::set_user(file, "x", "admin", "long enough pw"),
                    Catch::Contains("role"));
  CHECK_THROWS_WITH(review::set_user(file, "x", "clerk", "short"), Catch::Contains("10"));
  write_file(t.path() / "broken.txt", "aigerim:lead:md5:1:aa:bb\n");
  CHECK_THROWS_WITH(review::load_users(t.path() / "broken.txt"), Catch::Contains("broken.txt:1"));
  CHECK(review::equal_secrets("abc", "abc"));
  CHECK_FALSE(review::equal_secrets("abc", "abd"));
  CHECK_FALSE(review::equal_secrets("", ""));
  CHECK(review::random_token() != review::random_token());
}

namespace {

// A review UI over a ReviewSpool, and a browser's cookies.
struct UiClient {
  explicit UiClient(ReviewSpool& spool) : s(spool) {}
  ReviewSpool& s;
  std::shared_ptr<const Pipeline> pipeline = build_pipeline(s.config);
  review::ReviewUi ui{
      s.spool, *s.registry,
      review::ReviewUi::Context{[this] { return s.config; }, [this] { return pipeline; }, ""}};
  std::map<std::string, std::string> cookies;

  http::Response send(const std::string& method, const std::string& path,
                      const std::string& body = "") {
    http::Request r;
    r.method = method;
    r.target = path;
    r.path = path.substr(0, path.find('?'));
    if (const auto q = path.find('?'); q != std::string::npos) {
      std::istringstream in(path.substr(q + 1));
      std::string kv;
      while (std::getline(in, kv, '&'))
        r.query[kv.substr(0, kv.find('='))] =
            kv.find('=') == std::string::npos ? "" : kv.substr(kv.find('=') + 1);
    }
    r.body = body;
    r.peer = "127.0.0.1";
    r.headers["host"] = "127.0.0.1:8470";
    r.headers["origin"] = "http://127.0.0.1:8470";
    std::string c;
    for (const auto& [k, v] : cookies) c += (c.empty() ? "" : "; ") + k + "=" + v;
    r.headers["cookie"] = c;
    http::Response out = ui.serve(r);
    for (const auto& [name, value] : out.headers)
      if (name == "Set-Cookie") {
        const auto eq = value.find('='), semi = value.find(';');
        cookies[value.substr(0, eq)] = value.substr(eq + 1, semi - eq - 1);
      }
    return out;
  }
  // The CSRF token a page's forms carry.
  static std::string csrf_of(const std::string& body) {
    std::smatch m;
    return std::regex_search(body, m, std::regex("name=\"csrf\" value=\"([0-9a-f]+)\""))
               ? m[1].str()
               : std::string();
  }
  http::Response login(const std::string& who, const std::string& password) {
    send("GET", "/review/login");
    return send("POST", "/review/login",
                "csrf=" + cookies["sot_login"] + "&login=" + who + "&password=" + password);
  }
};

}  // namespace

TEST_CASE("review UI: the users file decides on every request", "[review][trust]") {
  ReviewSpool s(1);
  s.add_clerk("aigerim", "lead", "kupia-soz-1");
  UiClient c(s);
  REQUIRE(c.login("aigerim", "kupia-soz-1").status == 303);
  CHECK(c.send("GET", "/review").status == 200);
  CHECK(c.send("HEAD", "/review").status == 200);
  SECTION("a role taken away ends the session at once") {
    review::set_user(s.config.users_file, "aigerim", "clerk", "kupia-soz-1");
    CHECK(c.send("GET", "/review").status == 303);  // back to the login page
  }
  SECTION("a clerk removed from the file") {
    write_file(s.config.users_file, "");
    CHECK(c.send("GET", "/review").status == 303);
    CHECK(c.send("POST", "/review/b/review-1/decide", "action=register").status == 403);
  }
  SECTION("only the methods a route serves") {
    const auto r = c.send("PUT", "/review");
    CHECK(r.status == 405);
    CHECK(c.send("DELETE", "/review/b/review-1").status == 405);
  }
}

TEST_CASE("review UI: logins that cannot be, and a broken users file, say nothing to visitors",
          "[review][trust]") {
  ReviewSpool s(1);
  s.add_clerk("aigerim", "clerk", "kupia-soz-1");
  UiClient c(s);
  // A megabyte of login name: refused at once, never kept.
  const auto huge = c.login(std::string(1 << 20, 'a'), "x");
  CHECK(huge.status == 401);
  // A broken users file: the visitor learns nothing of it.
  write_file(s.config.users_file, "aigerim:clerk:broken-line\n");
  const auto broken = c.login("aigerim", "kupia-soz-1");
  CHECK(broken.status == 503);
  CHECK_THAT(broken.body, !Catch::Contains(s.config.users_file.string()));
  CHECK_THAT(broken.body, !Catch::Contains("line"));
  // Five wrong passwords from one client lock that client out, with a 429.
  review::set_user(s.config.users_file, "aigerim", "clerk", "kupia-soz-1");
  for (int i = 0; i < 5; ++i) CHECK(c.login("aigerim", "wrong").status == 401);
  CHECK(c.login("aigerim", "kupia-soz-1").status == 429);
}

TEST_CASE("review UI: a resubmission's bundle page shows what it cures and the authority",
          "[review][resubmission]") {
  ReviewSpool s(0);
  s.add_clerk("aigerim", "clerk", "kupia-soz-1");
  // The refused original, as the daemon records it.
  BundleBuilder original("original");
  original.manifest["submission_id"] = "197119100000021";
  original.manifest["payment"]["receipt"] = nullptr;
  original.manifest["appendix"] = {"Шарттың көшірмесі"};
  original.documents.pop_back();
  const json r1 = make_report(run_pipeline(original.write(s.t.path())), s.rules, 300);
  REQUIRE(r1["outcome"] == "rejected");
  s.registry->transition("original", "received", "197119100000021");
  s.registry->record_outcome("original", "original", "rejected", r1);
  // Its resubmission, by a representative with a power of attorney, still with a duplicate
  // attachment (review).
  BundleBuilder b("cure");
  b.manifest["submission_id"] = "197119100000022";
  b.manifest["resubmission_of"] = "197119100000021";
  b.manifest["filer"]["capacity"] = "representative";
  b.manifest["filer"]["represents"] = {0};
  b.manifest["filer"]["authority_ref"] = "EN-2025-0001234567";
  b.documents.push_back({"Шарттың екінші данасы.jpeg", "Шарттың екінші данасы", "attachment",
                         b.documents[1].content});
  b.manifest["appendix"].push_back("Шарттың екінші данасы");
  const fs::path staged = b.write(s.t.path());
  RunInputs in;
  in.earlier = outcome::lookup_earlier(*s.registry, "197119100000021", "cure");
  FixedClock clock(test_now());
  const json r2 = make_report(build_pipeline(s.config)->run(staged, clock, in), s.rules, 300);
  REQUIRE(r2["outcome"] == "review");
  const fs::path dir = s.spool.outcome_dir(Outcome::kReview) / "cure";
  fs::rename(staged, dir);
  s.spool.write_result_at(dir, "report.json", r2.dump(2));
  s.registry->transition("cure", "received", "197119100000022");
  s.registry->record_outcome("cure", "cure", "review", r2);

  UiClient c(s);
  REQUIRE(c.login("aigerim", "kupia-soz-1").status == 303);
  const auto page = c.send("GET", "/review/b/cure");
  REQUIRE(page.status == 200);
  CHECK_THAT(page.body, Catch::Contains("<span class=\"lbl\">Повторная подача</span> "
                                        "197119100000021 (rejected); устранены: PAYMENT_MISSING; "
                                        "остались: —"));
  CHECK_THAT(page.body, Catch::Contains("<span class=\"lbl\">Полномочия</span> представитель: "
                                        "эл. доверенность № EN-2025-0001234567"));
  // And the filer's status of the original names its cure.
  const auto status = outcome::filer_status(*s.registry, "197119100000021", s.rules);
  REQUIRE(status);
  CHECK((*status)["resubmission"]["resubmitted_as"][0]["submission_id"] == "197119100000022");
  CHECK_THAT(outcome::format_status(*status),
             Catch::Contains("resubmitted as 197119100000022 (review)"));
}

TEST_CASE("review UI: a lead clerk puts a bundle on legal hold and releases it, audited",
          "[review][retention]") {
  ReviewSpool s(1);
  s.add_clerk("aigerim", "lead", "kupia-soz-1");
  review::set_user(s.config.users_file, "bolat", "clerk", "kupia-soz-2");
  UiClient c(s);
  REQUIRE(c.login("aigerim", "kupia-soz-1").status == 303);
  const auto page = c.send("GET", "/review/b/review-1");
  REQUIRE(page.status == 200);
  CHECK_THAT(page.body, Catch::Contains("id=\"hold-form\""));
  const auto at = page.body.find("name=\"csrf\" value=\"");
  REQUIRE(at != std::string::npos);
  const std::size_t from = at + std::string("name=\"csrf\" value=\"").size();
  const std::string csrf = page.body.substr(from, page.body.find('"', from) - from);
  // Without the form's token: refused, nothing changes.
  CHECK(c.send("POST", "/review/hold/review-1", "on=1").status == 403);
  CHECK_FALSE(s.registry->legal_hold("review-1"));
  auto r = c.send("POST", "/review/hold/review-1",
                  "csrf=" + csrf + "&on=1&note=court+order&back=/review/b/review-1");
  CHECK(r.status == 303);
  CHECK(s.registry->legal_hold("review-1"));
  CHECK_THAT(c.send("GET", "/review/b/review-1").body, Catch::Contains("Снять удержание"));
  // A redirect never leaves the review UI.
  r = c.send("POST", "/review/hold/review-1", "csrf=" + csrf + "&on=0&back=https://evil.example/");
  CHECK(r.status == 303);
  bool to_review = false;
  for (const auto& [k, v] : r.headers) to_review = to_review || (k == "Location" && v == "/review");
  CHECK(to_review);
  CHECK_FALSE(s.registry->legal_hold("review-1"));
  std::vector<std::string> actions;
  for (const auto& a : s.registry->audit_trail("review-1"))
    if (a.actor == "aigerim") actions.push_back(a.action);
  CHECK(actions == std::vector<std::string>{"legal-hold", "legal-hold-release"});
  // A clerk may not.
  UiClient clerk(s);
  REQUIRE(clerk.login("bolat", "kupia-soz-2").status == 303);
  const auto cp = clerk.send("GET", "/review/b/review-1");
  CHECK_THAT(cp.body, !Catch::Contains("id=\"hold-form\""));
  const auto cat = cp.body.find("name=\"csrf\" value=\"");
  const std::size_t cfrom = cat + std::string("name=\"csrf\" value=\"").size();
  const std::string ccsrf = cp.body.substr(cfrom, cp.body.find('"', cfrom) - cfrom);
  CHECK(clerk.send("POST", "/review/hold/review-1", "csrf=" + ccsrf + "&on=1").status == 403);
  CHECK_FALSE(s.registry->legal_hold("review-1"));
}

TEST_CASE("review UI views: every label in the catalogue in kk and ru, every value escaped",
          "[review][ui]") {
  // The same keys in both languages.
  std::set<std::string> kk, ru;
  for (const auto& [k, v] : review::labels("kk").items()) kk.insert(k);
  for (const auto& [k, v] : review::labels("ru").items()) ru.insert(k);
  CHECK(kk == ru);
  // Every {{t.key}} a template uses is a label (none is left to the code).
  const std::regex label_use(R"(\{\{t\.([a-z_]+)\}\})");
  int uses = 0;
  for (const auto name : review::template_names()) {
    const std::string text(review::template_source(name));
    for (std::sregex_iterator it(text.begin(), text.end(), label_use), end; it != end; ++it) {
      ++uses;
      INFO(name << ": " << (*it)[1]);
      CHECK(kk.count((*it)[1]) == 1);
    }
  }
  CHECK(uses > 100);
  // Values are escaped; the language picks the labels.
  const std::string page = review::render(
      "message", {{"lang", "kk"}, {"heading", "<script>alert(1)</script>"}, {"text", "a\"b"}});
  CHECK_THAT(page, Catch::Contains("&lt;script&gt;alert(1)&lt;/script&gt;") &&
                       !Catch::Contains("<script>") && Catch::Contains("a&quot;b") &&
                       Catch::Contains("← кезекке"));
  CHECK_THROWS(review::render("no-such-template", json::object()));
  // Evidence in words: the catalogue's phrases, the rest key by key.
  CHECK(review::evidence_text({{"same_as", "a.pdf"}, {"sha256", std::string(64, 'a')}}, "ru") ==
        "совпадает с файлом «a.pdf»");
  CHECK(review::evidence_text({{"dpi", 150}, {"min_dpi", 200}, {"reads_clearly", true}}, "kk") ==
        "ажыратымдылығы 150 dpi; ең азы 200 dpi");
  CHECK(review::evidence_text({{"some_key", "x"}}, "ru") == "some key: x");
}

TEST_CASE("review queue: search ignores case in Kazakh and Russian, filters and sorts",
          "[review][ui]") {
  CHECK(review::fold_case("ӘБВ Ғалым ҚҰҮҢӨҺІ Title") == "әбв ғалым құүңөһі title");
  std::vector<review::ReviewItem> items(3);
  items[0].placed_as = "a";
  items[0].filer = "Ахметов Арман";
  items[0].age_hours = 1;
  items[0].reasons = {"DUPLICATE_FILE"};
  items[1].placed_as = "b";
  items[1].filer = "Сейітқали Әсем";
  items[1].age_hours = 30;
  items[1].court = "7110 Астана";
  items[2].placed_as = "c";
  items[2].filer = "Ахметова Дина";
  items[2].age_hours = 5;
  items[2].assignee = "dana";
  review::QueueFilter f;
  f.text = "АХМЕТОВ";
  auto out = review::apply_filter(items, f);
  REQUIRE(out.size() == 2);
  CHECK(out[0].placed_as == "c");  // oldest first
  f = {};
  f.text = "әсем";
  CHECK(review::apply_filter(items, f).size() == 1);
  f = {};
  f.code = "DUPLICATE_FILE";
  CHECK(review::apply_filter(items, f).at(0).placed_as == "a");
  f = {};
  f.mine = "dana";
  CHECK(review::apply_filter(items, f).at(0).placed_as == "c");
  f = {};
  f.sort = "bundle";
  out = review::apply_filter(items, f);
  CHECK((out[0].placed_as == "a" && out[2].placed_as == "c"));
}

TEST_CASE(
    "review UI: the queue page searches, counts and pages, and the bundle page knows its place",
    "[review][ui]") {
  ReviewSpool s(3);
  s.add_clerk("aigerim", "clerk", "kupia-soz-1");
  UiClient c(s);
  REQUIRE(c.login("aigerim", "kupia-soz-1").status == 303);
  auto page = c.send("GET", "/review");
  REQUIRE(page.status == 200);
  CHECK_THAT(page.body, Catch::Contains("DUPLICATE_FILE <b>3</b>"));
  CHECK_THAT(page.body, Catch::Contains("class=\"age-ok\""));
  page = c.send("GET", "/review?q=REVIEW-2");
  CHECK_THAT(page.body, Catch::Contains(">review-2</a>") && !Catch::Contains(">review-1</a>"));
  // The bundle page: its place in the filtered queue, the decision's next bundle.
  page = c.send("GET", "/review/b/review-2");
  REQUIRE(page.status == 200);
  CHECK_THAT(page.body, Catch::Contains("id=\"position\">2 из 3"));
  CHECK_THAT(page.body, Catch::Contains("name=\"next\" value=\"/review/b/review-3\""));
  // The reason the check found, ticked in advance; the finding in words with its evidence.
  CHECK_THAT(page.body, Catch::Contains("value=\"DUPLICATE_FILE\" checked"));
  CHECK_THAT(page.body, Catch::Contains("совпадает с файлом"));
  // A decision goes on to the next bundle and says what it did.
  const std::string csrf = UiClient::csrf_of(page.body);
  const auto r = c.send("POST", "/review/b/review-2/decide",
                        "csrf=" + csrf + "&action=register&next=%2Freview%2Fb%2Freview-3");
  CHECK(r.status == 303);
  CHECK(r.headers[0].second.rfind("/review/b/review-3?done=registered/", 0) == 0);
  // A clerk may not open the registry's figures.
  CHECK(c.send("GET", "/review/stats").status == 403);
}

TEST_CASE("review UI: the language is the clerk's, kept in the registry across logins",
          "[review][ui]") {
  ReviewSpool s(1);
  s.add_clerk("aigerim", "clerk", "kupia-soz-1");
  UiClient c(s);
  REQUIRE(c.login("aigerim", "kupia-soz-1").status == 303);
  CHECK_THAT(c.send("GET", "/review").body, Catch::Contains("<html lang=\"ru\">"));
  const std::string csrf = UiClient::csrf_of(c.send("GET", "/review").body);
  REQUIRE_FALSE(csrf.empty());
  CHECK(c.send("POST", "/review/lang", "csrf=" + csrf + "&lang=xx&back=/review").status == 400);
  CHECK(c.send("POST", "/review/lang", "lang=kk&back=/review").status == 403);  // no CSRF token
  CHECK(c.send("POST", "/review/lang", "csrf=" + csrf + "&lang=kk&back=/review").status == 303);
  CHECK(s.registry->preference("aigerim", "language") == "kk");
  UiClient other(s);  // another browser, another day
  REQUIRE(other.login("aigerim", "kupia-soz-1").status == 303);
  const std::string kk = other.send("GET", "/review").body;
  CHECK_THAT(kk, Catch::Contains("<html lang=\"kk\">") && Catch::Contains("Қарауға кезек"));
}

TEST_CASE("review stats: the registry's numbers per day and court, reasons, clerks, times",
          "[review][ui]") {
  ReviewSpool s(3);
  auto d = s.decisions();
  REQUIRE(d.decide({"review-1", "register", "aigerim", {}, "", ""}).ok);
  REQUIRE(d.decide({"review-2", "reject", "bolat", {"FILE_CORRUPT"}, "", ""}).ok);
  const auto st = review::compute_stats(*s.registry, 7, "");
  CHECK(st.totals.received == 3);
  CHECK(st.totals.registered == 1);
  CHECK(st.totals.rejected == 1);
  CHECK(st.totals.review == 1);
  CHECK(st.reject_reasons == std::map<std::string, int>{{"FILE_CORRUPT", 1}});
  CHECK(st.review_reasons.at("DUPLICATE_FILE") == 3);  // what sent each to a clerk
  CHECK(st.clerks.at("aigerim").registered == 1);
  CHECK(st.clerks.at("bolat").rejected == 1);
  CHECK(st.by_clerks.minutes.size() == 2);
  CHECK(st.automatic.minutes.empty());
  // Per court: the filing's court, for unnumbered bundles too.
  int rows = 0;
  for (const auto& [key, row] : st.rows) {
    CHECK(key.second != "—");
    rows += row.received;
  }
  CHECK(rows == 3);
  CHECK(review::compute_stats(*s.registry, 7, "no-such-court").totals.received == 0);
  // The model: SVG bars for every day of the window.
  const json m = review::stats_model(st, "ru");
  CHECK(m["chart_days"]["bars"].size() == 7 * 3);
  CHECK(m["totals"]["decided"] == 2);
  CHECK(review::Durations{{1, 2, 3, 4, 100}}.median() == 3);
  CHECK(review::Durations{{1, 2, 3, 4, 100}}.p90() == Approx(61.6));
}

TEST_CASE("review queue index: a bundle leaving or entering review/ is seen at once",
          "[review][ui]") {
  ReviewSpool s(2);
  review::QueueIndex q(s.spool, *s.registry);
  REQUIRE(q.items().size() == 2);
  const fs::path away = s.t.path() / "away";
  fs::rename(s.spool.outcome_dir(Outcome::kReview) / "review-2", away);
  CHECK(q.items().size() == 1);
  fs::rename(away, s.spool.outcome_dir(Outcome::kReview) / "review-2");
  const auto items = q.items();
  REQUIRE(items.size() == 2);
  // Assignments are read fresh on every call.
  s.registry->set_assignee("review-1", "dana");
  const auto again = q.items();
  CHECK(std::any_of(again.begin(), again.end(), [](const review::ReviewItem& i) {
    return i.placed_as == "review-1" && i.assignee == "dana";
  }));
}

TEST_CASE("bundle page model: finding → document and page, region marked, signature card lines",
          "[review][ui]") {
  ReviewSpool s(0);
  auto d = s.decisions();
  const json shown = {
      {"bundle", "b1"},
      {"filing",
       {{"court", "Астана"},
        {"court_code", "7110"},
        {"kind", "claim"},
        {"filer", "Ахметов Арман"},
        {"filer_id", "900101300126"},
        {"titles", {{"scan.pdf", "Шарттың көшірмесі"}}}}},
      {"report",
       {{"documents", json::array({{{"file", "claim.pdf"}, {"format", "pdf"}, {"pages", 1}},
                                   {{"file", "scan.pdf"}, {"format", "pdf"}, {"pages", 3}},
                                   {{"file", "letter.docx"}, {"format", "docx"}, {"pages", 1}}})},
        {"findings",
         json::array(
             {{{"code", "REVOCATION_UNKNOWN"},
               {"severity", "review"},
               {"file", nullptr},
               {"page", nullptr},
               {"detail", json::object()},
               {"message", {{"kk", "CRL kk"}, {"ru", "CRL ru"}}}},
              {{"code", "SCAN_RESOLUTION_LOW"},
               {"severity", "review"},
               {"file", "scan.pdf"},
               {"page", 2},
               {"detail",
                {{"dpi", 150}, {"region", {{"x", 0.1}, {"y", 0.2}, {"w", 0.5}, {"h", 0.25}}}}},
               {"message", {{"kk", "скан kk"}, {"ru", "скан ru"}}}}})},
        {"signature",
         {{"signer_name", "АХМЕТОВ АРМАН"},
          {"iin", "900101300126"},
          {"certificate_serial", "100d"},
          {"valid_from", "2025-01-01T00:00:00Z"},
          {"valid_to", "2026-01-01T00:00:00Z"},
          {"validation_time", "2025-10-16T10:46:00Z"},
          {"chain", json::array({"CN=A", "CN=ROOT,O=x"})},
          {"crl_used", json::array()}}}}},
      {"audit", json::array()},
      {"transitions", json::array()}};
  review::BundleView v;
  v.lang = "ru";
  v.placed = "b1";
  v.context = "q=x";
  // No finding chosen: the first that names a file, its document and page.
  json m = review::bundle_model(shown, v, s.rules, d);
  CHECK(m["findings"][1]["selected"] == true);
  CHECK(m["doc"]["index"] == 1);
  CHECK(m["doc"]["page"] == 2);
  CHECK(m["doc"]["page_src"] == "/review/b/b1/preview/1/2?dpi=80");
  REQUIRE(m["doc"]["marks"].size() == 1);
  CHECK(m["doc"]["marks"][0]["x"].get<double>() == Approx(10));
  CHECK(m["doc"]["marks"][0]["h"].get<double>() == Approx(25));
  CHECK(m["doc"]["thumbs"].size() == 3);
  CHECK(m["findings"][1]["href"] == "/review/b/b1?f=1&doc=1&page=2&q=x");
  // The evidence in words: the phrased keys only (the region is drawn, not told).
  CHECK(m["findings"][1]["evidence"] == "разрешение 150 dpi");
  // The reasons the check found, ticked: the scan's; not the CRL the court could not reach.
  REQUIRE(m["preselected"].size() == 1);
  CHECK(m["preselected"][0]["code"] == "SCAN_RESOLUTION_LOW");
  // The card: chain green, CRL red (REVOCATION_UNKNOWN, no CRL), validity green.
  REQUIRE(m["sig"]["checks"].size() == 3);
  CHECK(m["sig"]["checks"][0]["ok"] == true);
  CHECK(m["sig"]["checks"][1]["ok"] == false);
  CHECK(m["sig"]["checks"][2]["ok"] == true);
  CHECK(m["sig"]["iin"] == "900101300126");
  // Another page of the same document: no mark there; an office document: text, no images.
  v.page = 3;
  m = review::bundle_model(shown, v, s.rules, d);
  CHECK(m["doc"]["marks"].empty());
  v.doc = 2;
  v.page = 0;
  m = review::bundle_model(shown, v, s.rules, d);
  CHECK(m["doc"]["has_pages"] == false);
  CHECK(m["doc"]["no_preview"] == false);  // its text is shown instead
  // Out of range: the first document, the last page.
  v.doc = 99;
  v.page = 999;
  v.finding = 0;
  m = review::bundle_model(shown, v, s.rules, d);
  CHECK(m["doc"]["index"] == 0);
  CHECK(m["doc"]["page"] == 1);
}

TEST_CASE("bundle page model: a damaged report reads as empty, never as undefined",
          "[review][ui]") {
  ReviewSpool s(0);
  auto d = s.decisions();
  review::BundleView v;
  v.lang = "kk";
  v.placed = "b1";
  for (const json& report :
       {json{{"documents", {{"a", 1}}}, {"findings", {{"x", 1}}}},
        json{{"documents", json::array({1, "x", json::object()})},
             {"findings", json::array({{{"code", "TITLE_MISMATCH"}, {"severity", "review"}}})},
             {"signature", {{"signer_name", "A"}, {"chain", "not a list"}}}},
        json{{"documents", json::array({{{"file", "a.pdf"}, {"format", "pdf"}, {"pages", -5}}})},
             {"findings", json::array({{{"code", "X"}, {"file", "a.pdf"}, {"page", "two"}}})}}}) {
    const json shown = {{"bundle", "b1"},
                        {"report", report},
                        {"filing", {{"titles", json::object()}}},
                        {"audit", "nope"},
                        {"transitions", json::array({1})}};
    json m;
    REQUIRE_NOTHROW(m = review::bundle_model(shown, v, s.rules, d));
    CHECK(m["findings"].is_array());
    if (m["doc"].is_object()) CHECK(m["doc"]["pages"].get<int>() >= 1);
  }
}
