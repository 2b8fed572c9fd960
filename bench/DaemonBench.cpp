// sot-bench-daemon: the whole service against ../shared/bench/peer-check.sh, in one run, on
// the same generated bundles.
//
//   sot-bench-daemon [--backlog N] [--steady N] [--peer N] [--workers LIST] [--keep DIR]
//
// For each worker count (default: 1 and all cores):
//   backlog  N bundles (default 1000, the sample mix cycled) waiting in incoming/ when the
//            daemon starts: time to drain, bundles/s, peak RSS of the daemon and its workers;
//   steady   bundles delivered one by one at ~70 % of the drained rate (default 200):
//            throughput and arrival-to-outcome latency p50 / p99 (arrival = the rename into
//            incoming/, outcome = the rename into registered/ rejected/ review/, both seen
//            with inotify).
// Then peer-check.sh over the mix (each sample once, or the first --peer N): bundles/s, and
// for both the share of verdicts equal to the samples' expected outcomes.
#include <fcntl.h>
#include <signal.h>
#include <sys/inotify.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "BenchUtil.hpp"

namespace fs = std::filesystem;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {

using sot::bench::decided;
using sot::bench::deliver;
using sot::bench::percentile;
using sot::bench::slurp;
using sot::bench::spawn;
using sot::bench::stop_daemon;

long rss_kb(int pid, const char* field) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind(field, 0) == 0) return std::atol(line.c_str() + std::strlen(field));
  return 0;
}

std::vector<int> children_of(int parent) {
  std::vector<int> out;
  for (const auto& e : fs::directory_iterator("/proc")) {
    const std::string name = e.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream in(e.path() / "stat");
    std::string stat;
    std::getline(in, stat);
    const auto close = stat.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream rest(stat.substr(close + 2));
    char state;
    int ppid = 0;
    rest >> state >> ppid;
    if (ppid == parent) out.push_back(std::stoi(name));
  }
  return out;
}

struct Rss {
  std::atomic<long> daemon_kb{0}, worker_kb{0}, total_kb{0};
  std::atomic<bool> stop{false};
  std::thread t;
  explicit Rss(int pid) {
    t = std::thread([this, pid] {
      while (!stop) {
        long total = rss_kb(pid, "VmRSS:");
        daemon_kb = std::max(daemon_kb.load(), rss_kb(pid, "VmHWM:"));
        for (int c : children_of(pid)) {
          total += rss_kb(c, "VmRSS:");
          worker_kb = std::max(worker_kb.load(), rss_kb(c, "VmHWM:"));
        }
        total_kb = std::max(total_kb.load(), total);
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
    });
  }
  ~Rss() {
    stop = true;
    t.join();
  }
};

struct Mix {
  fs::path bundles;
  std::vector<std::string> names;
  std::map<std::string, std::string> expected;  // name → outcome
};

// Outcome of each delivered copy "<seq>-<name>", judged against its sample's expectation.
std::pair<int, int> verdicts(const fs::path& spool, const Mix& mix) {
  int right = 0, total = 0;
  for (const char* o : {"registered", "rejected", "review"})
    for (const auto& e : fs::directory_iterator(spool / o)) {
      const std::string id = e.path().filename().string();
      const std::string name = id.substr(id.find('-') + 1);
      ++total;
      right += mix.expected.at(name) == o;
    }
  return {right, total};
}

}  // namespace

