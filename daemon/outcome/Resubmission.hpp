// Resubmissions (spec §5.2) on the daemon's side of the trust boundary: before a bundle's
// checks run, what the registry knows about the filing its manifest's resubmission_of names is
// looked up here and handed to the (sandboxed) checks with the bundle; afterwards the chain of
// a submission — what it cures, what cured it — is read back for `status` and the review UI.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "core/Pipeline.hpp"
#include "registry/Registry.hpp"

namespace sot::outcome {

// The registry's answer for `submission_id`, leaving out the bundle being checked itself. The
// newest delivery decides, except that a registered delivery is always found.
EarlierFiling lookup_earlier(registry::Registry& registry, const std::string& submission_id,
                             const std::string& except_bundle);

// The run inputs of the bundle at `dir`: its arrival, and when its manifest names
// resubmission_of, the earlier filing (from `registry`, or "not looked up" when null).
RunInputs run_inputs_for(registry::Registry* registry, const std::filesystem::path& dir,
                         const std::string& bundle_id, std::uint64_t manifest_max_bytes,
                         std::optional<SysSeconds> arrival);

// The chain around a submission: {"resubmission_of": {submission_id, status, bundle} | null,
// "resubmitted_as": [{submission_id, bundle, status}]}.
nlohmann::json resubmission_chain(registry::Registry& registry, const std::string& submission_id,
                                  const nlohmann::json& report);

}  // namespace sot::outcome
