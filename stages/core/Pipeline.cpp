#include "core/Pipeline.hpp"

#include <algorithm>
#include <cmath>
#include <exception>

namespace sot {

std::string_view to_string(Outcome o) {
  switch (o) {
    case Outcome::kRegistered:
      return "registered";
    case Outcome::kRejected:
      return "rejected";
    case Outcome::kReview:
      return "review";
  }
  return "review";
}

Outcome outcome_of(const std::vector<ResolvedFinding>& findings) {
  Severity worst = Severity::kInfo;
  for (const auto& f : findings) worst = std::max(worst, f.severity);
  if (worst == Severity::kReject) return Outcome::kRejected;
  if (worst == Severity::kReview) return Outcome::kReview;
  return Outcome::kRegistered;
}

Pipeline::Pipeline(std::vector<std::unique_ptr<const Stage>> stages,
                   std::shared_ptr<const rules::RuleSet> rules, Config config)
    : stages_(std::move(stages)), rules_(std::move(rules)), config_(std::move(config)) {
  for (const auto& s : stages_)
    for (auto code : s->codes())
      if (!rules_->code(code))
        throw rules::RulesError(rules_->source, "codes." + std::string(code),
                                "stage '" + std::string(s->name()) +
                                    "' reports this code but the rules do not define it");
  if (!rules_->code("PROCESSING_FAILED"))
    throw rules::RulesError(rules_->source, "codes.PROCESSING_FAILED", "not defined");
}

PipelineResult Pipeline::failed(const std::string& bundle_id, const std::string& why,
                                const char* stage, SysSeconds at) const {
  PipelineResult r;
  r.bundle_id = bundle_id;
  r.processed_at = at;
  r.findings.push_back(
      {Finding{
           "PROCESSING_FAILED", stage, std::nullopt, std::nullopt, {{"reason", why}}, std::nullopt},
       rules_->severity("PROCESSING_FAILED", "")});
  r.outcome = Outcome::kReview;
  return r;
}

namespace {

// A resubmission's report says which of the refused filing's reasons are gone and which
// remain (by code and file; a file renamed since counts by code alone), and which are new.
void compare_with_earlier(const EarlierFiling& e, const std::vector<ResolvedFinding>& now,
                          nlohmann::json& section) {
  auto blocking = [](const ResolvedFinding& f) { return f.severity != Severity::kInfo; };
  nlohmann::json gone = nlohmann::json::array(), remaining = nlohmann::json::array(),
                 added = nlohmann::json::array();
  std::vector<bool> matched(now.size(), false);
  auto find = [&](const EarlierFiling::Reason& r, bool by_file) -> int {
    for (std::size_t i = 0; i < now.size(); ++i)
      if (!matched[i] && blocking(now[i]) && now[i].finding.code == r.code &&
          (!by_file || now[i].finding.file.value_or("") == r.file))
        return static_cast<int>(i);
    return -1;
  };
  std::vector<int> match(e.reasons.size(), -1);
  for (int pass = 0; pass < 2; ++pass)
    for (std::size_t k = 0; k < e.reasons.size(); ++k)
      if (match[k] < 0)
        if (const int i = find(e.reasons[k], pass == 0); i >= 0) {
          match[k] = i;
          matched[static_cast<std::size_t>(i)] = true;
        }
  for (std::size_t k = 0; k < e.reasons.size(); ++k) {
    nlohmann::json r = {{"code", e.reasons[k].code},
                        {"file", e.reasons[k].file.empty() ? nlohmann::json(nullptr)
                                                           : nlohmann::json(e.reasons[k].file)}};
    (match[k] >= 0 ? remaining : gone).push_back(std::move(r));
  }
  for (std::size_t i = 0; i < now.size(); ++i)
    if (!matched[i] && blocking(now[i]) && now[i].finding.code != "RESUBMISSION_INVALID")
      added.push_back({{"code", now[i].finding.code},
                       {"file", now[i].finding.file ? nlohmann::json(*now[i].finding.file)
                                                    : nlohmann::json(nullptr)}});
  section["reasons_gone"] = std::move(gone);
  section["reasons_remaining"] = std::move(remaining);
  section["reasons_new"] = std::move(added);
}

}  // namespace

PipelineResult Pipeline::run(const std::filesystem::path& dir, const Clock& clock,
                             const RunInputs& inputs) const {
  const auto started = std::chrono::steady_clock::now();
  PipelineResult result;
  std::vector<Finding> raw;
  result.processed_at = clock.now();
  try {
    const Bundle bundle = Bundle::open(dir, config_.bundle_limits);
    result.bundle_id = bundle.id();
    result.submission_id = bundle.submission_id();
    if (const Manifest* m = bundle.manifest()) {
      result.court_code = m->court.code;
      // Who filed and when, as the registry keeps it with the decision: a later resubmission
      // is checked against it (the same filer; the deadline counted from this submitted_at).
      auto opt = [](const std::optional<std::string>& s) {
        return s ? nlohmann::json(*s) : nlohmann::json(nullptr);
      };
      result.sections["filing"] = {
          {"court", m->court.code},
          {"kind", m->kind},
          {"submitted_at", m->submitted_at_text},
          {"filer",
           {{"kind", m->filer.kind}, {"iin", opt(m->filer.iin)}, {"bin", opt(m->filer.bin)}}},
          {"resubmission_of", opt(m->resubmission_of)}};
    }
    DocumentFactsCache facts(bundle, config_.facts_limits, rules_->allowed_formats);
    BundleContext ctx{bundle, facts, *rules_, inputs.arrival.value_or(result.processed_at)};
    if (inputs.earlier) ctx.earlier = &*inputs.earlier;

    for (const auto& stage : stages_) {
      if (std::find(inputs.skip_stages.begin(), inputs.skip_stages.end(), stage->name()) !=
          inputs.skip_stages.end())
        continue;
      Findings sink(raw, std::string(stage->name()));
      const auto stage_started = std::chrono::steady_clock::now();
      try {
        stage->run(ctx, sink);
      } catch (const std::exception& e) {
        sink.add("PROCESSING_FAILED", {{"reason", std::string("internal error: ") + e.what()}});
      } catch (...) {
        sink.add("PROCESSING_FAILED", {{"reason", "internal error"}});
      }
      result.stage_ms.emplace_back(std::string(stage->name()),
                                   std::chrono::duration<double, std::milli>(
                                       std::chrono::steady_clock::now() - stage_started)
                                       .count());
    }

    // What was received: listed documents first (manifest order), then anything else.
    auto summarise = [&](const FileEntry& f) {
      DocumentSummary d{f.name, "", f.size, std::nullopt, std::nullopt, nlohmann::json::array()};
      if (const DocumentFacts* df = facts.get(f)) {
        d.format = df->format.format;
        d.bytes = df->bytes;
        d.sha256 = df->sha256;
        // Only what the stages already opened: a summary never parses a file itself.
        if (df->analysis && df->analysis->analysed && !df->analysis->corrupt &&
            !df->analysis->encrypted) {
          const auto& a = *df->analysis;
          d.pages = a.pages;
          for (const auto& p : a.page_facts) {
            nlohmann::json pj = {{"page", p.number},
                                 {"kind", p.is_scan ? "scan" : "text"},
                                 {"width_mm", std::round(p.width_mm)},
                                 {"height_mm", std::round(p.height_mm)},
                                 {"text_chars", p.text_chars}};
            if (p.rotation) pj["rotation"] = p.rotation;
            if (p.is_scan) {
              pj["dpi"] = p.dpi ? nlohmann::json(std::lround(*p.dpi)) : nlohmann::json(nullptr);
              pj["color_mode"] = p.color_mode;
              if (p.color_content) pj["color_content"] = *p.color_content;
            }
            d.page_facts.push_back(std::move(pj));
          }
        }
      }
      result.documents.push_back(std::move(d));
    };
    std::vector<const FileEntry*> done;
    if (const Manifest* m = bundle.manifest())
      for (const auto& doc : m->documents)
        if (const FileEntry* f = bundle.file(doc.file); f && facts.get(*f)) {
          summarise(*f);
          done.push_back(f);
        }
    for (const auto& f : bundle.files())
      if (std::find(done.begin(), done.end(), &f) == done.end() && facts.get(f)) summarise(f);

    for (auto& [name, section] : ctx.sections.items()) result.sections[name] = section;
    for (auto& f : raw) {
      Severity sev = rules_->severity(f.code, ctx.kind());
      if (f.at_most && *f.at_most < sev) sev = *f.at_most;
      result.findings.push_back({std::move(f), sev});
    }
    if (inputs.earlier && result.sections.contains("resubmission") &&
        result.sections["resubmission"].value("valid", false))
      compare_with_earlier(*inputs.earlier, result.findings, result.sections["resubmission"]);
  } catch (const std::exception& e) {
    // Only resource exhaustion gets here (bad_alloc and the like): never the filer's fault.
    if (result.bundle_id.empty()) result.bundle_id = dir.filename().string();
    result.findings.push_back({Finding{"PROCESSING_FAILED",
                                       "pipeline",
                                       std::nullopt,
                                       std::nullopt,
                                       {{"reason", std::string("internal error: ") + e.what()}},
                                       std::nullopt},
                               rules_->severity("PROCESSING_FAILED", "")});
  }
  result.outcome = outcome_of(result.findings);
  result.duration = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - started);
  return result;
}

}  // namespace sot
