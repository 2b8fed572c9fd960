// sot-intaked for the people who run it: /healthz, /metrics and the filer status over HTTP,
// the configured registration number format, a full disk (ENOSPC on a result write; claims
// paused below the free-space floor), and a bundle written slowly under tmp/.
#include <catch2/catch.hpp>

#include <signal.h>
#include <unistd.h>

#include <functional>
#include <regex>
#include <set>
#include <thread>

#include "e2e/DaemonSupport.hpp"
#include "support/HttpClient.hpp"
#include "support/Process.hpp"

using nlohmann::json;
using namespace sot::test;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

TEST_CASE("/healthz, /metrics and the filer status over HTTP — numbers in the configured format",
          "[daemon][http]") {
  TempDir t;
  const fs::path spool = t.path() / "spool";
  const fs::path log = t.path() / "log";
  const fs::path config =
      write_config(t.path(),
                   "[registry]\nnumber_format = \"{court}/{yy}/{seq:03}\"\n[http]\nlisten = "
                   "\"127.0.0.1:0\"\n");
  const int pid = start_daemon_with(spool, log, {"--config", config.string(), "--workers", "2"});
  const int port = wait_for_http_port(log.string());
  REQUIRE(port > 0);
  const auto health = http_request(port, "GET", "/healthz");
  CHECK(health.status == 200);
  CHECK(json::parse(health.body)["status"] == "ok");

  for (const char* id : {"clean-letter", "scan-resolution-low", "duplicate-file"})
    deliver(spool, samples().bundle(id), id);
  const bool all = wait_until([&] { return decided(spool) == 3; }, 60s);
  const auto metrics = http_request(port, "GET", "/metrics");
  const auto rejected =
      http_request(port, "GET", "/api/status/" + samples().submission_id("scan-resolution-low"));
  const auto registered =
      http_request(port, "GET", "/api/status/" + samples().submission_id("clean-letter"));
  const auto review =
      http_request(port, "GET", "/api/status/" + samples().submission_id("duplicate-file"));
  const auto unknown = http_request(port, "GET", "/api/status/000000000000000");
  const auto nowhere = http_request(port, "GET", "/nowhere");
  // Read-only routes: other methods are 405, HEAD has no body.
  for (const char* method : {"PUT", "DELETE", "TRACE", "POST"}) {
    INFO(method);
    auto r = http_request(port, method, "/healthz");
    CHECK(r.status == 405);
    CHECK(r.headers["allow"] == "GET, HEAD");
  }
  const auto head = http_request(port, "HEAD", "/healthz");
  CHECK(head.status == 200);
  CHECK(head.body.empty());
  ::kill(pid, SIGTERM);
  CHECK(wait_for(pid) == 0);
  INFO(read_file(log));
  REQUIRE(all);

  CHECK(metrics.status == 200);
  CHECK_THAT(metrics.headers.at("content-type"), Catch::StartsWith("text/plain; version=0.0.4"));
  CHECK_THAT(metrics.body, Catch::Contains("sot_bundles_total{outcome=\"registered\"} 1"));
  CHECK_THAT(metrics.body, Catch::Contains("sot_bundles_total{outcome=\"rejected\"} 1"));
  CHECK_THAT(metrics.body, Catch::Contains("sot_bundles_total{outcome=\"review\"} 1"));
  CHECK_THAT(metrics.body, Catch::Contains("sot_findings_total{code=\"SCAN_RESOLUTION_LOW\"} 1"));
  CHECK_THAT(metrics.body,
             Catch::Contains("sot_stage_duration_seconds_count{stage=\"signature\"} 3"));
  CHECK_THAT(metrics.body, Catch::Contains("sot_bundle_latency_seconds_count 3"));
  CHECK_THAT(metrics.body, Catch::Contains("sot_queue_depth 0"));

  REQUIRE(rejected.status == 200);
  const json r = json::parse(rejected.body);
  CHECK(r["status"] == "rejected");
  CHECK(r["status_text"]["kk"] == "Қабылдаудан бас тартылды");
  REQUIRE(r["reasons"].size() >= 1);
  CHECK(r["reasons"][0]["code"] == "SCAN_RESOLUTION_LOW");
  CHECK_THAT(r["reasons"][0]["action"]["ru"].get<std::string>(), Catch::Contains("200"));

  REQUIRE(registered.status == 200);
  const json g = json::parse(registered.body);
  CHECK(g["status"] == "registered");
  CHECK(std::regex_match(g["registration_number"].get<std::string>(),
                         std::regex(R"(\d{4}/\d\d/001)")));
  const json report =
      json::parse(read_file(spool / "registered" / "clean-letter" / "result" / "report.json"));
  CHECK(report["registration_number"] == g["registration_number"]);
  // The arrival acknowledged with the SHA-256 of the manifest the filer signed.
  CHECK(g["manifest_sha256"] ==
        sha256_hex(read_file(samples().bundle("clean-letter") / "manifest.json")));

  CHECK(json::parse(review.body)["status"] == "review");
  CHECK(unknown.status == 404);
  CHECK(json::parse(unknown.body)["status"] == "unknown");
  CHECK(nowhere.status == 404);
}

