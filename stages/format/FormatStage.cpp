#include "format/FormatStage.hpp"

#include <algorithm>

#include "core/Text.hpp"
#include "rules/RuleSet.hpp"

namespace sot::format {

namespace {
bool names(const rules::RuleSet& rules, std::string_view format, const std::string& ext) {
  const auto* exts = rules.extensions_of(format);
  return exts && std::find(exts->begin(), exts->end(), ext) != exts->end();
}
}  // namespace

void FormatStage::run(BundleContext& ctx, Findings& out) const {
  const rules::RuleSet& rules = ctx.rules;
  for (const auto& f : ctx.bundle.files()) {
    const DocumentFacts* facts = ctx.facts.get(f);
    if (!facts || facts->error || facts->format.format == "empty") continue;
    const std::string ext = text::extension(f.name);
    std::string format = facts->format.format;

    if (format == "ooxml_encrypted") {
      out.add_for_file("FILE_ENCRYPTED", f.name,
                       {{"reason", facts->format.note}, {"container", "ooxml_encrypted"}});
      // Judge the format by what the package claims to be; it cannot be opened to check.
      if (names(rules, "ooxml_encrypted", ext)) {
        for (const auto& [fmt, exts] : rules.format_extensions)
          if (fmt != "ooxml_encrypted" && std::find(exts.begin(), exts.end(), ext) != exts.end()) {
            format = fmt;
            break;
          }
        if (format == "ooxml_encrypted") continue;
      }
    }

    // A ZIP that could not be told apart because it is damaged or too large to inspect, named
    // as an allowed ZIP-based format (.docx, .xlsx): the file has the right format and is
    // broken (FILE_CORRUPT) or past a limit (PROCESSING_FAILED) — never "not allowed".
    if (format == "zip" && (facts->format.damaged || facts->format.over_limit)) {
      std::string meant;
      for (const auto& [fmt, exts] : rules.format_extensions)
        if (rules.allowed_formats.count(fmt) && fmt != "zip" &&
            std::find(exts.begin(), exts.end(), ext) != exts.end())
          meant = fmt;
      if (!meant.empty()) {
        out.add_for_file(facts->format.damaged ? "FILE_CORRUPT" : "PROCESSING_FAILED", f.name,
                         {{"reason", facts->format.note}, {"format", meant}, {"extension", ext}});
        continue;
      }
    }

    nlohmann::json detail = {{"format", format}, {"extension", ext}};
    if (!facts->format.note.empty()) detail["note"] = facts->format.note;
    if (!rules.allowed_formats.count(format)) {
      nlohmann::json d = detail;
      d["allowed"] =
          std::vector<std::string>(rules.allowed_formats.begin(), rules.allowed_formats.end());
      out.add_for_file("FORMAT_NOT_ALLOWED", f.name, std::move(d));
    }
    // Unrecognised content has no format to disagree with: not-allowed says it all.
    if (format != "unknown" && format != "ooxml_encrypted" && !names(rules, format, ext)) {
      nlohmann::json d = detail;
      d["reason"] = ext.empty() ? "the file name has no extension"
                                : "the extension ." + ext + " does not name " + format;
      out.add_for_file("FORMAT_MISMATCH", f.name, std::move(d));
    }
  }
}

}  // namespace sot::format
