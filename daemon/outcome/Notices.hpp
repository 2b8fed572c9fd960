// What the filer reads: the rejection notice (result/notice.pdf + notice.json) of a rejected
// bundle and the receipt (result/receipt.pdf + receipt.json) of a registered one, in Kazakh
// and Russian. Every text comes from the rules — the headings and labels from [notices], each
// reason's "what is wrong", "which requirement" and "what to do" from its code — so a change
// of wording is a rules change, not a release. The PDFs are laid out with pango and written
// by cairo in Liberation Serif 2 (fonts-liberation2: full Kazakh Cyrillic, Times metrics).
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace sot::rules {
struct RuleSet;
}

namespace sot::outcome {

// What the notice and the receipt say about the filing, read from the bundle's manifest.json
// (tolerantly: a malformed manifest leaves fields empty, never fails).
struct FilingInfo {
  std::string court;       // region name
  std::string court_code;  // e.g. 7110
  std::string kind;
  std::string filer;                          // name
  std::string filer_id;                       // IIN or BIN
  std::map<std::string, std::string> titles;  // file → declared title
};
FilingInfo read_filing_info(const std::filesystem::path& bundle_dir);

// notice.json: court, submission id, bundle, date, filer, and every rejecting reason with
// its file and page, message, requirement (basis) and action in kk and ru.
nlohmann::json make_notice(const nlohmann::json& report, const FilingInfo& info,
                           const rules::RuleSet& rules);
// receipt.json: registration number, court, time, filer, each document with its SHA-256.
nlohmann::json make_receipt(const nlohmann::json& report, const FilingInfo& info);

// The PDFs of those records (A4, as many pages as they need).
std::string render_notice_pdf(const nlohmann::json& notice, const rules::RuleSet& rules);
std::string render_receipt_pdf(const nlohmann::json& receipt, const rules::RuleSet& rules);

// The documents of a decided bundle's result/: notice.{json,pdf} when rejected,
// receipt.{json,pdf} when registered, nothing otherwise (name → bytes). Throws when they
// cannot be made; the outcome stands on report.json and they can be made again from it.
// Unsigned (the two overloads: with a signer, each document also gets its detached signature
// as <name>.p7s).
std::vector<std::pair<std::string, std::string>> outcome_documents(
    const nlohmann::json& report, const std::filesystem::path& bundle_dir,
    const rules::RuleSet& rules);
class OutcomeSigner;
std::vector<std::pair<std::string, std::string>> outcome_documents(
    const nlohmann::json& report, const std::filesystem::path& bundle_dir,
    const rules::RuleSet& rules, const OutcomeSigner* signer);

}  // namespace sot::outcome