TEST_CASE("ENOSPC while writing results: nothing lost, nothing rejected, resumes after",
          "[daemon][enospc]") {
  TempDir t;
  const fs::path spool = t.path() / "spool";
  const fs::path log = t.path() / "log";
  const fs::path full = t.path() / "disk-full";
  write_file(full, "");
  ::setenv("SOT_FAULT_ENOSPC", full.c_str(), 1);
  int pid = start_daemon(spool, log);
  ::unsetenv("SOT_FAULT_ENOSPC");
  REQUIRE(wait_until([&] { return fs::is_directory(spool / "incoming"); }, 10s));
  const std::vector<std::string> ids = {"clean-letter", "scan-resolution-low", "duplicate-file"};
  for (const auto& id : ids) deliver(spool, samples().bundle(id), id);
  // The first failed write stops the daemon (exit 1: restart and recover), never a rejection.
  CHECK(wait_for(pid) == 1);
  CHECK_THAT(read_file(log), Catch::Contains("No space left on device"));
  CHECK(decided(spool) == 0);
  CHECK(count_in(spool / "incoming") + count_in(spool / "active") == 3);
  for (const auto& e : fs::directory_iterator(spool / "active"))
    CHECK_FALSE(fs::exists(e.path() / "result" / "report.json"));

  // Space returns: the restarted daemon finishes every bundle as expected.
  fs::remove(full);
  pid = start_daemon(spool, log);
  const bool all = wait_until([&] { return decided(spool) == 3; }, 60s);
  ::kill(pid, SIGTERM);
  CHECK(wait_for(pid) == 0);
  INFO(read_file(log));
  REQUIRE(all);
  for (const auto& id : ids) {
    INFO(id);
    CHECK(fs::is_directory(spool / samples().expected.at(id)["outcome"].get<std::string>() / id));
  }
  check_registry(spool, 1);
}

TEST_CASE("below the free-space floor nothing is claimed — a reload with space resumes",
          "[daemon][enospc]") {
  TempDir t;
  const fs::path spool = t.path() / "spool";
  const fs::path log = t.path() / "log";
  // A floor no filesystem reaches: the daemon must wait, not fail.
  const fs::path config = write_config(t.path(),
                                       "[spool]\nmin_free_mb = 1073741824\n[http]\n"
                                       "listen = \"127.0.0.1:0\"\n");
  const int pid = start_daemon_with(spool, log, {"--config", config.string(), "--workers", "1"});
  const int port = wait_for_http_port(log.string());
  REQUIRE(port > 0);
  deliver(spool, samples().bundle("clean-letter"), "waits");
  std::this_thread::sleep_for(3s);
  CHECK(fs::is_directory(spool / "incoming" / "waits"));
  const auto health = http_request(port, "GET", "/healthz");
  CHECK(health.status == 503);
  CHECK(json::parse(health.body)["claiming"] == false);
  CHECK_THAT(http_request(port, "GET", "/metrics").body, Catch::Contains("sot_claiming 0"));
  // The operator frees space (here: lowers the floor) and reloads.
  write_config(t.path(), "[spool]\nmin_free_mb = 0\n[http]\nlisten = \"127.0.0.1:0\"\n");
  ::kill(pid, SIGHUP);
  const bool done = wait_until([&] { return decided(spool) == 1; }, 30s);
  ::kill(pid, SIGTERM);
  CHECK(wait_for(pid) == 0);
  const std::string text = read_file(log);
  INFO(text);
  REQUIRE(done);
  CHECK(fs::is_directory(spool / "registered" / "waits"));
  CHECK_THAT(text, Catch::Contains("claiming nothing new"));
  CHECK_THAT(text, Catch::Contains("claiming bundles again"));
}

