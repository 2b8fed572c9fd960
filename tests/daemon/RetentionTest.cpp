// Retention: a rejected bundle's files go after N days with every hash kept and the purge
// audited first; a bundle on legal hold and every registered bundle keep their files; a dry run
// changes nothing; registered bundles move to the archive when that is configured.
#include <catch2/catch.hpp>

#include "core/Report.hpp"
#include "registry/Registry.hpp"
#include "retention/Retention.hpp"
#include "rules/RuleSet.hpp"
#include "spool/Spool.hpp"
#include "support/PgServer.hpp"
#include "support/TestBundle.hpp"

using namespace sot;
using namespace sot::test;
using json = nlohmann::json;
namespace fs = std::filesystem;

namespace {

struct DecidedSpool {
  TempDir t;
  spool::Spool spool{t.path() / "spool"};
  // SQLite, or a fresh PostgreSQL database when the suite runs on it (SOT_TEST_REGISTRY).
  std::unique_ptr<registry::Registry> registry = open_test_registry(spool.root()).registry;
  rules::RuleSet rules = rules::shipped_rules();

  // A bundle decided now, placed in its outcome directory as the daemon leaves it.
  fs::path add(const std::string& id, bool rejected) {
    BundleBuilder b(id);
    if (rejected) {  // no state duty paid
      b.manifest["payment"]["receipt"] = nullptr;
      b.manifest["appendix"] = {"Шарттың көшірмесі"};
      b.documents.pop_back();
    }
    const fs::path staged = b.write(t.path());
    const json report = make_report(run_pipeline(staged), rules, 300);
    const Outcome o = rejected ? Outcome::kRejected : Outcome::kRegistered;
    REQUIRE(report["outcome"] == spool::directory_of(o));
    const fs::path dir = spool.outcome_dir(o) / id;
    fs::rename(staged, dir);
    spool.write_result_at(dir, "report.json", report.dump(2));
    registry->transition(id, "received", std::string("1971191") + std::to_string(id.size()));
    registry->record_outcome(id, id, spool::directory_of(o), report);
    return dir;
  }
};

SysSeconds days_from_now(int days) {
  return std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now()) +
         std::chrono::days(days);
}

}  // namespace

TEST_CASE("retention purges a rejected bundle's files after N days, keeping hashes and record",
          "[retention]") {
  DecidedSpool s;
  const fs::path old_rejected = s.add("rejected-1", true);
  const fs::path held = s.add("rejected-held", true);
  const fs::path registered = s.add("registered-1", false);
  retention::set_hold(*s.registry, "rejected-held", true, "cli:aigerim", "appeal pending");
  const retention::Policy policy{30, 0, {}};

  // Not yet due: nothing.
  CHECK(retention::run(s.spool, *s.registry, policy, days_from_now(29), false, "test").empty());
  // A dry run says what is due and changes nothing.
  auto actions = retention::run(s.spool, *s.registry, policy, days_from_now(31), true, "test");
  REQUIRE(actions.size() == 2);
  CHECK(fs::exists(old_rejected / "files" / "Талап арыз.pdf"));
  CHECK(s.registry->audit_trail("rejected-1").empty());

  const std::string claim_sha = sha256_hex(sample_pdf());
  actions = retention::run(s.spool, *s.registry, policy, days_from_now(31), false, "test");
  REQUIRE(actions.size() == 2);
  std::map<std::string, std::string> by_bundle;
  for (const auto& a : actions) by_bundle[a.bundle] = a.action;
  CHECK(by_bundle ==
        std::map<std::string, std::string>{{"rejected-1", "purge"}, {"rejected-held", "held"}});
  // The files are gone; manifest, result/ and every file's hash stay.
  CHECK(fs::is_empty(old_rejected / "files"));
  CHECK(fs::exists(old_rejected / "manifest.json"));
  CHECK(fs::exists(old_rejected / "result" / "report.json"));
  const json record = json::parse(read_file(old_rejected / "result" / "retention.json"));
  bool hashed = false;
  for (const auto& f : record["files"])
    hashed |= f["file"] == "Талап арыз.pdf" && f["sha256"] == claim_sha;
  CHECK(hashed);
  const auto trail = s.registry->audit_trail("rejected-1");
  REQUIRE(trail.size() == 1);
  CHECK(trail[0].action == "retention-purge");
  CHECK(trail[0].detail["files"].size() == 2);
  // Held and registered bundles keep everything.
  CHECK(fs::exists(held / "files" / "Талап арыз.pdf"));
  CHECK(fs::exists(registered / "files" / "Талап арыз.pdf"));
  // Done once: a second run finds nothing more to purge; a released hold is purged next.
  CHECK(retention::run(s.spool, *s.registry, policy, days_from_now(31), false, "test").size() == 1);
  retention::set_hold(*s.registry, "rejected-held", false, "cli:aigerim", "appeal decided");
  actions = retention::run(s.spool, *s.registry, policy, days_from_now(31), false, "test");
  REQUIRE(actions.size() == 1);
  CHECK(actions[0].action == "purge");
  CHECK(fs::is_empty(held / "files"));
}

TEST_CASE("retention moves old registered bundles to the archive, never purges them",
          "[retention]") {
  DecidedSpool s;
  const fs::path registered = s.add("registered-1", false);
  const fs::path archive = s.t.path() / "spool" / "archive";
  const retention::Policy policy{30, 90, archive};
  CHECK(retention::run(s.spool, *s.registry, policy, days_from_now(60), false, "test").empty());
  const auto actions = retention::run(s.spool, *s.registry, policy, days_from_now(91), false, "t");
  REQUIRE(actions.size() == 1);
  CHECK(actions[0].action == "archive");
  CHECK_FALSE(fs::exists(registered));
  CHECK(fs::exists(archive / "registered-1" / "files" / "Талап арыз.pdf"));
  CHECK(s.registry->audit_trail("registered-1").at(0).action == "retention-archive");
}
