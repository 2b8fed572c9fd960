// sot-bench-mix: `sot-intake check` against ../shared/bench/peer-check.sh on a generated
// realistic mix, both in the same run on the same bundles.
//
//   sot-bench-mix [--bundles N] [--seed S] [--jobs J] [--no-peer] [--keep DIR]
//                 [--also-rules FILE]...   (ours again under other rules, same peer run)
//
// The mix (`sot-samples DIR --mix N SEED`): about 40 % clean claims whose contract copy is a
// text PDF, a scanned PDF, a JPEG scan or a DOCX of 1 to 20 pages, the rest one defect each.
// Printed: bundles/s of each and their ratio (ours with J worker processes, default every
// core; the script is sequential, as written — so the CPU-seconds per bundle are printed too),
// verdicts as expected (outcome and the complete set of codes for ours; outcome for the
// script), CPU milliseconds per bundle by stage from the reports' stage_ms, OCR'd pages per
// bundle, milliseconds of the readability stage per OCR'd page, peak RSS of the largest
// process; the same ratio on the scan-heavy bundles alone (those with a page to OCR).
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "BenchUtil.hpp"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using Clock = std::chrono::steady_clock;
using namespace sot::bench;

struct Run {
  double seconds = 0;
  double cpu_seconds = 0;  // of the process and everything it waited for
  long peak_rss_mb = 0;    // the largest of them
};

