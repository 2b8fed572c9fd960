#include "cli/Reprocess.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include <openssl/evp.h>

#include "core/Pipeline.hpp"
#include "core/Report.hpp"
#include "core/Text.hpp"
#include "outcome/Resubmission.hpp"
#include "registry/Registry.hpp"
#include "review/Decisions.hpp"
#include "spool/Spool.hpp"
#include "worker/AnalysisWorker.hpp"

namespace sot::cli {

namespace fs = std::filesystem;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {

struct Item {
  std::string key;  // unique in this run: "<outcome>/<placed_as>" or the directory name
  fs::path dir;
  std::string before;  // outcome before ("" when the bundle was never decided)
  std::set<std::string> codes_before;
  std::string submission_id;
  std::string bundle_id = {};                        // the registry's id ("" for a backlog)
  std::optional<SysSeconds> arrival = std::nullopt;  // when the registry received it
};

struct Done {
  std::string key;
  std::string before, after;
  std::set<std::string> codes_before, codes_after;
  std::string submission_id;
  json report;  // not kept in the state file
};

std::set<std::string> codes_of(const json& report) {
  std::set<std::string> out;
  for (const auto& f : report.value("findings", json::array()))
    if (f.is_object()) out.insert(f.value("code", ""));
  return out;
}

std::string join(const std::set<std::string>& s, const char* sep = " ") {
  std::string out;
  for (const auto& x : s) out += (out.empty() ? "" : sep) + x;
  return out;
}

std::set<std::string> minus(const std::set<std::string>& a, const std::set<std::string>& b) {
  std::set<std::string> out;
  std::set_difference(a.begin(), a.end(), b.begin(), b.end(), std::inserter(out, out.end()));
  return out;
}

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string duration_text(double seconds) {
  if (!(seconds >= 0) || seconds > 360000) return "--:--";
  const long s = std::lround(seconds);
  char buf[32];
  if (s >= 3600)
    std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
  else
    std::snprintf(buf, sizeof buf, "%ld:%02ld", s / 60, s % 60);
  return buf;
}

// What identifies "this reprocessing" for the default state file: the selection.
std::string selection_hash(const ReprocessOptions& o) {
  const std::string what = (o.backlog_dir ? fs::absolute(*o.backlog_dir).string() : "") + "|" +
                           o.outcome + "|" + o.since + "|" + o.court + "|" +
                           o.config.spool_root.string();
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned len = 0;
  EVP_Digest(what.data(), what.size(), md, &len, EVP_sha256(), nullptr);
  return text::hex(std::string_view(reinterpret_cast<const char*>(md), 6));
}

class Progress {
 public:
  Progress(std::string mode, std::size_t total, std::size_t already)
      : total_(total), done_(already), start_done_(already), start_(Clock::now()) {
    if (mode == "auto") mode = ::isatty(2) ? "bar" : "lines";
    mode_ = mode;
  }
  void tick() {
    std::lock_guard lock(m_);
    ++done_;
    const auto now = Clock::now();
    if (mode_ == "bar") {
      if (now - last_ < std::chrono::milliseconds(100) && done_ < total_) return;
    } else if (mode_ == "lines") {
      const bool step = total_ >= 20 && done_ % (total_ / 20) == 0;
      if (!step && now - last_ < std::chrono::seconds(5) && done_ < total_) return;
    } else {
      return;
    }
    last_ = now;
    draw(now);
  }
  void finish() {
    std::lock_guard lock(m_);
    if (mode_ == "bar") std::cerr << '\n';
  }

