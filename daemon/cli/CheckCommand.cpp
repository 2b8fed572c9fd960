#include "cli/CheckCommand.hpp"

#include <ostream>

#include "core/Pipeline.hpp"
#include "core/Report.hpp"

namespace sot::cli {

Config resolve_config(const CheckOptions& opts) {
  Config c = opts.config_file ? load_config_file(*opts.config_file) : shipped_config();
  if (opts.trust_dir) c.trust_dir = *opts.trust_dir;
  if (opts.crl_dir) c.crl_dir = *opts.crl_dir;
  return c;
}

size_t run_check(const Config& config, const std::vector<std::filesystem::path>& bundles,
                 const Clock& clock, std::ostream& out) {
  const auto pipeline = build_pipeline(config);
  size_t done = 0;
  for (const auto& dir : bundles) {
    const PipelineResult r = pipeline->run(dir, clock);
    const std::int32_t offset = config.report_local_offset ? local_offset_minutes(r.processed_at)
                                                           : config.report_offset_minutes;
    out << make_report(r, pipeline->rules(), offset)
               .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)
        << '\n'
        << std::flush;
    ++done;
  }
  return done;
}

}  // namespace sot::cli
