// sot-bench-preflight: pre-flight answers (spec §6) through the daemon's HTTP endpoint, as
// the portal's back end sees them, with the real queue idle and with it busy.
//
//   sot-bench-preflight [--runs N] [--backlog N] [--workers N]
//
// Drafts are made from the generated samples (their manifests without sha256/bytes, no
// signature): "text" drafts (text PDFs, DOCX, XLSX) and "scan" drafts (JPEG and scanned-PDF
// pages that are OCR'd). Each kind is posted N times one after another (wait=60), end to end
// latency measured (a 202 is followed to the result). Then the same while a backlog of real
// bundles (the sample mix cycled) drains: pre-flight latency, and the real queue's drain rate
// beside the drain rate of the same backlog without pre-flights.
#include <unistd.h>

#include <chrono>
#include <iostream>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "BenchUtil.hpp"
#include "support/HttpClient.hpp"
#include "support/TarBuilder.hpp"

namespace fs = std::filesystem;
using nlohmann::json;
using Clock = std::chrono::steady_clock;
using namespace sot::bench;

namespace {

const std::string kToken = "bench-token-5b0d7e3f9a1c2468";

// Drafts of samples whose every page is text, or that hold OCR'd scans.
const std::vector<std::string> kText = {"clean-claim-individual", "clean-claim-legal-entity",
                                        "clean-letter",
                                        "authority-representative-with-power-of-attorney"};
const std::vector<std::string> kScan = {"clean-appeal-exempt", "scan-resolution-low-readable"};

std::string draft_of(const fs::path& samples, const std::string& id, const fs::path& scratch) {
  const fs::path dir = scratch / id;
  fs::create_directories(scratch);
  fs::remove_all(dir);
  fs::copy(samples / "bundles" / id, dir, fs::copy_options::recursive);
  fs::remove(dir / "manifest.json.p7s");
  return sot::test::draft_tar(dir);
}

// One pre-flight, end to end: milliseconds until the result, or -1.
double preflight_ms(int port, const std::string& tar, std::string* would_be) {
  const auto t0 = Clock::now();
  auto r = sot::test::http_request(port, "POST", "/api/preflight?wait=60", tar,
                                   {{"Authorization", "Bearer " + kToken}});
  if (r.status == 202 || r.status == 0) {
    const std::string location =
        r.headers.count("location") ? r.headers.at("location") : std::string();
    for (int i = 0; i < 1200 && !location.empty(); ++i) {
      r = sot::test::http_request(port, "GET", location, "",
                                  {{"Authorization", "Bearer " + kToken}});
      if (r.status == 200) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  if (r.status != 200) return -1;
  *would_be = json::parse(r.body).value("would_be", "?");
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

struct Series {
  std::vector<double> ms;
  std::map<std::string, int> would_be;
};

Series run_kind(int port, const std::vector<std::string>& tars, int runs) {
  Series s;
  for (int i = 0; i < runs; ++i) {
    std::string w;
    const double ms = preflight_ms(port, tars[static_cast<std::size_t>(i) % tars.size()], &w);
    if (ms >= 0) s.ms.push_back(ms);
    ++s.would_be[w];
  }
  return s;
}

void print(const std::string& label, const Series& s) {
  std::cout << "  " << label << ": " << s.ms.size() << " answers, p50 " << percentile(s.ms, 0.5)
            << " ms, p90 " << percentile(s.ms, 0.9) << " ms (would_be:";
  for (const auto& [w, n] : s.would_be) std::cout << " " << w << " " << n;
  std::cout << ")\n";
}

int wait_port(const fs::path& log) {
  for (int i = 0; i < 200; ++i) {
    const std::string text = slurp(log);
    const auto at = text.find("on 127.0.0.1:");
    if (at != std::string::npos) return std::atoi(text.c_str() + at + 13);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  int runs = 20, backlog = 200;
  unsigned workers = std::max(1u, std::thread::hardware_concurrency());
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i], v = argv[i + 1];
    if (a == "--runs")
      runs = std::stoi(v);
    else if (a == "--backlog")
      backlog = std::stoi(v);
    else if (a == "--workers")
      workers = static_cast<unsigned>(std::stoul(v));
    else {
      std::cerr << "usage: sot-bench-preflight [--runs N] [--backlog N] [--workers N]\n";
      return 2;
    }
  }
  const fs::path work =
      fs::temp_directory_path() / ("sot-bench-preflight-" + std::to_string(::getpid()));
  fs::create_directories(work);
  if (run_quiet({SOT_SAMPLES_BIN, (work / "samples").string()}) != 0) {
    std::cerr << "sot-samples failed\n";
    return 1;
  }
  std::vector<std::string> text, scan;
  for (const auto& id : kText) text.push_back(draft_of(work / "samples", id, work / "scratch"));
  for (const auto& id : kScan) scan.push_back(draft_of(work / "samples", id, work / "scratch"));
  std::vector<std::string> mix;
  for (const auto& e : fs::directory_iterator(work / "samples" / "bundles"))
    if (e.path().filename().string().rfind("size-", 0) != 0) mix.push_back(e.path().filename());
  std::sort(mix.begin(), mix.end());

  const fs::path config = work / "sot-intake.toml";
  {
    std::ofstream c(config);
    const fs::path pki = work / "samples" / "pki";
    c << "[signature]\ntrust_dir = \"" << (pki / "trust").string() << "\"\nintermediates_dir = \""
      << (pki / "intermediates").string() << "\"\ncrl_dir = \"" << (pki / "crl").string()
      << "\"\n[http]\nlisten = \"127.0.0.1:0\"\n[preflight]\ntoken = \"" << kToken
      << "\"\nwork_dir = \"" << (work / "preflight").string()
      << "\"\nrate_per_minute = 100000\nmax_queued = 1000\n";
  }
  auto start = [&](const std::string& name) {
    const fs::path spool = work / name;
    const fs::path log = work / (name + ".log");
    const int pid = spawn({SOT_INTAKED_BIN, "--config", config.string(), "--spool", spool.string(),
                           "--workers", std::to_string(workers)},
                          log);
    return std::tuple{pid, wait_port(log), spool};
  };
  auto fill = [&](const fs::path& spool) {
    for (int i = 0; i < 200 && !fs::is_directory(spool / "tmp"); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    for (int i = 0; i < backlog; ++i) {
      const std::string& name = mix[static_cast<std::size_t>(i) % mix.size()];
      deliver(spool, work / "samples" / "bundles" / name, std::to_string(100000 + i) + "-" + name);
    }
  };

  std::cout << "sot-bench-preflight: " << runs << " drafts of each kind, " << workers
            << " real-queue workers, pre-flight max_concurrent 1 (nice 10)\n";
  // The real queue alone: a backlog's drain rate.
  double alone_rate = 0;
  {
    auto [pid, port, spool] = start("spool-alone");
    (void)port;
    const auto t0 = Clock::now();
    fill(spool);
    while (decided(spool) < backlog) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    alone_rate = backlog / std::chrono::duration<double>(Clock::now() - t0).count();
    stop_daemon(pid);
  }
  {
    auto [pid, port, spool] = start("spool-busy");
    if (!port) {
      std::cerr << "the daemon did not start its endpoint\n";
      return 1;
    }
    std::cout << "idle queue:\n";
    print("text drafts", run_kind(port, text, runs));
    print("scan drafts", run_kind(port, scan, runs));
    std::cout << "busy queue (a backlog of " << backlog << " real bundles draining):\n";
    const auto t0 = Clock::now();
    fill(spool);
    const Series busy_text = run_kind(port, text, runs);
    const Series busy_scan = run_kind(port, scan, runs);
    while (decided(spool) < backlog) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    const double busy_rate = backlog / std::chrono::duration<double>(Clock::now() - t0).count();
    print("text drafts", busy_text);
    print("scan drafts", busy_scan);
    std::cout << "real queue: " << alone_rate << " bundles/s alone, " << busy_rate
              << " bundles/s with the pre-flights above running\n";
    stop_daemon(pid);
  }
  fs::remove_all(work);
  return 0;
}