TEST_CASE("a slowly written bundle is never read half-made", "[daemon]") {
  TempDir t;
  const fs::path spool = t.path() / "spool";
  const fs::path log = t.path() / "log";
  const int pid = start_daemon(spool, log, 1);
  REQUIRE(wait_until([&] { return fs::is_directory(spool / "incoming"); }, 10s));
  // The portal writes file by file under tmp/ for a few seconds while other bundles flow.
  const fs::path from = samples().bundle("clean-claim-individual");
  const fs::path staged = spool / "tmp" / "slow";
  fs::create_directories(staged / "files");
  int other = 0;
  for (const auto& e : fs::recursive_directory_iterator(from)) {
    if (!e.is_regular_file()) continue;
    const fs::path rel = fs::relative(e.path(), from);
    fs::create_directories((staged / rel).parent_path());
    const std::string data = read_file(e.path());
    // Half a file, a pause, the rest: a reader at any moment would see a torn bundle.
    write_file(staged / rel, data.substr(0, data.size() / 2));
    deliver(spool, samples().bundle("clean-letter"), "other-" + std::to_string(other++));
    std::this_thread::sleep_for(400ms);
    write_file(staged / rel, data);
  }
  REQUIRE(wait_until([&] { return decided(spool) == other; }, 60s));
  CHECK(fs::exists(staged / "manifest.json"));  // still where the portal left it, untouched
  fs::rename(staged, spool / "incoming" / "slow");
  const bool done = wait_until([&] { return decided(spool) == other + 1; }, 60s);
  ::kill(pid, SIGTERM);
  CHECK(wait_for(pid) == 0);
  INFO(read_file(log));
  REQUIRE(done);
  CHECK(fs::is_directory(spool / "registered" / "slow"));  // whole, and as clean as its source
}

TEST_CASE("a forged result/report.json in active/ at a restart is never taken for a decision",
          "[daemon][trust]") {
  TempDir t;
  const fs::path spool = t.path() / "spool";
  const fs::path log = t.path() / "log";
  // What an attacker hopes a restart (a deploy, a crash, a kill -9) finds: a bundle in active/
  // whose own result/report.json says "registered". The bundle must be rejected (150 dpi).
  const auto check = run_process({SOT_INTAKE_BIN, "check", "--config", samples().config().string(),
                                  samples().bundle("scan-resolution-low").string()});
  REQUIRE(check.exit_code == 0);
  json forged = json::parse(check.out);
  forged["outcome"] = "registered";
  forged["findings"] = json::array();
  forged["registration_number"] = "7110-2025-999999";
  fs::create_directories(spool / "active");
  fs::copy(samples().bundle("scan-resolution-low"), spool / "active" / "forged",
           fs::copy_options::recursive);
  fs::create_directories(spool / "active" / "forged" / "result");
  write_file(spool / "active" / "forged" / "result" / "report.json", forged.dump());
  const int pid = start_daemon(spool, log, 1);
  const bool done = wait_until([&] { return decided(spool) == 1; }, 30s);
  ::kill(pid, SIGTERM);
  CHECK(wait_for(pid) == 0);
  INFO(read_file(log));
  REQUIRE(done);
  CHECK(fs::is_empty(spool / "registered"));
  const fs::path res = spool / "rejected" / "forged" / "result";
  const json report = json::parse(read_file(res / "report.json"));
  std::set<std::string> codes;
  for (const auto& f : report["findings"]) codes.insert(f["code"].get<std::string>());
  // Checked from scratch: its own defect, and the entry that is not part of a bundle.
  CHECK(codes ==
        std::set<std::string>{"BUNDLE_MALFORMED", "READABILITY_DOUBTFUL", "SCAN_RESOLUTION_LOW"});
  CHECK(report["registration_number"].is_null());
  CHECK(read_file(res / "notice.pdf").rfind("%PDF-", 0) == 0);
  // The forged report is kept as evidence, outside the bundle.
  int kept = 0;
  for (const auto& e : fs::recursive_directory_iterator(spool / "set-aside"))
    if (e.path().filename() == "report.json" && read_file(e.path()) == forged.dump()) ++kept;
  CHECK(kept == 1);
  CHECK_THAT(read_file(log), Catch::Contains("processing again"));
}

