// The operators' and clerks' commands through the real binary, on a spool the real daemon
// decided: status, review list/show/reject/register, reprocess (progress, summary, CSV/JSON,
// resume, --apply audited), users add.
#include <catch2/catch.hpp>

#include <signal.h>

#include "e2e/DaemonSupport.hpp"
#include "registry/Registry.hpp"
#include "support/Process.hpp"

using nlohmann::json;
using namespace sot::test;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

// A spool where the daemon decided one registered, one rejected and two review bundles.
struct DecidedSpool {
  TempDir t;
  fs::path spool = t.path() / "spool";
  DecidedSpool() {
    const int pid = start_daemon(spool, t.path() / "log");
    REQUIRE(wait_until([&] { return fs::is_directory(spool / "incoming"); }, 10s));
    for (const char* id : {"clean-letter", "scan-resolution-low", "duplicate-file"})
      deliver(spool, samples().bundle(id), id);
    deliver(spool, samples().bundle("duplicate-file"), "duplicate-file-2");
    REQUIRE(wait_until([&] { return decided(spool) == 4; }, 60s));
    ::kill(pid, SIGTERM);
    REQUIRE(wait_for(pid) == 0);
  }
  ProcessResult cli(std::vector<std::string> args) const {
    args.insert(args.begin(), {SOT_INTAKE_BIN});
    args.insert(args.end(), {"--config", samples().config().string(), "--spool", spool.string()});
    for (const auto& a : registry_args(spool)) args.push_back(a);  // PostgreSQL runs
    return run_process(args);
  }
};

std::vector<std::vector<std::string>> audit_rows(const fs::path& spool) {
  auto reg = sot::registry::open_registry(registry_url(spool), spool, true);
  std::vector<std::vector<std::string>> rows;
  for (const auto& e : reg->audit_trail(""))
    rows.push_back({e.actor, e.action, e.bundle,
                    e.detail.dump(-1, ' ', false, json::error_handler_t::replace)});
  return rows;
}

}  // namespace

TEST_CASE("sot-intake status tells the filer where the submission stands",
          "[cli][status][registry-cli]") {
  DecidedSpool s;
  auto r = s.cli({"status", samples().submission_id("scan-resolution-low")});
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("Қабылдаудан бас тартылды / Отказано в приёме"));
  CHECK_THAT(r.out, Catch::Contains("SCAN_RESOLUTION_LOW"));
  r = s.cli({"status", samples().submission_id("clean-letter"), "--json"});
  REQUIRE(r.exit_code == 0);
  const json j = json::parse(r.out);
  CHECK(j["status"] == "registered");
  CHECK(j["registration_number"].is_string());
  CHECK(j["status_text"]["kk"] == "Тіркелді");
  r = s.cli({"status", samples().submission_id("duplicate-file")});
  CHECK_THAT(r.out, Catch::Contains("(review)"));
  r = s.cli({"status", "000000000000000"});
  CHECK(r.exit_code == 3);
  CHECK_THAT(r.err, Catch::Contains("no submission"));
  CHECK(s.cli({"status"}).exit_code == 2);
}

TEST_CASE("sot-intake review: list, show, reject with a reason, register — audited",
          "[cli][review][registry-cli]") {
  DecidedSpool s;
  auto r = s.cli({"review", "list"});
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("duplicate-file ") && Catch::Contains("DUPLICATE_FILE") &&
                        Catch::Contains("2 in review"));
  r = s.cli({"review", "show", "duplicate-file", "--json"});
  REQUIRE(r.exit_code == 0);
  CHECK(json::parse(r.out)["report"]["findings"][0]["code"] == "DUPLICATE_FILE");
  CHECK(s.cli({"review", "show", "no-such"}).exit_code == 3);

  r = s.cli({"review", "reject", "duplicate-file", "--reason", "FILE_CORRUPT", "--file",
             "Шарттың түпнұсқасы.pdf", "--note", "Екі файл бірдей"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("rejected"));
  const fs::path res = s.spool / "rejected" / "duplicate-file" / "result";
  const json notice = json::parse(read_file(res / "notice.json"));
  CHECK(notice["reasons"][0]["code"] == "FILE_CORRUPT");
  CHECK(notice["reasons"][0]["note"] == "Екі файл бірдей");
  CHECK(read_file(res / "notice.pdf").rfind("%PDF-", 0) == 0);

  r = s.cli({"review", "register", "duplicate-file-2"});
  REQUIRE(r.exit_code == 0);
  CHECK(fs::exists(s.spool / "registered" / "duplicate-file-2" / "result" / "receipt.pdf"));
  CHECK(s.cli({"review", "register", "duplicate-file-2"}).exit_code == 3);  // decided already
  CHECK(s.cli({"review", "reject", "clean-letter", "--reason", "FILE_CORRUPT"}).exit_code == 3);

  const auto rows = audit_rows(s.spool);
  REQUIRE(rows.size() == 2);
  CHECK_THAT(rows[0][0], Catch::StartsWith("cli:"));
  CHECK(rows[0][1] == "reject");
  CHECK(rows[0][2] == "duplicate-file");
  CHECK_THAT(rows[0][3], Catch::Contains("FILE_CORRUPT"));
  CHECK(rows[1][1] == "register");
  check_registry(s.spool, 2);  // the daemon's one and the clerk's one: gap-free
}

