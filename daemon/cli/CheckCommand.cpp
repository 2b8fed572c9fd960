#include "cli/CheckCommand.hpp"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <iostream>
#include <mutex>
#include <ostream>
#include <set>
#include <thread>

#include "core/Pipeline.hpp"
#include "core/Report.hpp"
#include "outcome/Resubmission.hpp"
#include "registry/Registry.hpp"
#include "worker/AnalysisWorker.hpp"

namespace sot::cli {

Config resolve_config(const CheckOptions& opts) {
  Config c = opts.config_file ? load_config_file(*opts.config_file) : shipped_config();
  if (opts.trust_dir) c.trust_dir = *opts.trust_dir;
  if (opts.crl_dir) c.crl_dir = *opts.crl_dir;
  if (opts.intermediates_dir) c.intermediates_dir = *opts.intermediates_dir;
  return c;
}

size_t run_check(const Config& config, const std::vector<std::filesystem::path>& bundles,
                 const CheckRun& run, const Clock& clock, std::ostream& out) {
  const auto pipeline = build_pipeline(config);
  auto line_of = [&](const PipelineResult& r) {
    const std::int32_t offset = config.report_local_offset ? local_offset_minutes(r.processed_at)
                                                           : config.report_offset_minutes;
    return make_report(r, pipeline->rules(), offset)
               .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) +
           '\n';
  };
  // A manifest naming resubmission_of is checked against the spool's registry when there is
  // one (read-only: `check` changes nothing); without it the earlier filing cannot be found.
  std::unique_ptr<registry::Registry> registry;
  {
    std::error_code ec;
    const auto file = registry::registry_file(config.spool_root);
    if (!config.registry_url.empty() ||
        (!config.spool_root.empty() && std::filesystem::is_regular_file(file, ec)))
      try {
        registry = registry::open_registry(config.registry_url, config.spool_root,
                                           /*read_only=*/true);
      } catch (const std::exception& e) {
        std::cerr << "sot-intake check: the registry cannot be read (" << e.what()
                  << "); resubmissions are checked without it\n";
      }
  }
  auto inputs_for = [&](const std::filesystem::path& dir) {
    const auto id = dir.filename().empty() ? dir.parent_path().filename() : dir.filename();
    return outcome::run_inputs_for(registry.get(), dir, id.string(),
                                   config.bundle_limits.manifest_max_bytes, std::nullopt);
  };
  // In this process, one bundle at a time: the trust store's OpenSSL objects fill their
  // caches on first use, which concurrent verifications would race on.
  std::mutex in_process_mutex;
  auto in_process = [&](const std::filesystem::path& dir) {
    std::lock_guard lock(in_process_mutex);
    return line_of(pipeline->run(dir, clock, inputs_for(dir)));
  };

  if (run.worker_argv.empty() || bundles.empty()) {
    for (const auto& dir : bundles) out << in_process(dir) << std::flush;
    return bundles.size();
  }

  // The workers read the directories of the bundles named, and nothing else but system data.
  std::set<std::string> roots;
  for (const auto& dir : bundles) {
    std::error_code ec;
    const auto abs = std::filesystem::absolute(dir, ec);
    if (!ec)
      roots.insert((abs.filename().empty() ? abs.parent_path() : abs).parent_path().string());
  }
  const std::string init =
      worker::make_worker_init(config, pipeline->rules().text, pipeline->rules().source,
                               std::vector<std::string>(roots.begin(), roots.end()));
  worker::WorkerLimits limits;
  limits.bundle_timeout = run.bundle_timeout;

  // Workers take bundles in order; lines are printed in that order as soon as each is ready.
  std::vector<std::optional<std::string>> lines(bundles.size());
  std::mutex m;
  std::condition_variable ready;
  std::atomic<std::size_t> next{0};
  std::once_flag warned;
  auto worker_loop = [&] {
    worker::AnalysisWorker analysis(run.worker_argv, init, limits);
    std::optional<std::string> unavailable;  // why no sandboxed worker can start here
    for (std::size_t i; (i = next++) < bundles.size();) {
      const std::filesystem::path& dir = bundles[i];
      const auto id = dir.filename().empty() ? dir.parent_path().filename() : dir.filename();
      std::string line;
      try {
        std::error_code ec;
        const std::filesystem::path abs = std::filesystem::absolute(dir, ec);
        if (unavailable) {
          line = line_of(pipeline->failed(id.string(), *unavailable, "worker", clock.now()));
        } else if (ec) {
          line = line_of(pipeline->failed(id.string(),
                                          "the bundle's path cannot be resolved: " + ec.message(),
                                          "check", clock.now()));
        } else {
          worker::WorkerAnswer a = analysis.run(abs, inputs_for(abs));
          if (a.report) {
            line = a.report->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + '\n';
          } else if (a.unavailable) {
            // No sandboxed worker can run here (exec refused, no seccomp). Hostile bytes are
            // never parsed without isolation unless asked for (--in-process): every bundle
            // gets PROCESSING_FAILED, and stderr says why once.
            unavailable = "no sandboxed analysis worker can start: " + a.failure;
            std::call_once(warned, [&] {
              std::cerr << "sot-intake check: " << *unavailable
                        << "; every bundle gets PROCESSING_FAILED (--in-process checks them in "
                           "this process, without isolation)\n";
            });
            line = line_of(pipeline->failed(id.string(), *unavailable, "worker", clock.now()));
          } else {
            line = line_of(pipeline->failed(id.string(), a.failure, "worker", clock.now()));
          }
        }
      } catch (const std::exception& e) {
        // Never silence: whatever went wrong here, the bundle still gets its line.
        line = line_of(pipeline->failed(id.string(), std::string("internal error: ") + e.what(),
                                        "check", clock.now()));
      }
      {
        std::lock_guard lock(m);
        lines[i] = std::move(line);
      }
      ready.notify_all();
    }
  };
  const std::size_t n = std::clamp<std::size_t>(run.jobs, 1, bundles.size());
  std::vector<std::thread> threads;
  for (std::size_t w = 0; w < n; ++w) threads.emplace_back(worker_loop);
  for (std::size_t i = 0; i < bundles.size(); ++i) {
    std::string line;
    {
      std::unique_lock lock(m);
      ready.wait(lock, [&] { return lines[i].has_value(); });
      line = std::move(*lines[i]);
      lines[i].reset();
    }
    out << line << std::flush;
  }
  for (auto& t : threads) t.join();
  return bundles.size();
}

}  // namespace sot::cli
