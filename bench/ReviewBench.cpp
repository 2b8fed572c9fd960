// sot-bench-review: how fast the review UI answers a clerk when many bundles wait.
//
//   sot-bench-review [--bundles N] [--runs N] [--keep DIR]
//
// A spool with N bundles in review/ (default 10,000; each with the report, manifest and registry
// record the daemon leaves), a SQLite registry, one clerk; the real ReviewUi answers HTTP
// requests in-process (no sockets: the UI's own time). Measured, each `--runs` times (default
// 20), median and p95:
//   - the queue's first page, unfiltered;
//   - searches: a filer's name (case folded), a submission id, a reason, a court, a page deep
//     into the list, "mine";
//   - a bundle page with the search as its filter (its place among the found, prev/next);
// and once: the first request after start (the in-memory index built from review/), and the
// same list built the way the UI did before the index (every report read per request).
// The goal: a search under 200 ms with 10,000 bundles in review.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "BenchUtil.hpp"
#include "config/Config.hpp"
#include "core/Pipeline.hpp"
#include "registry/Registry.hpp"
#include "review/Decisions.hpp"
#include "review/ReviewUi.hpp"
#include "review/Users.hpp"
#include "spool/Spool.hpp"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using nlohmann::json;

namespace {

using sot::bench::median;

double ms_since(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

double p95(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[std::min(v.size() - 1, static_cast<std::size_t>(v.size() * 0.95))];
}

const char* kCodes[] = {"DUPLICATE_FILE",
                        "SCAN_RESOLUTION_LOW",
                        "TITLE_MISMATCH",
                        "READABILITY_DOUBTFUL",
                        "REVOCATION_UNKNOWN",
                        "DEADLINE_PASSED",
                        "FILE_NAME_NOT_DESCRIPTIVE",
                        "SIGNER_AUTHORITY"};
const char* kCourts[][2] = {{"7110", "Астана"},
                            {"7510", "Алматы"},
                            {"3910", "Қарағанды"},
                            {"5910", "Шымкент"},
                            {"2710", "Ақтөбе"}};
const char* kNames[] = {"Ахметов Арман", "Сейітқали Әсем",     "Иванова Мария", "Нұрланұлы Дәурен",
                        "Ким Виктор",    "Жақсылықова Гүлнар", "Петров Сергей", "Әбілқайыр Қанат"};

// One bundle as the daemon leaves it in review/: manifest, result/report.json, registry record.
void write_bundle(sot::spool::Spool& spool, sot::registry::Registry& reg, int i) {
  char name[32];
  std::snprintf(name, sizeof name, "b%06d", i);
  const fs::path dir = spool.outcome_dir(sot::Outcome::kReview) / name;
  fs::create_directories(dir / "result");
  const auto& court = kCourts[i % 5];
  const std::string submission = std::to_string(197100000000000LL + i);
  const json manifest = {
      {"format", "sot-intake/1"},
      {"submission_id", submission},
      {"kind", i % 7 == 0 ? "appeal" : "claim"},
      {"court", {{"code", court[0]}, {"region", court[1]}}},
      {"submitted_at", "2026-11-20T10:00:00+05:00"},
      {"filer", {{"kind", "individual"}, {"name", kNames[i % 8]}, {"iin", "900101300126"}}},
      {"documents", json::array({{{"file", "Талап арыз.pdf"}, {"title", "Талап арыз"}}})}};
  std::ofstream(dir / "manifest.json") << manifest.dump();
  const std::string code = kCodes[i % 8];
  const json report = {
      {"bundle", name},
      {"submission_id", submission},
      {"outcome", "review"},
      {"processed_at", "2026-11-20T05:00:01Z"},
      {"filing", {{"court", court[0]}, {"kind", "claim"}}},
      {"documents", json::array({{{"file", "Талап арыз.pdf"}, {"format", "pdf"}, {"pages", 2}}})},
      {"findings", json::array({{{"code", code},
                                 {"severity", "review"},
                                 {"file", "Талап арыз.pdf"},
                                 {"page", 1},
                                 {"detail", {{"dpi", 150}, {"min_dpi", 200}}},
                                 {"message", {{"kk", code}, {"ru", code}}}}})}};
  std::ofstream(dir / "result" / "report.json") << report.dump(2);
  reg.transition(name, "received", submission);
  reg.record_outcome(name, name, "review", report);
}

}  // namespace

int main(int argc, char** argv) {
  int bundles = 10000, runs = 20;
  std::string keep;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--bundles" && i + 1 < argc)
      bundles = std::stoi(argv[++i]);
    else if (a == "--runs" && i + 1 < argc)
      runs = std::stoi(argv[++i]);
    else if (a == "--keep" && i + 1 < argc)
      keep = argv[++i];
    else {
      std::cerr << "usage: sot-bench-review [--bundles N] [--runs N] [--keep DIR]\n";
      return 2;
    }
  }
  const fs::path root =
      keep.empty() ? fs::temp_directory_path() / ("sot-bench-review-" + std::to_string(::getpid()))
                   : fs::path(keep);
  fs::remove_all(root);
  fs::create_directories(root);
  sot::spool::Spool spool(root / "spool");
  auto reg = sot::registry::open_registry("", spool.root());

