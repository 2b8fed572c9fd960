// The filer's status ("Менің істерім"): what became of a submission, from the registry —
// received, being checked, in review, registered with its number, rejected with its reasons.
// The same record answers `sot-intake status SUBMISSION_ID` and GET /api/status/<id>.
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "registry/Registry.hpp"

namespace sot::rules {
struct RuleSet;
}

namespace sot::outcome {

// {"submission_id", "status": received|checking|review|registered|rejected,
//  "status_text": {kk, ru}, "bundle", "registration_number", "received_at",
//  "manifest_sha256" (the arrival's acknowledgement: the manifest received), "updated_at",
//  "reasons": [{code, file, page, message{kk,ru}, action{kk,ru}}], "deliveries",
//  "resubmission": {resubmission_of, resubmitted_as} when it is part of a chain (spec §5.2)}
// nullopt when the registry has never seen the submission. The newest delivery speaks.
std::optional<nlohmann::json> filer_status(registry::Registry& registry,
                                           const std::string& submission_id,
                                           const rules::RuleSet& rules);

// The same for people at a terminal: a few lines, Kazakh then Russian.
std::string format_status(const nlohmann::json& status);

}  // namespace sot::outcome
