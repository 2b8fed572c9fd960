// Stage: one check. An immutable object shared by all worker threads; all per-bundle state
// lives in the BundleContext it is handed. A stage appends findings and never decides the
// outcome; exceptions must not escape run() (the pipeline turns any that do into
// PROCESSING_FAILED so that an internal fault is never the filer's rejection).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/Bundle.hpp"
#include "core/DocumentFacts.hpp"
#include "core/EarlierFiling.hpp"
#include "core/Finding.hpp"
#include "core/Time.hpp"

namespace sot {

namespace rules {
struct RuleSet;
}

struct BundleContext {
  const Bundle& bundle;
  DocumentFactsCache& facts;
  const rules::RuleSet& rules;
  SysSeconds arrival;  // when the bundle reached the spool (or now, for a one-off check)
  // Report sections a stage adds beside the findings (e.g. "signature"), by name.
  nlohmann::json sections = nlohmann::json::object();
  // How each page read, by file and 1-based page ("readable", "doubtful", "unreadable",
  // "blank", "sparse", "not_sampled", "failed"): set by the readability stage for the stages
  // that run after it (a low resolution that still reads clearly is a clerk's question).
  std::map<std::string, std::map<std::uint32_t, std::string>, std::less<>> page_verdicts = {};
  // The filing the manifest's resubmission_of names, as the registry knows it (null: none was
  // looked up).
  const EarlierFiling* earlier = nullptr;

  // The filing kind, or "" when the manifest is unusable.
  std::string_view kind() const {
    return bundle.manifest() ? std::string_view(bundle.manifest()->kind) : std::string_view();
  }
};

class Stage {
 public:
  virtual ~Stage() = default;
  virtual std::string_view name() const = 0;
  // Every code this stage can report; the pipeline checks each is defined in the rules.
  virtual std::vector<std::string_view> codes() const = 0;
  virtual void run(BundleContext& ctx, Findings& out) const = 0;
};

}  // namespace sot
