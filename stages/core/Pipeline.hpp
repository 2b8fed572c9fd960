// Pipeline: the ordered stages of one configuration plus its rules, and the outcome rule.
// Immutable after construction and shared between threads (a reload builds a new one and
// swaps a shared_ptr<const Pipeline>).
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "config/Config.hpp"
#include "core/Stage.hpp"
#include "rules/RuleSet.hpp"

namespace sot {

enum class Outcome { kRegistered, kRejected, kReview };
std::string_view to_string(Outcome o);

struct ResolvedFinding {
  Finding finding;
  Severity severity;
};

struct DocumentSummary {
  std::string file;
  std::string format;
  std::uint64_t bytes = 0;
  std::optional<std::string> sha256;
  std::optional<int> pages;                             // when the document was opened
  nlohmann::json page_facts = nlohmann::json::array();  // per page: scan/text, dpi, colour, size
};

struct PipelineResult {
  std::string bundle_id;
  std::optional<std::string> submission_id;
  std::optional<std::string> court_code;  // from a usable manifest (registration numbers)
  Outcome outcome = Outcome::kReview;
  std::vector<ResolvedFinding> findings;
  std::vector<DocumentSummary> documents;
  nlohmann::json sections = nlohmann::json::object();  // extra report sections by name
  SysSeconds processed_at;
  std::chrono::milliseconds duration{0};
  // Wall time of each stage, in stage order (the daemon's latency metrics).
  std::vector<std::pair<std::string, double>> stage_ms;
};

// What the caller knows about a bundle beyond its bytes: when it arrived in the spool, and the
// earlier filing its manifest's resubmission_of names (looked up in the registry).
struct RunInputs {
  std::optional<SysSeconds> arrival = std::nullopt;  // default: the run's clock
  std::optional<EarlierFiling> earlier = std::nullopt;
  // Stages not to run, by name (a pre-flight draft is checked without its signature).
  std::vector<std::string> skip_stages = {};
};

// any reject → rejected; else any review → review; else registered.
Outcome outcome_of(const std::vector<ResolvedFinding>& findings);

class Pipeline {
 public:
  // Throws std::runtime_error when a stage can emit a code the rules do not define.
  Pipeline(std::vector<std::unique_ptr<const Stage>> stages,
           std::shared_ptr<const rules::RuleSet> rules, Config config);

  // Runs every stage over the bundle at `dir`. Never throws.
  PipelineResult run(const std::filesystem::path& dir, const Clock& clock,
                     const RunInputs& inputs = {}) const;
  // The result for a bundle the pipeline could not decide (its analysis process crashed or
  // ran out of time, a delivery that cannot be taken): PROCESSING_FAILED from `stage`, so
  // review — never the filer's rejection.
  PipelineResult failed(const std::string& bundle_id, const std::string& why, const char* stage,
                        SysSeconds at) const;

  const rules::RuleSet& rules() const { return *rules_; }
  const Config& config() const { return config_; }
  const std::vector<std::unique_ptr<const Stage>>& stages() const { return stages_; }

 private:
  std::vector<std::unique_ptr<const Stage>> stages_;
  std::shared_ptr<const rules::RuleSet> rules_;
  Config config_;
};

// The standard pipeline: every stage of the product in order, configured from `config`.
// Loads the rules the config names (or the shipped ones). Throws ConfigError / RulesError.
std::shared_ptr<const Pipeline> build_pipeline(const Config& config);
// The same with rules already loaded (a worker process gets them from the daemon).
std::shared_ptr<const Pipeline> build_pipeline(const Config& config, rules::RuleSet rules);

}  // namespace sot
