// manifest.json of a `sot-bundle/1` bundle (spec §2): the model and its strict parser.
//
// Input: untrusted bytes. The parser never throws; every way the text can be wrong becomes a
// violation naming the field (JSON path, e.g. "documents[1].sha256") and the reason. A
// manifest with any violation is not handed to the stages that rely on it.
// Limits: size is checked by the caller before reading; nesting depth and element counts are
// bounded here (ManifestLimits) so a hostile manifest costs bounded time and memory.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/Time.hpp"

namespace sot {

inline constexpr std::string_view kBundleFormat = "sot-bundle/1";

struct Court {
  std::string region;
  std::string code;
};

struct Filer {
  std::string kind;  // individual | legal_entity
  std::optional<std::string> iin;
  std::optional<std::string> bin;
  std::string name;
  // Spec §5.1: self (a party, or a legal-entity party's head), representative (under a power
  // of attorney) or advocate (under a warrant); the parties acted for, by index; the number
  // of an electronic power of attorney in the e-notary registry.
  std::string capacity = "self";
  std::vector<std::size_t> represents = {};
  std::optional<std::string> authority_ref = std::nullopt;
};

struct Party {
  std::string role;
  std::string kind;
  bool resident = true;
  std::string name;
  std::optional<std::string> iin;
  std::optional<std::string> bin;
};

struct Payment {
  bool exempt = false;
  std::optional<std::string> exemption_basis;
  std::optional<double> claim_amount;
  std::optional<double> duty_amount;
  std::optional<std::string> receipt;
  std::optional<std::string> online_payment_id;
};

struct DocumentEntry {
  std::string file;
  std::string title;
  std::string role;    // main | attachment | payment_receipt | power_of_attorney | advocate_warrant
  std::string sha256;  // lower-case hex
  std::uint64_t bytes = 0;
};

struct Manifest {
  std::string format;
  std::string submission_id;
  std::string kind;
  std::string proceeding;
  Court court;
  std::optional<std::string> case_number;
  std::string submitted_at_text;
  Timestamp submitted_at;
  Filer filer;
  std::vector<Party> parties;
  std::optional<Payment> payment;
  std::vector<std::string> appendix;
  std::vector<DocumentEntry> documents;
  std::optional<std::chrono::year_month_day> circumstances_established_on;
  // Spec §5.2: the submission_id of an earlier, refused filing this one cures.
  std::optional<std::string> resubmission_of;

  const DocumentEntry* find_document(std::string_view file) const;
};

struct ManifestViolation {
  std::string field;  // JSON path, "" for the whole document
  std::string reason;
};

struct ManifestLimits {
  std::uint32_t max_depth = 32;
  std::uint32_t max_documents = 1000;
  std::uint32_t max_parties = 1000;
  std::uint32_t max_appendix = 1000;
  std::uint32_t max_string_bytes = 4096;
};

struct ManifestParseResult {
  std::optional<Manifest> manifest;  // set only when there is no violation
  // The submission id when that field itself is valid, even if others are not: a rejected
  // filing is still reported under the id the portal knows it by.
  std::optional<std::string> submission_id;
  // Likewise submitted_at: the signature's validation time even when another field is wrong.
  std::optional<Timestamp> submitted_at;
  // Likewise resubmission_of: the daemon looks the earlier filing up before the checks run.
  std::optional<std::string> resubmission_of;
  std::vector<ManifestViolation> violations;
};

ManifestParseResult parse_manifest(std::string_view bytes, const ManifestLimits& limits = {});

// The enumerations of spec §2.
bool is_known_kind(std::string_view kind);
bool is_known_proceeding(std::string_view proceeding);
bool is_known_document_role(std::string_view role);
// A submission id's shape: 1-64 characters of [A-Za-z0-9._-].
bool is_submission_id(std::string_view s);
const std::vector<std::string_view>& known_kinds();

}  // namespace sot