 private:
  void draw(Clock::time_point now) {
    const double elapsed = std::chrono::duration<double>(now - start_).count();
    const double rate = elapsed > 0 ? static_cast<double>(done_ - start_done_) / elapsed : 0;
    const double eta = rate > 0 ? static_cast<double>(total_ - done_) / rate : -1;
    const double share = total_ ? static_cast<double>(done_) / static_cast<double>(total_) : 1;
    char figures[160];
    std::snprintf(figures, sizeof figures, "%zu/%zu %3.0f%% %.1f bundles/s ETA %s", done_, total_,
                  share * 100, rate, duration_text(eta).c_str());
    if (mode_ == "bar") {
      constexpr int kWidth = 30;
      const int filled = static_cast<int>(share * kWidth);
      std::cerr << "\r[" << std::string(static_cast<std::size_t>(filled), '#')
                << std::string(static_cast<std::size_t>(kWidth - filled), '-') << "] " << figures
                << "   " << std::flush;
    } else {
      std::cerr << "reprocess: " << figures << std::endl;
    }
  }
  std::mutex m_;
  std::string mode_;
  std::size_t total_, done_, start_done_;
  Clock::time_point start_, last_{};
};

}  // namespace

int run_reprocess(const ReprocessOptions& o) {
  // Decided bundles (and backlogs copied from a spool's outcome directories) carry the
  // daemon's own result/.
  Config config = o.config;
  config.bundle_limits.decided_result_allowed = true;
  std::shared_ptr<const Pipeline> pipeline = build_pipeline(config);

  // What to reprocess.
  std::vector<Item> items;
  std::unique_ptr<spool::Spool> spool;
  std::unique_ptr<registry::Registry> registry;
  if (o.backlog_dir) {
    if (o.apply) {
      std::cerr << "sot-intake reprocess: --apply works on the registry's bundles (--outcome), "
                   "not on a backlog directory\n";
      return 2;
    }
    std::error_code ec;
    std::vector<fs::path> dirs;
    for (const auto& e : fs::directory_iterator(*o.backlog_dir, ec))
      if (e.is_directory(ec) && !e.is_symlink(ec) &&
          spool::is_bundle_id(e.path().filename().string()))
        dirs.push_back(e.path());
    if (ec) {
      std::cerr << "sot-intake reprocess: " << o.backlog_dir->string() << ": " << ec.message()
                << '\n';
      return 2;
    }
    std::sort(dirs.begin(), dirs.end());
    for (const auto& d : dirs) {
      Item it{d.filename().string(), d, "", {}, ""};
      if (const auto report = spool::read_report(d)) {
        it.before = report->value("outcome", "");
        it.codes_before = codes_of(*report);
        if ((*report)["submission_id"].is_string())
          it.submission_id = (*report)["submission_id"].get<std::string>();
      }
      items.push_back(std::move(it));
    }
  } else {
    spool = std::make_unique<spool::Spool>(config.spool_root);
    registry = registry::open_registry(config.registry_url, config.spool_root);
    registry->enable_outbox(!config.notify.url.empty());  // applied changes notify the portal
    registry::ListQuery q;
    q.outcome = o.outcome == "all" ? "" : o.outcome;
    q.since = o.since;
    q.court = o.court;
    for (const auto& r : registry->list(q)) {
      if (r.state != "decided" || r.placed_as.empty()) continue;
      const fs::path dir = config.spool_root / r.outcome / r.placed_as;
      std::error_code ec;
      if (!fs::is_directory(dir, ec)) continue;  // moved on since (a clerk decided it)
      Item it{r.outcome + "/" + r.placed_as, dir, r.outcome, codes_of(r.report), r.submission_id};
      it.bundle_id = r.id;
      if (const auto t = parse_rfc3339(r.received_at)) it.arrival = t->utc;
      items.push_back(std::move(it));
    }
  }

  // Resume: what an earlier run of the same selection finished.
  const fs::path state_file =
      o.state_file
          ? *o.state_file
          : (o.backlog_dir
                 ? fs::path(*o.backlog_dir) / ".sot-reprocess.jsonl"
                 : config.spool_root / "state" / ("reprocess-" + selection_hash(o) + ".jsonl"));
  if (o.restart) fs::remove(state_file);
  std::map<std::string, Done> done;
  {
    std::ifstream in(state_file);
    std::string line;
    while (std::getline(in, line)) {
      const json j = json::parse(line, nullptr, false);
      if (!j.is_object() || !j.contains("key")) continue;  // a torn last line: redone
      Done d{j.value("key", ""),
             j.value("before", ""),
             j.value("after", ""),
             j.value("codes_before", std::set<std::string>{}),
             j.value("codes_after", std::set<std::string>{}),
             j.value("submission_id", ""),
             json()};
      done[d.key] = std::move(d);
    }
  }
  std::vector<const Item*> todo;
  for (const auto& it : items)
    if (!done.count(it.key)) todo.push_back(&it);
  if (!done.empty())
    std::cerr << "reprocess: resuming, " << done.size() << " of " << items.size()
              << " already done (" << state_file.string() << ")\n";

  const int state_fd = ::open(state_file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  if (state_fd < 0) {
    std::cerr << "sot-intake reprocess: cannot write " << state_file.string() << '\n';
    return 1;
  }

  // In parallel: one thread per worker, each with its own sandboxed analysis process.
  const unsigned n = std::max(1u, o.workers ? o.workers : config.effective_workers());
  // The workers read the bundles' directories and nothing else of the spool.
  std::set<std::string> roots;
  for (const auto& it : items) roots.insert(fs::absolute(it.dir).parent_path().string());
  for (const char* outcome : {"registered", "rejected", "review"})
    roots.insert(fs::absolute(config.spool_root / outcome).string());
  const std::string init =
      worker::make_worker_init(config, pipeline->rules().text, pipeline->rules().source,
                               std::vector<std::string>(roots.begin(), roots.end()));
  worker::WorkerLimits limits;
  Progress progress(o.progress, items.size(), done.size());
  std::mutex m;
  std::atomic<std::size_t> next{0};
  std::atomic<bool> failed{false};
  std::vector<std::thread> threads;
  for (unsigned w = 0; w < std::min<std::size_t>(n, std::max<std::size_t>(todo.size(), 1)); ++w)
    threads.emplace_back([&] {
      worker::AnalysisWorker analysis({o.self_exe, "--analysis-worker"}, init, limits);
      for (std::size_t i; (i = next++) < todo.size();) {
        const Item& it = *todo[i];
        // A resubmission is judged against the registry as it stands (a backlog has none).
        worker::WorkerAnswer a = analysis.run(
            it.dir, outcome::run_inputs_for(
                        registry.get(), it.dir,
                        it.bundle_id.empty() ? it.dir.filename().string() : it.bundle_id,
                        config.bundle_limits.manifest_max_bytes, it.arrival));
        json report;
        if (a.report) {
          report = std::move(*a.report);
        } else {
          const SystemClock clock;
          const PipelineResult r =
              pipeline->failed(it.dir.filename().string(), a.failure, "worker", clock.now());
          report = make_report(r, pipeline->rules(),
                               config.report_local_offset ? local_offset_minutes(r.processed_at)
                                                          : config.report_offset_minutes);
        }
        Done d{it.key,
               it.before,
               report.value("outcome", "review"),
               it.codes_before,
               codes_of(report),
               it.submission_id.empty() && report["submission_id"].is_string()
                   ? report["submission_id"].get<std::string>()
                   : it.submission_id,
               report};
        const std::string line = json{{"key", d.key},
                                      {"before", d.before},
                                      {"after", d.after},
                                      {"codes_before", d.codes_before},
                                      {"codes_after", d.codes_after},
                                      {"submission_id", d.submission_id}}
                                     .dump(-1, ' ', false, json::error_handler_t::replace) +
                                 "\n";
        {
          std::lock_guard lock(m);
          if (::write(state_fd, line.data(), line.size()) != static_cast<ssize_t>(line.size()) ||
              ::fdatasync(state_fd) != 0)
            failed = true;
          done[d.key] = std::move(d);
        }
        progress.tick();
      }
    });
  for (auto& t : threads) t.join();
  progress.finish();
  ::close(state_fd);
  if (failed) {
    std::cerr << "sot-intake reprocess: the state file " << state_file.string()
              << " could not be written; the run cannot be resumed reliably\n";
    return 1;
  }

  // Summary: outcomes before → after, codes that appeared or went.
  std::map<std::pair<std::string, std::string>, std::size_t> matrix;
  std::map<std::string, std::pair<std::size_t, std::size_t>> code_changes;  // appeared, went
  std::vector<const Done*> changed;
  std::size_t fresh = 0;
  for (const auto& [key, d] : done) {
    ++matrix[{d.before.empty() ? "(none)" : d.before, d.after}];
    for (const auto& c : minus(d.codes_after, d.codes_before)) ++code_changes[c].first;
    for (const auto& c : minus(d.codes_before, d.codes_after)) ++code_changes[c].second;
    if (d.before.empty())
      ++fresh;  // never decided before: nothing to change
    else if (d.before != d.after)
      changed.push_back(&d);
  }
  std::printf("\n%-12s  %-12s  %8s\n", "before", "after", "bundles");
  for (const auto& [k, count] : matrix)
    std::printf("%-12s→ %-12s  %8zu%s\n", k.first.c_str(), k.second.c_str(), count,
                k.first == k.second || k.first == "(none)" ? "" : "  *");
  if (!code_changes.empty()) {
    std::printf("\n%-34s  %9s  %9s\n", "code", "appeared", "went");
    for (const auto& [c, n2] : code_changes)
      std::printf("%-34s  %9zu  %9zu\n", c.c_str(), n2.first, n2.second);
  }
  std::printf("\n%zu bundles, %zu would change outcome%s", done.size(), changed.size(),
              o.apply ? "" : " (nothing applied; --apply makes the changes)");
  if (fresh) std::printf("; %zu had no earlier outcome", fresh);
  std::printf("\n");

  if (o.csv_out) {
    std::ofstream csv(*o.csv_out);
    csv << "bundle,submission_id,before,after,codes_added,codes_removed\n";
    for (const auto* d : changed)
      csv << csv_field(d->key) << ',' << csv_field(d->submission_id) << ',' << d->before << ','
          << d->after << ',' << csv_field(join(minus(d->codes_after, d->codes_before))) << ','
          << csv_field(join(minus(d->codes_before, d->codes_after))) << '\n';
  }
  if (o.json_out) {
    json arr = json::array();
    for (const auto* d : changed)
      arr.push_back({{"bundle", d->key},
                     {"submission_id", d->submission_id},
                     {"before", d->before},
                     {"after", d->after},
                     {"codes_added", minus(d->codes_after, d->codes_before)},
                     {"codes_removed", minus(d->codes_before, d->codes_after)}});
    std::ofstream(*o.json_out) << arr.dump(2, ' ', false, json::error_handler_t::replace) << '\n';
  }

  if (!o.apply) return 0;
  // Applying: each change like a clerk's decision, audited. Registrations stand.
  review::Decisions decisions(*spool, *registry, config, pipeline->rules());
  std::size_t applied = 0, kept = 0, failed_apply = 0;
  for (const auto* d : changed) {
    const auto slash = d->key.find('/');
    const std::string from = d->key.substr(0, slash);
    const std::string placed = d->key.substr(slash + 1);
    if (from == "registered") {
      ++kept;
      std::printf("kept: %s stays registered (a registration is changed only by a court act)\n",
                  d->key.c_str());
      continue;
    }
    json report = d->report;
    if (report.is_null()) {
      // Finished by an earlier, interrupted run: its report was not kept; run it again.
      worker::AnalysisWorker analysis({o.self_exe, "--analysis-worker"}, init, limits);
      const fs::path dir = config.spool_root / from / placed;
      auto a = analysis.run(
          dir, outcome::run_inputs_for(registry.get(), dir, placed,
                                       config.bundle_limits.manifest_max_bytes, std::nullopt));
      if (!a.report) {
        ++failed_apply;
        continue;
      }
      report = std::move(*a.report);
      if (report.value("outcome", "") != d->after) {
        ++failed_apply;
        continue;
      }
    }
    report["reprocessed"] = {
        {"by", o.actor}, {"before", d->before}, {"rules_version", pipeline->rules().version}};
    const auto r =
        decisions.change_outcome(placed, from == "rejected" ? Outcome::kRejected : Outcome::kReview,
                                 report, o.actor, "reprocess-apply",
                                 {{"before", d->before},
                                  {"after", d->after},
                                  {"codes_added", minus(d->codes_after, d->codes_before)},
                                  {"codes_removed", minus(d->codes_before, d->codes_after)},
                                  {"rules_version", pipeline->rules().version}});
    if (r.ok) {
      ++applied;
      std::printf("applied: %s → %s/%s%s\n", d->key.c_str(), r.outcome.c_str(), r.placed_as.c_str(),
                  r.registration_number.empty() ? "" : (" " + r.registration_number).c_str());
    } else {
      ++failed_apply;
      std::printf("not applied: %s: %s\n", d->key.c_str(), r.error.c_str());
    }
  }
  std::printf("\napplied %zu, kept %zu registered, %zu not applied\n", applied, kept, failed_apply);
  return failed_apply ? 1 : 0;
}

}  // namespace sot::cli