double cpu_of(const rusage& ru) {
  return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
         static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

// Runs argv with stdout to `out` (stderr to `out`.err).
Run run_to(const std::vector<std::string>& argv, const fs::path& out) {
  const auto t0 = Clock::now();
  const pid_t pid = ::fork();
  if (pid == 0) {
    const int fd = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int err = ::open((out.string() + ".err").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(fd, 1);
    ::dup2(err, 2);
    std::vector<char*> a;
    for (const auto& s : argv) a.push_back(const_cast<char*>(s.c_str()));
    a.push_back(nullptr);
    ::execv(a[0], a.data());
    ::_exit(127);
  }
  int status = 0;
  rusage ru{};
  ::wait4(pid, &status, 0, &ru);
  Run r;
  r.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  r.cpu_seconds = cpu_of(ru);
  // The child's own figure covers what it waited for (the workers, the tools it ran).
  r.peak_rss_mb = ru.ru_maxrss / 1024;
  return r;
}

std::vector<json> lines_of(const fs::path& p) {
  std::vector<json> v;
  std::ifstream in(p);
  std::string line;
  while (std::getline(in, line)) {
    json j = json::parse(line, nullptr, false);
    if (j.is_object()) v.push_back(std::move(j));
  }
  return v;
}

std::string name_of(const json& report) {
  const std::string b = report.value("bundle", "");
  return fs::path(b).filename().string();
}

}  // namespace

int main(int argc, char** argv) {
  int bundles = 60;
  unsigned seed = 7;
  unsigned jobs = std::max(1u, std::thread::hardware_concurrency());
  bool peer = true;
  std::string keep;
  std::vector<std::string> also_rules;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    if (a == "--bundles")
      bundles = std::stoi(value());
    else if (a == "--seed")
      seed = static_cast<unsigned>(std::stoul(value()));
    else if (a == "--jobs")
      jobs = static_cast<unsigned>(std::stoul(value()));
    else if (a == "--no-peer")
      peer = false;
    else if (a == "--keep")
      keep = value();
    else if (a == "--also-rules")
      also_rules.push_back(value());
    else {
      std::fprintf(stderr,
                   "usage: sot-bench-mix [--bundles N] [--seed S] [--jobs J] [--no-peer] "
                   "[--keep DIR] [--also-rules FILE]...\n");
      return 2;
    }
  }
  const fs::path work =
      keep.empty() ? fs::temp_directory_path() / ("sot-bench-mix-" + std::to_string(::getpid()))
                   : fs::path(keep);
  fs::create_directories(work);
  if (run_quiet({SOT_SAMPLES_BIN, (work / "mix").string(), "--mix", std::to_string(bundles),
                 std::to_string(seed)}) != 0) {
    std::fprintf(stderr, "sot-samples --mix failed\n");
    return 1;
  }
  const fs::path mix = work / "mix";
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(mix / "bundles"))
    names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  std::map<std::string, json> expected;
  for (const auto& n : names) expected[n] = json::parse(slurp(mix / "expected" / (n + ".json")));

  // Configurations to run: the shipped rules, and each --also-rules file (its own config).
  std::vector<std::pair<std::string, fs::path>> configs = {{"shipped rules", mix / "config.toml"}};
  for (std::size_t i = 0; i < also_rules.size(); ++i) {
    // Beside the mix's config: its paths (the test PKI) are relative to the file.
    const fs::path cfg = mix / ("config-" + std::to_string(i) + ".toml");
    std::ofstream(cfg) << slurp(mix / "config.toml") << "\n[rules]\nfile = \""
                       << fs::absolute(also_rules[i]).string() << "\"\n";
    configs.emplace_back("rules " + also_rules[i], cfg);
  }
  auto ours = [&](const fs::path& config, const std::vector<std::string>& which,
                  const fs::path& out) {
    std::vector<std::string> args = {SOT_INTAKE_BIN,  "check",  "--config",
                                     config.string(), "--jobs", std::to_string(jobs)};
    for (const auto& n : which) args.push_back((mix / "bundles" / n).string());
    return run_to(args, out);
  };
  const double n = static_cast<double>(names.size());
  std::vector<std::string> scan, rest;
  struct Measured {
    std::string label;
    Run all, scan;
  };
  std::vector<Measured> measured;
  for (std::size_t c = 0; c < configs.size(); ++c) {
    const fs::path out = work / ("ours-" + std::to_string(c) + ".jsonl");
    const Run all = ours(configs[c].second, names, out);
    // What our reports say.
    int right = 0;
    std::map<std::string, double> stage_ms;
    int ocr_pages = 0;
    double readability_ms_ocr = 0;  // the readability stage of bundles with OCR'd pages
    std::vector<std::string> with_ocr, without;
    for (const auto& r : lines_of(out)) {
      const std::string b = name_of(r);
      if (!expected.count(b)) continue;
      std::set<std::string> codes;
      if (r.contains("findings"))
        for (const auto& f : r.at("findings")) codes.insert(f.value("code", ""));
      const json& e = expected[b];
      const std::set<std::string> want = e.value("codes", std::set<std::string>());
      if (r.value("outcome", "") == e.value("outcome", "") && codes == want) ++right;
      int pages = 0;
      if (r.contains("readability"))
        for (const auto& [file, list] : r.at("readability").items())
          for (const auto& p : list) pages += p.value("method", "") == "ocr";
      double readability_ms = 0;
      if (r.contains("stage_ms"))
        for (const auto& [stage, ms] : r.at("stage_ms").items()) {
          stage_ms[stage] += ms.get<double>();
          if (stage == "readability") readability_ms = ms.get<double>();
        }
      ocr_pages += pages;
      if (pages > 0) {
        with_ocr.push_back(b);
        readability_ms_ocr += readability_ms;
      } else {
        without.push_back(b);
      }
    }
    if (c == 0) {
      scan = with_ocr;
      rest = without;
      std::printf("realistic mix: %zu bundles (seed %u), %zu with pages to OCR\n", names.size(),
                  seed, scan.size());
    }
    const Run scan_run = ours(configs[c].second, scan, work / "ours-scan.jsonl");
    std::printf(
        "\n[%s] sot-intake check --jobs %u: %.1f s = %.2f bundles/s; %.0f ms CPU per "
        "bundle; verdicts as expected (outcome and every code) %d/%zu; peak RSS %ld MB\n",
        configs[c].first.c_str(), jobs, all.seconds, n / all.seconds, all.cpu_seconds * 1000 / n,
        right, names.size(), all.peak_rss_mb);
    std::printf("  CPU ms per bundle by stage (reports' stage_ms):");
    for (const auto& [stage, ms] : stage_ms)
      if (ms / n >= 0.05) std::printf(" %s %.1f", stage.c_str(), ms / n);
    std::printf(
        "\n  OCR'd pages per bundle: %.2f (%d pages); readability ms per OCR'd page: %.0f\n",
        ocr_pages / n, ocr_pages, ocr_pages ? readability_ms_ocr / ocr_pages : 0.0);
    measured.push_back({configs[c].first, all, scan_run});
  }
  std::fflush(stdout);
  if (!peer) {
    if (keep.empty()) fs::remove_all(work);
    return 0;
  }

  // The script, on the same bundles: the scan-heavy ones and the rest separately, so that
  // both ratios come from the same two runs.
  const fs::path trust = work / "peer-trust";
  fs::create_directories(trust);
  for (const char* d : {"trust", "intermediates"})
    for (const auto& e : fs::directory_iterator(mix / "pki" / d))
      fs::copy(e.path(), trust / e.path().filename(), fs::copy_options::overwrite_existing);
  auto script = [&](const std::vector<std::string>& which, const fs::path& out) {
    std::vector<std::string> args = {"/bin/bash",    PEER_CHECK, "--trust",
                                     trust.string(), "--crl",    (mix / "pki" / "crl").string()};
    for (const auto& b : which) args.push_back((mix / "bundles" / b).string());
    return which.empty() ? Run{} : run_to(args, out);
  };
  const Run peer_scan = script(scan, work / "peer-scan.jsonl");
  const Run peer_rest = script(rest, work / "peer-rest.jsonl");
  int peer_right = 0;
  for (const char* f : {"peer-scan.jsonl", "peer-rest.jsonl"})
    for (const auto& r : lines_of(work / f)) {
      const std::string b = name_of(r);
      peer_right += expected.count(b) && r.value("outcome", "") == expected[b].value("outcome", "");
    }
  const double peer_s = peer_scan.seconds + peer_rest.seconds;
  const double peer_cpu = peer_scan.cpu_seconds + peer_rest.cpu_seconds;
  std::printf(
      "\npeer-check.sh (sequential): %.1f s = %.2f bundles/s; %.0f ms CPU per bundle; outcomes "
      "as expected %d/%zu\n",
      peer_s, n / peer_s, peer_cpu * 1000 / n, peer_right, names.size());
  for (const auto& m : measured) {
    std::printf("[%s] throughput ratio sot-intake / peer-check.sh: %.1f×  (CPU-seconds %.1f×)\n",
                m.label.c_str(), peer_s / m.all.seconds, peer_cpu / m.all.cpu_seconds);
    if (!scan.empty())
      std::printf(
          "[%s]   scan-heavy bundles alone (%zu): ours %.1f s, peer-check.sh %.1f s: "
          "%.1f×  (CPU %.1f×)\n",
          m.label.c_str(), scan.size(), m.scan.seconds, peer_scan.seconds,
          peer_scan.seconds / m.scan.seconds, peer_scan.cpu_seconds / m.scan.cpu_seconds);
  }
  if (keep.empty()) fs::remove_all(work);
  return 0;
}