TEST_CASE("result/ brought by a bundle — a link, a file, a directory — is never written through",
          "[daemon][trust]") {
  TempDir t;
  const fs::path spool = t.path() / "spool";
  const fs::path log = t.path() / "log";
  const fs::path victim = t.path() / "victim";  // where a link would send the daemon's writes
  fs::create_directories(victim);
  fs::create_directories(spool / "tmp");
  fs::create_directories(spool / "incoming");
  auto stage = [&](const std::string& id, const std::function<void(const fs::path&)>& add) {
    const fs::path staged = t.path() / "staged" / id;
    fs::create_directories(staged.parent_path());
    fs::copy(samples().bundle("clean-letter"), staged, fs::copy_options::recursive);
    add(staged);
    deliver(spool, staged, id);
  };
  stage("result-link",
        [&](const fs::path& b) { fs::create_directory_symlink(victim, b / "result"); });
  stage("result-file",
        [&](const fs::path& b) { write_file(b / "result", "{\"outcome\":\"registered\"}"); });
  stage("result-dir", [&](const fs::path& b) {
    fs::create_directories(b / "result");
    write_file(b / "result" / "report.json", "{\"outcome\":\"registered\"}");
  });
  stage("extra-file", [&](const fs::path& b) { write_file(b / "README.txt", "hello"); });
  const int pid = start_daemon(spool, log, 1);
  const bool done = wait_until([&] { return decided(spool) == 4; }, 60s);
  ::kill(pid, SIGTERM);
  CHECK(wait_for(pid) == 0);
  INFO(read_file(log));
  REQUIRE(done);
  CHECK(fs::is_empty(victim));  // nothing written where the link pointed
  CHECK(fs::is_empty(spool / "registered"));
  for (const char* id : {"result-link", "result-file", "result-dir", "extra-file"}) {
    INFO(id);
    const fs::path b = spool / "rejected" / id;
    REQUIRE(fs::is_directory(b));
    CHECK_FALSE(fs::is_symlink(b / "result"));
    CHECK(fs::is_directory(b / "result"));
    const json report = json::parse(read_file(b / "result" / "report.json"));
    std::set<std::string> codes;
    for (const auto& f : report["findings"]) codes.insert(f["code"].get<std::string>());
    CHECK(codes == std::set<std::string>{"BUNDLE_MALFORMED"});
    CHECK(report["outcome"] == "rejected");
    // Only the bundle's own entries and the daemon's result/ remain.
    std::set<std::string> top;
    for (const auto& e : fs::directory_iterator(b)) top.insert(e.path().filename().string());
    CHECK(top == std::set<std::string>{"files", "manifest.json", "manifest.json.p7s", "result"});
  }
  std::size_t kept = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(spool / "set-aside")) ++kept;
  CHECK(kept == 4);
}

TEST_CASE("a resubmission is checked against the registry and shown as a chain",
          "[daemon][resubmission]") {
  TempDir t;
  const fs::path spool = t.path() / "spool";
  const fs::path log = t.path() / "log";
  // BundleBuilder signs with the unit tests' PKI.
  const fs::path config = t.path() / "sot-intake.toml";
  write_file(config, "[signature]\ntrust_dir = \"" + (test_pki_dir() / "trust").string() +
                         "\"\nintermediates_dir = \"" +
                         (test_pki_dir() / "intermediates").string() + "\"\ncrl_dir = \"" +
                         (test_pki_dir() / "crl").string() +
                         "\"\n[http]\nlisten = \"127.0.0.1:0\"\n");
  const int pid = start_daemon_with(spool, log, {"--config", config.string(), "--workers", "1"});
  const int port = wait_for_http_port(log.string());
  REQUIRE(port > 0);
  auto deliver_and_wait = [&](const BundleBuilder& b) {
    TempDir src;
    const int before = decided(spool);
    deliver(spool, b.write(src.path()), b.id());
    return wait_until([&] { return decided(spool) == before + 1; }, 60s);
  };
  // The original: no state duty paid → rejected (PAYMENT_MISSING).
  BundleBuilder original("original");
  original.manifest["submission_id"] = "197119100000011";
  original.manifest["payment"]["receipt"] = nullptr;
  original.manifest["appendix"] = {"Шарттың көшірмесі"};
  original.documents.pop_back();
  REQUIRE(deliver_and_wait(original));
  // The cure: the same filer, the same claim, now with the receipt.
  BundleBuilder cure("cure");
  cure.manifest["submission_id"] = "197119100000012";
  cure.manifest["resubmission_of"] = "197119100000011";
  REQUIRE(deliver_and_wait(cure));
  // Naming a registered filing is not a resubmission.
  BundleBuilder again("again");
  again.manifest["submission_id"] = "197119100000013";
  again.manifest["resubmission_of"] = "197119100000012";
  REQUIRE(deliver_and_wait(again));
  const auto status_original = http_request(port, "GET", "/api/status/197119100000011");
  const auto status_cure = http_request(port, "GET", "/api/status/197119100000012");
  ::kill(pid, SIGTERM);
  CHECK(wait_for(pid) == 0);
  INFO(read_file(log));

  const json r1 =
      json::parse(read_file(spool / "rejected" / "original" / "result" / "report.json"));
  CHECK(r1["findings"].size() == 1);
  CHECK(r1["findings"][0]["code"] == "PAYMENT_MISSING");

  REQUIRE(fs::is_directory(spool / "registered" / "cure"));
  const json r2 = json::parse(read_file(spool / "registered" / "cure" / "result" / "report.json"));
  CHECK(r2["findings"].empty());
  CHECK(r2["resubmission"]["valid"] == true);
  CHECK(r2["resubmission"]["status"] == "rejected");
  CHECK(r2["resubmission"]["bundle"] == "original");
  CHECK(r2["resubmission"]["reasons_gone"] ==
        json::parse(R"([{"code":"PAYMENT_MISSING","file":null}])"));
  CHECK(r2["resubmission"]["reasons_remaining"].empty());
  CHECK(r2["resubmission"]["within_cure_window"] == true);
  CHECK(r2["resubmission"]["deadline_counted_from"] == "2025-10-16T15:46:00+05:00");

  REQUIRE(fs::is_directory(spool / "review" / "again"));
  const json r3 = json::parse(read_file(spool / "review" / "again" / "result" / "report.json"));
  REQUIRE(r3["findings"].size() == 1);
  CHECK(r3["findings"][0]["code"] == "RESUBMISSION_INVALID");
  CHECK(r3["findings"][0]["detail"]["reason"] == "registered");

  REQUIRE(status_original.status == 200);
  const json s1 = json::parse(status_original.body);
  CHECK(s1["status"] == "rejected");
  REQUIRE(s1["resubmission"]["resubmitted_as"].size() == 1);
  CHECK(s1["resubmission"]["resubmitted_as"][0]["submission_id"] == "197119100000012");
  CHECK(s1["resubmission"]["resubmitted_as"][0]["status"] == "registered");
  const json s2 = json::parse(status_cure.body);
  CHECK(s2["status"] == "registered");
  CHECK(s2["resubmission"]["resubmission_of"]["submission_id"] == "197119100000011");
  CHECK(s2["resubmission"]["resubmission_of"]["reasons_gone"][0]["code"] == "PAYMENT_MISSING");
  CHECK(s2["resubmission"]["resubmitted_as"][0]["submission_id"] == "197119100000013");
}

