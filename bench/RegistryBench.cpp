// sot-bench-registry: what the registry costs per bundle, on SQLite and on PostgreSQL, and how
// a backlog drains with 1, 2 and 3 daemons sharing one spool and one PostgreSQL registry.
//
//   sot-bench-registry [--bundles N] [--backlog N] [--daemons LIST] [--keep DIR]
//
// 1. Registry operations (in-process, no documents): the calls one bundle makes on its way —
//    enqueue, received, acknowledge, claim, processing, number (every third), commit,
//    fence, outcome, and a heartbeat per claim — for N bundles (default 2000) on one
//    connection: the median and p90 of each call and the sum per bundle; then the same from
//    3 connections at once (3 daemons): bundles/s the registry alone carries.
// 2. Backlog drain (the real daemons on the samples): N bundles (default 300, the fast part of
//    the sample mix) waiting in incoming/, then 1, 2 and 3 sot-intaked processes (one worker
//    each) on one PostgreSQL registry: seconds to drain and bundles/s.
// The PostgreSQL server is a throw-away one (scripts/pg-test-server.sh), fsync on, on this
// machine: real servers on their own disks answer in the same order of magnitude.
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "BenchUtil.hpp"
#include "registry/Registry.hpp"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

namespace {

using sot::bench::decided;
using sot::bench::deliver;
using sot::bench::median;
using sot::bench::percentile;
using sot::bench::run_quiet;
using sot::bench::spawn;
using sot::bench::stop_daemon;

std::string arg(int argc, char** argv, const std::string& name, const std::string& fallback) {
  for (int i = 1; i + 1 < argc; ++i)
    if (argv[i] == name) return argv[i + 1];
  return fallback;
}

struct Timings {
  std::map<std::string, std::vector<double>> ms;  // per call
  std::vector<double> per_bundle;
};

// The calls of one bundle, each timed.
void one_bundle(sot::registry::Registry& r, const std::string& instance, const std::string& id,
                int i, Timings& t) {
  auto timed = [&](const char* name, auto&& f) {
    const auto a = Clock::now();
    f();
    t.ms[name].push_back(std::chrono::duration<double, std::milli>(Clock::now() - a).count());
  };
  const auto start = Clock::now();
  char at[40];
  std::snprintf(at, sizeof at, "2026-12-01T%02d:%02d:%02dZ", (i / 3600) % 24, (i / 60) % 60,
                i % 60);
  timed("enqueue", [&] { r.enqueue(id, at); });
  timed("transition", [&] { r.transition(id, "received", "SUB-" + id); });
  timed("acknowledge", [&] { r.acknowledge(id, "0123456789abcdef"); });
  std::vector<sot::registry::Claim> claims;
  timed("claim", [&] { claims = r.claim(instance, 30s, 1); });
  for (const auto& c : claims) {
    timed("transition", [&] { r.transition(c.bundle, "processing", std::nullopt, c.token); });
    timed("heartbeat", [&] { r.heartbeat(instance, {c.token}, 30s); });
    const bool registered = i % 3 == 0;
    if (registered)
      timed("assign_number",
            [&] { r.assign_number(c.bundle, "1901", 2026, "{court}-{year}-{seq:06}", c.token); });
    const std::string text = std::string(2000, 'r') + "\n";  // a report's size
    timed("commit_decision", [&] {
      r.commit_decision(c.bundle, registered ? "registered" : "rejected", text, c.token);
    });
    timed("fence", [&] { r.fence(c.bundle, c.token, 30s); });
    nlohmann::json report = {{"bundle", c.bundle},
                             {"submission_id", "SUB-" + c.bundle},
                             {"outcome", registered ? "registered" : "rejected"},
                             {"padding", std::string(2000, 'p')}};
    timed("record_outcome", [&] {
      r.record_outcome(c.bundle, c.bundle, registered ? "registered" : "rejected", report, c.token);
    });
  }
  t.per_bundle.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
}

void registry_ops(const std::string& name, const std::function<std::string()>& fresh_url,
                  const fs::path& spool, int bundles) {
  {
    auto r = sot::registry::open_registry(fresh_url(), spool);
    Timings t;
    for (int i = 0; i < bundles; ++i) one_bundle(*r, "bench:1", "b" + std::to_string(i), i, t);
    std::printf("\n%s, one connection, %d bundles:\n", name.c_str(), bundles);
    std::printf("  %-16s %8s %8s %6s\n", "call", "median", "p90", "calls");
    for (const auto& [call, v] : t.ms)
      std::printf("  %-16s %6.2f ms %6.2f ms %6zu\n", call.c_str(), median(v), percentile(v, 0.9),
                  v.size());
    std::printf("  %-16s %6.2f ms %6.2f ms   (%.0f bundles/s on one connection)\n", "per bundle",
                median(t.per_bundle), percentile(t.per_bundle, 0.9), 1000.0 / median(t.per_bundle));
  }
  // Three daemons' connections at once (the bundles' claims interleave across them).
  const std::string url = fresh_url();
  std::vector<std::unique_ptr<sot::registry::Registry>> conns;
  for (int c = 0; c < 3; ++c) conns.push_back(sot::registry::open_registry(url, spool));
  std::vector<Timings> per(3);
  const auto a = Clock::now();
  std::vector<std::thread> threads;
  for (int c = 0; c < 3; ++c)
    threads.emplace_back([&, c] {
      for (int i = c; i < bundles; i += 3)
        one_bundle(*conns[static_cast<std::size_t>(c)], "bench:" + std::to_string(c),
                   "m" + std::to_string(i), i, per[static_cast<std::size_t>(c)]);
    });
  for (auto& th : threads) th.join();
  const double s = std::chrono::duration<double>(Clock::now() - a).count();
  std::vector<double> all;
  for (const auto& t : per) all.insert(all.end(), t.per_bundle.begin(), t.per_bundle.end());
  std::printf(
      "%s, three connections at once: %.0f bundles/s of registry work (per bundle median "
      "%.2f ms, p90 %.2f ms); integrity: %s\n",
      name.c_str(), bundles / s, median(all), percentile(all, 0.9),
      conns[0]->integrity_check().c_str());
}

}  // namespace

