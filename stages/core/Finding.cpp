#include "core/Finding.hpp"

namespace sot {

std::string_view to_string(Severity s) {
  switch (s) {
    case Severity::kInfo:
      return "info";
    case Severity::kReview:
      return "review";
    case Severity::kReject:
      return "reject";
  }
  return "reject";
}

std::optional<Severity> severity_from_string(std::string_view s) {
  if (s == "info") return Severity::kInfo;
  if (s == "review") return Severity::kReview;
  if (s == "reject") return Severity::kReject;
  return std::nullopt;
}

}  // namespace sot
