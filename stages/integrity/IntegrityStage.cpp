#include "integrity/IntegrityStage.hpp"

#include <map>

#include "core/FileName.hpp"

namespace sot::integrity {

void IntegrityStage::run(BundleContext& ctx, Findings& out) const {
  const Bundle& b = ctx.bundle;
  if (b.open_failure()) {
    out.add("PROCESSING_FAILED", {{"reason", *b.open_failure()}});
    return;
  }
  for (const auto& p : b.problems()) {
    nlohmann::json detail = {{"reason", p.reason}};
    if (!p.field.empty()) detail["field"] = p.field;
    if (p.file) {
      out.add_for_file("BUNDLE_MALFORMED", *p.file, std::move(detail));
    } else {
      out.add("BUNDLE_MALFORMED", std::move(detail));
    }
  }
  const Manifest* m = b.manifest();
  if (m) {
    const auto limit = ctx.arrival + std::chrono::seconds(skew_);
    if (m->submitted_at.utc > limit) {
      out.add("BUNDLE_MALFORMED",
              {{"field", "submitted_at"},
               {"reason", "submitted_at " + m->submitted_at_text +
                              " lies in the future of the bundle's arrival " +
                              format_rfc3339(ctx.arrival, m->submitted_at.offset_minutes)}});
    }
  }

  // Digests and duplicates over every regular file (duplicates are a fact of the content,
  // with or without a usable manifest).
  std::map<std::string, std::string> first_with_digest;
  for (const auto& f : b.files()) {
    const DocumentFacts* facts = ctx.facts.get(f);
    if (!facts) continue;
    if (facts->error) {
      out.add_for_file("PROCESSING_FAILED", f.name, {{"reason", *facts->error}});
      continue;
    }
    if (facts->bytes == 0 || !facts->sha256) continue;  // empty files are the size stage's
    auto [it, inserted] = first_with_digest.emplace(*facts->sha256, f.name);
    if (!inserted)
      out.add_for_file("DUPLICATE_FILE", f.name, {{"same_as", it->second}, {"sha256", it->first}});
  }

  if (!m) return;
  for (const auto& doc : m->documents) {
    const FileEntry* f = b.file(doc.file);
    if (!f) {
      if (!b.files_truncated()) out.add_for_file("FILE_MISSING", doc.file, {{"title", doc.title}});
      continue;
    }
    const DocumentFacts* facts = ctx.facts.get(*f);
    if (!facts || facts->error) continue;  // already reported (malformed or processing)
    if (facts->bytes != doc.bytes) {
      out.add_for_file("DIGEST_MISMATCH", doc.file,
                       {{"reason", "size " + std::to_string(facts->bytes) +
                                       " bytes, manifest says " + std::to_string(doc.bytes)},
                        {"expected_bytes", doc.bytes},
                        {"actual_bytes", facts->bytes}});
    } else if (facts->sha256 && *facts->sha256 != doc.sha256) {
      out.add_for_file("DIGEST_MISMATCH", doc.file,
                       {{"reason", "SHA-256 differs"},
                        {"expected_sha256", doc.sha256},
                        {"actual_sha256", *facts->sha256}});
    }
  }
  for (const auto& f : b.files()) {
    if (f.safe_name && f.type == FileEntry::Type::kRegular && !m->find_document(f.name))
      out.add_for_file("FILE_UNLISTED", f.name);
  }
}

}  // namespace sot::integrity