int main(int argc, char** argv) {
  const int bundles = std::stoi(arg(argc, argv, "--bundles", "2000"));
  const int backlog = std::stoi(arg(argc, argv, "--backlog", "300"));
  std::vector<int> daemon_counts;
  {
    const std::string list = arg(argc, argv, "--daemons", "1,2,3");
    for (std::size_t at = 0; at < list.size();) {
      const auto comma = list.find(',', at);
      daemon_counts.push_back(std::stoi(list.substr(at, comma - at)));
      at = comma == std::string::npos ? list.size() : comma + 1;
    }
  }
  const fs::path work =
      arg(argc, argv, "--keep", "").empty()
          ? fs::temp_directory_path() / ("sot-bench-registry-" + std::to_string(::getpid()))
          : fs::path(arg(argc, argv, "--keep", ""));
  fs::create_directories(work);
  const fs::path pg = work / "pg";
  const std::string script = std::string(SOT_SOURCE_DIR) + "/scripts/pg-test-server.sh";
  // fsync on: the numbers are those of a durable registry.
  ::setenv("SOT_PG_FSYNC", "on", 1);
  if (run_quiet({"/bin/bash", script, "start", pg.string()}) != 0) {
    std::cerr << "cannot start PostgreSQL (scripts/pg-test-server.sh start " << pg << ")\n";
    return 1;
  }
  int databases = 0;
  auto fresh_pg = [&] {
    const std::string db = "bench" + std::to_string(++databases);
    run_quiet({"/bin/bash", script, "createdb", pg.string(), db});
    return "postgresql:///" + db + "?host=" + pg.string() + "&user=sot";
  };
  int files = 0;
  auto fresh_sqlite = [&] {
    return "sqlite:" + (work / ("registry" + std::to_string(++files) + ".sqlite")).string();
  };
  std::printf("sot-bench-registry: %d bundles' registry calls; backlog of %d with daemons", bundles,
              backlog);
  for (int d : daemon_counts) std::printf(" %d", d);
  std::printf(" (%u cores)\n", std::thread::hardware_concurrency());
  registry_ops("SQLite (WAL, synchronous=FULL)", fresh_sqlite, work, bundles);
  registry_ops("PostgreSQL 15 (local socket, fsync on)", fresh_pg, work, bundles);

  // Backlog drain with the real daemons.
  if (run_quiet({SOT_SAMPLES_BIN, (work / "samples").string()}) != 0) {
    std::cerr << "sot-samples failed\n";
    return 1;
  }
  const std::vector<std::string> kinds = {"clean-claim-individual", "clean-letter",
                                          "signature-revoked", "duplicate-file",
                                          "clean-appeal-exempt"};
  std::printf("\nbacklog drain, one PostgreSQL registry, one worker per daemon:\n");
  std::printf("  %-8s %10s %12s\n", "daemons", "seconds", "bundles/s");
  for (const int n : daemon_counts) {
    const fs::path spool = work / ("spool-" + std::to_string(n));
    fs::create_directories(spool / "tmp");
    fs::create_directories(spool / "incoming");
    for (int i = 0; i < backlog; ++i)
      deliver(spool,
              work / "samples" / "bundles" / kinds[static_cast<std::size_t>(i) % kinds.size()],
              "b" + std::to_string(i));
    const std::string url = fresh_pg();
    std::vector<int> pids;
    const auto a = Clock::now();
    for (int d = 0; d < n; ++d)
      pids.push_back(spawn(
          {SOT_INTAKED_BIN, "--config", (work / "samples" / "config.toml").string(), "--spool",
           spool.string(), "--registry", url, "--workers", "1", "--http-listen", ""},
          work / ("daemon-" + std::to_string(n) + "-" + std::to_string(d) + ".log")));
    while (decided(spool) < backlog && Clock::now() - a < 30min) std::this_thread::sleep_for(50ms);
    const double s = std::chrono::duration<double>(Clock::now() - a).count();
    for (int pid : pids) stop_daemon(pid);
    std::printf("  %-8d %8.1f s %10.1f\n", n, s, backlog / s);
  }
  run_quiet({"/bin/bash", script, "stop", pg.string()});
  if (arg(argc, argv, "--keep", "").empty()) fs::remove_all(work);
  return 0;
}