  const auto t_setup = Clock::now();
  for (int i = 0; i < bundles; ++i) write_bundle(spool, *reg, i);
  std::printf("sot-bench-review: %d bundles in review/ written in %.1f s\n", bundles,
              ms_since(t_setup) / 1000);

  sot::Config config = sot::shipped_config();
  config.spool_root = spool.root();
  config.users_file = root / "users";
  sot::review::set_user(config.users_file, "dana", "clerk", "dana-secret-password");
  const auto pipeline = sot::build_pipeline(config);
  sot::review::ReviewUi ui(spool, *reg,
                           {[&] { return config; }, [&] { return pipeline; }, std::string()});
  std::map<std::string, std::string> cookies;
  const auto send = [&](const std::string& method, const std::string& target,
                        const std::string& body = "") {
    sot::http::Request r;
    r.method = method;
    r.target = target;
    r.path = target.substr(0, target.find('?'));
    if (const auto q = target.find('?'); q != std::string::npos) {
      std::string rest = target.substr(q + 1);
      for (std::size_t at = 0; at <= rest.size();) {
        const auto amp = std::min(rest.find('&', at), rest.size());
        const std::string kv = rest.substr(at, amp - at);
        const auto eq = kv.find('=');
        if (eq != std::string::npos) r.query[kv.substr(0, eq)] = kv.substr(eq + 1);
        at = amp + 1;
      }
    }
    r.body = body;
    r.peer = "127.0.0.1";
    r.headers["host"] = "127.0.0.1:8470";
    std::string c;
    for (const auto& [k, v] : cookies) c += (c.empty() ? "" : "; ") + k + "=" + v;
    r.headers["cookie"] = c;
    auto out = ui.serve(r);
    for (const auto& [name, value] : out.headers)
      if (name == "Set-Cookie")
        cookies[value.substr(0, value.find('='))] =
            value.substr(value.find('=') + 1, value.find(';') - value.find('=') - 1);
    return out;
  };
  send("GET", "/review/login");
  if (send("POST", "/review/login",
           "csrf=" + cookies["sot_login"] + "&login=dana&password=dana-secret-password")
          .status != 303) {
    std::cerr << "sot-bench-review: cannot log in\n";
    return 1;
  }

  // Before the index: every report and manifest read on every request.
  {
    sot::review::Decisions d(spool, *reg, config, pipeline->rules());
    const auto t0 = Clock::now();
    const auto items = d.queue();
    std::printf("  before (every report read per request): %zu bundles listed in %.0f ms\n",
                items.size(), ms_since(t0));
  }
  const auto t_cold = Clock::now();
  const auto cold = send("GET", "/review");
  std::printf("  first request (index built from review/): %.0f ms, HTTP %d, %zu KB\n",
              ms_since(t_cold), cold.status, cold.body.size() / 1024);

  const std::vector<std::pair<std::string, std::string>> cases = {
      {"queue, first page", "/review"},
      {"search: filer name (other case)", "/review?q=%D0%90%D0%A5%D0%9C%D0%95%D0%A2%D0%9E%D0%92"},
      {"search: submission id", "/review?q=197100000004242"},
      {"filter: reason", "/review?code=TITLE_MISMATCH"},
      {"filter: court", "/review?court=7510"},
      {"page 150 of 200", "/review?page=150"},
      {"mine (none)", "/review?mine=1"},
      {"bundle page in a search", "/review/b/b004242?q=197100000004242"},
  };
  std::printf("  %-34s %10s %10s %8s\n", "request", "median ms", "p95 ms", "KB");
  double worst = 0;
  for (const auto& [label, target] : cases) {
    std::vector<double> t;
    std::size_t size = 0;
    int status = 0;
    for (int r = 0; r < runs; ++r) {
      const auto t0 = Clock::now();
      const auto out = send("GET", target);
      t.push_back(ms_since(t0));
      size = out.body.size();
      status = out.status;
    }
    if (status != 200) std::printf("  %s: HTTP %d\n", label.c_str(), status);
    worst = std::max(worst, median(t));
    std::printf("  %-34s %10.1f %10.1f %8zu\n", label.c_str(), median(t), p95(t), size / 1024);
  }
  std::printf("  slowest median %.1f ms (goal: a search under 200 ms with %d bundles in review)\n",
              worst, bundles);
  if (keep.empty()) fs::remove_all(root);
  return 0;
}
