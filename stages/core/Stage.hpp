// Stage: one check. An immutable object shared by all worker threads; all per-bundle state
// lives in the BundleContext it is handed. A stage appends findings and never decides the
// outcome; exceptions must not escape run() (the pipeline turns any that do into
// PROCESSING_FAILED so that an internal fault is never the filer's rejection).
#pragma once

#include <string_view>
#include <vector>

#include "core/Bundle.hpp"
#include "core/DocumentFacts.hpp"
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