TEST_CASE("sot-intake reprocess: progress, summary, changes listed, resumable, --apply audited",
          "[cli][reprocess][registry-cli]") {
  DecidedSpool s;
  // A rule change: a low scan resolution goes to a clerk instead of being refused.
  std::string rules = read_file(fs::path(SOT_SOURCE_DIR) / "rules" / "rules.toml");
  const std::string from = "[codes.SCAN_RESOLUTION_LOW]\nseverity = \"reject\"";
  REQUIRE(rules.find(from) != std::string::npos);
  rules.replace(rules.find(from), from.size(),
                "[codes.SCAN_RESOLUTION_LOW]\nseverity = \"review\"");
  write_file(s.t.path() / "rules.toml", rules);
  const fs::path config = write_config(
      s.t.path(), "[rules]\nfile = \"" + (s.t.path() / "rules.toml").string() + "\"\n");
  const auto run = [&](std::vector<std::string> extra) {
    std::vector<std::string> args = {SOT_INTAKE_BIN,  "reprocess", "--config",
                                     config.string(), "--spool",   s.spool.string(),
                                     "--progress",    "lines"};
    args.insert(args.end(), extra.begin(), extra.end());
    for (const auto& a : registry_args(s.spool)) args.push_back(a);
    return run_process(args);
  };

  auto r = run({"--outcome", "all", "--csv", (s.t.path() / "changes.csv").string(), "--json",
                (s.t.path() / "changes.json").string()});
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.err, Catch::Contains("reprocess: 4/4 100%") && Catch::Contains("bundles/s"));
  CHECK_THAT(r.out, Catch::Contains("rejected    → review"));
  CHECK_THAT(r.out, Catch::Contains("4 bundles, 1 would change outcome (nothing applied"));
  const json changes = json::parse(read_file(s.t.path() / "changes.json"));
  REQUIRE(changes.size() == 1);
  CHECK(changes[0]["bundle"] == "rejected/scan-resolution-low");
  CHECK(changes[0]["before"] == "rejected");
  CHECK(changes[0]["after"] == "review");
  CHECK_THAT(read_file(s.t.path() / "changes.csv"),
             Catch::StartsWith("bundle,submission_id,before,after") &&
                 Catch::Contains("rejected/scan-resolution-low"));
  CHECK(fs::is_directory(s.spool / "rejected" / "scan-resolution-low"));  // nothing moved

  // The same selection again: everything is already done (resumed from the state file).
  r = run({"--outcome", "all"});
  CHECK_THAT(r.err, Catch::Contains("resuming, 4 of 4 already done"));
  // A narrower selection, and --apply: the change is made and audited.
  r = run({"--outcome", "rejected", "--since", "2020-01-01", "--apply"});
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("applied: rejected/scan-resolution-low → review"));
  CHECK(fs::is_directory(s.spool / "review" / "scan-resolution-low"));
  CHECK_FALSE(fs::exists(s.spool / "rejected" / "scan-resolution-low"));
  const json report =
      json::parse(read_file(s.spool / "review" / "scan-resolution-low" / "result" / "report.json"));
  CHECK(report["outcome"] == "review");
  CHECK(report["reprocessed"]["before"] == "rejected");
  const auto rows = audit_rows(s.spool);
  REQUIRE(rows.size() == 1);
  CHECK(rows[0][1] == "reprocess-apply");
  CHECK_THAT(rows[0][3], Catch::Contains("\"before\":\"rejected\""));

  // A backlog directory; --apply is refused there (nothing there is a registry decision).
  CHECK(run({"--dir", samples().dir.path().string() + "/bundles", "--apply"}).exit_code == 2);
  CHECK(run({"--outcome", "sometimes"}).exit_code == 2);
}

TEST_CASE("sot-intake users add writes a PBKDF2 line — the password never appears", "[cli]") {
  TempDir t;
  const fs::path file = t.path() / "clerks.txt";
  const fs::path in = t.path() / "pw";
  write_file(in, "a long enough secret\n");
  const auto r = run_process({"/bin/sh", "-c",
                              std::string(SOT_INTAKE_BIN) +
                                  " users add aigerim --role lead "
                                  "--users-file " +
                                  file.string() + " < " + in.string()});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const std::string text = read_file(file);
  CHECK_THAT(text, Catch::StartsWith("aigerim:lead:pbkdf2-sha256:"));
  CHECK(text.find("secret") == std::string::npos);
}