TEST_CASE("the daemon signs receipts and notices — sot-intake verify-receipt checks them",
          "[daemon][signed]") {
  TempDir t;
  const fs::path spool = t.path() / "spool";
  const fs::path log = t.path() / "log";
  const fs::path key = t.path() / "court.key", cert = t.path() / "court.pem";
  REQUIRE(run_process({"/usr/bin/openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                       "ec_paramgen_curve:P-256", "-nodes", "-subj", "/CN=Astana city court",
                       "-days", "30", "-keyout", key.string(), "-out", cert.string()})
              .exit_code == 0);
  const fs::path config =
      write_config(t.path(), "[outcome]\nsigning_key = \"" + key.string() +
                                 "\"\nsigning_cert = \"" + cert.string() + "\"\n");
  const int pid = start_daemon_with(spool, log, {"--config", config.string(), "--workers", "1"});
  REQUIRE(wait_until([&] { return fs::is_directory(spool / "incoming"); }, 10s));
  for (const char* id : {"clean-letter", "scan-resolution-low"})
    deliver(spool, samples().bundle(id), id);
  const bool all = wait_until([&] { return decided(spool) == 2; }, 60s);
  ::kill(pid, SIGTERM);
  CHECK(wait_for(pid) == 0);
  INFO(read_file(log));
  REQUIRE(all);
  const fs::path registered = spool / "registered" / "clean-letter";
  const fs::path rejected = spool / "rejected" / "scan-resolution-low";
  CHECK(fs::exists(registered / "result" / "receipt.json.p7s"));
  CHECK(fs::exists(rejected / "result" / "notice.pdf.p7s"));
  auto verify = [&](const fs::path& dir) {
    return run_process({SOT_INTAKE_BIN, "verify-receipt", dir.string(), "--trust", cert.string()});
  };
  auto r = verify(registered);
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("ok      receipt.json"));
  CHECK_THAT(r.out, Catch::Contains("ok      receipt.pdf"));
  r = verify(rejected);
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("ok      notice.json"));
  // A receipt changed after the court signed it.
  std::string receipt = read_file(registered / "result" / "receipt.json");
  receipt.replace(receipt.find("clean-letter"), 12, "forged-lette");
  write_file(registered / "result" / "receipt.json", receipt);
  r = verify(registered);
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.out, Catch::Contains("FAILED  receipt.json"));
  CHECK_THAT(r.out, Catch::Contains("ok      receipt.pdf"));
}
