// report.json (spec §3): the pipeline's result as the contract's JSON, with every finding's
// severity and its kk/ru message rendered from the rules.
#pragma once

#include <nlohmann/json.hpp>

#include "core/Pipeline.hpp"

namespace sot {

// Substitutes {file}, {page} and {detail-key} in a message template; arrays are joined with
// ", "; an unknown key is left visible as "—".
std::string render_message(std::string_view templ, const Finding& f);

nlohmann::json make_report(const PipelineResult& r, const rules::RuleSet& rules,
                           std::int32_t offset_minutes,
                           std::optional<std::string> registration_number = std::nullopt);

}  // namespace sot