int main(int argc, char** argv) {
  int backlog = 1000, steady = 200, peer = -1;
  std::vector<unsigned> worker_counts = {1, std::max(1u, std::thread::hardware_concurrency())};
  fs::path keep;
  std::string peer_script = PEER_CHECK;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i], v = argv[i + 1];
    if (a == "--backlog")
      backlog = std::stoi(v);
    else if (a == "--steady")
      steady = std::stoi(v);
    else if (a == "--peer")
      peer = std::stoi(v);
    else if (a == "--keep")
      keep = v;
    else if (a == "--peer-script")
      peer_script = v;
    else if (a == "--workers") {
      worker_counts.clear();
      std::stringstream ss(v);
      std::string w;
      while (std::getline(ss, w, ','))
        worker_counts.push_back(static_cast<unsigned>(std::stoul(w)));
    } else {
      std::cerr << "usage: sot-bench-daemon [--backlog N] [--steady N] [--peer N] "
                   "[--workers 1,2] [--keep DIR] [--peer-script PATH]\n";
      return 2;
    }
  }
  const fs::path work =
      keep.empty() ? fs::temp_directory_path() / ("sot-bench-daemon-" + std::to_string(::getpid()))
                   : keep;
  fs::create_directories(work);
  if (sot::bench::run_quiet({SOT_SAMPLES_BIN, (work / "samples").string()}) != 0) {
    std::cerr << "sot-samples failed\n";
    return 1;
  }
  Mix mix;
  mix.bundles = work / "samples" / "bundles";
  for (const auto& e : fs::directory_iterator(work / "samples" / "expected")) {
    const std::string name = e.path().stem().string();
    // The two size-limit samples are sparse files of 20 and 100 MB: copies would be real.
    if (name == "file-too-large" || name == "bundle-too-large") continue;
    mix.names.push_back(name);
    mix.expected[name] = json::parse(slurp(e.path()))["outcome"].get<std::string>();
  }
  std::sort(mix.names.begin(), mix.names.end());
  const std::string config = (work / "samples" / "config.toml").string();
  std::printf("mix: %zu sample bundles (every outcome and finding code; %d OCR'd scans)\n",
              mix.names.size(),
              static_cast<int>(std::count_if(mix.names.begin(), mix.names.end(), [](auto& n) {
                return n.find("scan") != std::string::npos ||
                       n.find("unreadable") != std::string::npos;
              })));

  double best_rate = 0;
  double ours_right_share = 0;
  for (const unsigned w : worker_counts) {
    // Backlog: everything waiting when the daemon starts.
    const fs::path spool = work / ("backlog-" + std::to_string(w));
    fs::remove_all(spool);
    for (const char* d : {"tmp", "incoming"}) fs::create_directories(spool / d);
    for (int i = 0; i < backlog; ++i) {
      char id[16];
      std::snprintf(id, sizeof id, "%05d", i);
      deliver(spool, mix.bundles / mix.names[static_cast<std::size_t>(i) % mix.names.size()],
              std::string(id) + "-" + mix.names[static_cast<std::size_t>(i) % mix.names.size()]);
    }
    const auto t0 = Clock::now();
    const int pid = spawn({SOT_INTAKED_BIN, "--config", config, "--spool", spool.string(),
                           "--workers", std::to_string(w)},
                          work / ("backlog-" + std::to_string(w) + ".log"));
    double drain = 0;
    long daemon_mb = 0, worker_mb = 0, total_mb = 0;
    {
      Rss rss(pid);
      while (decided(spool) < backlog) std::this_thread::sleep_for(std::chrono::milliseconds(20));
      drain = std::chrono::duration<double>(Clock::now() - t0).count();
      daemon_mb = rss.daemon_kb / 1024;
      worker_mb = rss.worker_kb / 1024;
      total_mb = rss.total_kb / 1024;
    }
    stop_daemon(pid);
    const auto [right, total] = verdicts(spool, mix);
    ours_right_share = static_cast<double>(right) / total;
    const double rate = backlog / drain;
    best_rate = std::max(best_rate, rate);
    std::printf(
        "\n%u worker(s): backlog of %d drained in %.1f s = %.1f bundles/s; verdicts "
        "as expected %d/%d; peak RSS daemon %ld MB, one worker %ld MB, all together %ld "
        "MB\n",
        w, backlog, drain, rate, right, total, daemon_mb, worker_mb, total_mb);

    // Steady state: deliveries paced under capacity, latency from rename to rename.
    const fs::path s2 = work / ("steady-" + std::to_string(w));
    fs::remove_all(s2);
    for (const char* d : {"tmp", "incoming", "registered", "rejected", "review"})
      fs::create_directories(s2 / d);
    const int ifd = inotify_init1(IN_NONBLOCK);
    for (const char* o : {"registered", "rejected", "review"})
      inotify_add_watch(ifd, (s2 / o).c_str(), IN_MOVED_TO);
    const int pid2 = spawn({SOT_INTAKED_BIN, "--config", config, "--spool", s2.string(),
                            "--workers", std::to_string(w)},
                           work / ("steady-" + std::to_string(w) + ".log"));
    std::this_thread::sleep_for(std::chrono::milliseconds(800));  // started, watching
    std::mutex m;
    std::map<std::string, Clock::time_point> sent, seen;
    std::atomic<bool> done{false};
    std::thread watcher([&] {
      alignas(inotify_event) char buf[65536];
      while (!done) {
        const ssize_t n = ::read(ifd, buf, sizeof buf);
        if (n <= 0) {
          std::this_thread::sleep_for(std::chrono::milliseconds(2));
          continue;
        }
        const auto now = Clock::now();
        for (char* p = buf; p < buf + n;) {
          const auto* ev = reinterpret_cast<inotify_event*>(p);
          if (ev->len) {
            std::lock_guard lock(m);
            seen.emplace(ev->name, now);
          }
          p += sizeof(inotify_event) + ev->len;
        }
      }
    });
    const auto interval = std::chrono::duration<double>(1.0 / (0.7 * rate));
    const auto start = Clock::now();
    for (int i = 0; i < steady; ++i) {
      std::this_thread::sleep_until(start +
                                    std::chrono::duration_cast<Clock::duration>(interval * i));
      const std::string name = mix.names[static_cast<std::size_t>(i * 7) % mix.names.size()];
      char id[16];
      std::snprintf(id, sizeof id, "%05d", i);
      const std::string full = std::string(id) + "-" + name;
      fs::copy(mix.bundles / name, s2 / "tmp" / full, fs::copy_options::recursive);
      {
        std::lock_guard lock(m);
        sent[full] = Clock::now();
      }
      fs::rename(s2 / "tmp" / full, s2 / "incoming" / full);
    }
    while (true) {
      {
        std::lock_guard lock(m);
        if (static_cast<int>(seen.size()) >= steady) break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    done = true;
    watcher.join();
    ::close(ifd);
    stop_daemon(pid2);
    std::vector<double> latency;
    Clock::time_point last = start;
    for (const auto& [id, t] : seen) {
      latency.push_back(std::chrono::duration<double>(t - sent.at(id)).count());
      last = std::max(last, t);
    }
    std::printf(
        "%u worker(s): steady %d bundles offered at %.1f/s: %.1f bundles/s, latency "
        "p50 %.0f ms, p99 %.0f ms, max %.0f ms\n",
        w, steady, 0.7 * rate, steady / std::chrono::duration<double>(last - start).count(),
        percentile(latency, 0.5) * 1000, percentile(latency, 0.99) * 1000,
        percentile(latency, 1.0) * 1000);
  }

  // The script of standard tools, same machine, same bundles, one after another.
  if (peer != 0) {
    const fs::path trust = work / "peer-trust";
    fs::create_directories(trust);
    for (const char* d : {"trust", "intermediates"})
      for (const auto& e : fs::directory_iterator(work / "samples" / "pki" / d))
        fs::copy(e.path(), trust / e.path().filename(), fs::copy_options::overwrite_existing);
    std::vector<std::string> args = {"/bin/bash", peer_script,
                                     "--trust",   trust.string(),
                                     "--crl",     (work / "samples" / "pki" / "crl").string()};
    const std::size_t n =
        peer < 0 ? mix.names.size() : std::min(mix.names.size(), static_cast<std::size_t>(peer));
    for (std::size_t i = 0; i < n; ++i) args.push_back((mix.bundles / mix.names[i]).string());
    const fs::path out = work / "peer.jsonl";
    const auto t0 = Clock::now();
    const int pid = spawn(args, out);
    int status = 0;
    ::waitpid(pid, &status, 0);
    const double secs = std::chrono::duration<double>(Clock::now() - t0).count();
    int right = 0, total = 0;
    std::ifstream in(out);
    std::string line;
    while (std::getline(in, line)) {
      const json j = json::parse(line, nullptr, false);
      if (!j.is_object() || !j.contains("bundle")) continue;
      const std::string name = fs::path(j["bundle"].get<std::string>()).filename().string();
      if (!mix.expected.count(name)) continue;
      ++total;
      right += mix.expected[name] == j.value("outcome", "");
    }
    const double peer_rate = n / secs;
    std::printf(
        "\npeer-check.sh: %zu bundles in %.1f s = %.2f bundles/s (%.2f s per bundle); "
        "verdicts as expected %d/%d\n",
        n, secs, peer_rate, secs / n, right, total);
    std::printf("throughput ratio sot-intaked (best) / peer-check.sh: %.0f×  (goal ≥ 10×)\n",
                best_rate / peer_rate);
    std::printf("verdicts as expected: sot-intaked %.1f %%, peer-check.sh %.1f %%\n",
                ours_right_share * 100, total ? 100.0 * right / total : 0.0);
  }
  if (keep.empty()) fs::remove_all(work);
  return 0;
}
