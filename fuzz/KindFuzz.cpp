// Fuzz target: a document's text (untrusted: a text layer, office text or OCR) and a declared
// title → the document-kind recogniser and the title check with the shipped rules. Must never
// crash or take unbounded time; what it reports must serialise. The texts the pipeline hands
// it are valid UTF-8 (every extractor encodes), so other inputs are skipped.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "core/Text.hpp"
#include "readability/DocumentKind.hpp"
#include "rules/RuleSet.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const sot::rules::RuleSet rules = sot::rules::shipped_rules();
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  if (!sot::text::is_valid_utf8(bytes)) return 0;
  const std::size_t nl = bytes.find('\n');
  const std::string_view title = bytes.substr(0, nl == std::string_view::npos ? 0 : nl);
  const std::string_view text = nl == std::string_view::npos ? bytes : bytes.substr(nl + 1);
  const auto check = sot::readability::check_title(title, text, rules.readability);
  const std::string json = check.recognised.to_json().dump();
  if (json.empty()) std::abort();
  if (check.recognised.decisive() && check.recognised.kind.empty()) std::abort();
  return 0;
}
