// The tar of a pre-flight draft (spec §6): untrusted bytes from the portal, read with
// libarchive and written by us, never by an extractor that follows what the archive says.
//
// Every entry is validated before anything is written: only `manifest.json`, the directory
// `files/` and regular files `files/<name>` (one safe name each, as a bundle's files must
// have), optionally under "./"; an absolute name, "..", a link (symbolic or hard), a device,
// a FIFO, a sparse entry, a name twice, or anything else is refused (400) and nothing is
// extracted. Entry count, each entry's size and the total are capped before extraction (413).
// A `manifest.json.p7s` is skipped: a draft is checked without its signature.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sot::preflight {

struct DraftLimits {
  std::uint32_t max_entries = 1002;              // files + manifest + directories
  std::uint64_t max_entry_bytes = 20ull << 20;   // one document (or the manifest)
  std::uint64_t max_total_bytes = 100ull << 20;  // all of them
  std::uint64_t manifest_max_bytes = 1ull << 20;
};

struct DraftProblem {
  int status = 400;  // 400: not a draft bundle's tar; 413: over a size limit
  std::string why;
};

struct DraftEntry {
  std::string name;  // "manifest.json", or a file's name under files/
  bool manifest = false;
  std::uint64_t size = 0;
};

// Reads every header; nullopt (and the entries) when the tar is an acceptable draft.
std::optional<DraftProblem> inspect_draft(std::string_view tar, const DraftLimits& limits,
                                          std::vector<DraftEntry>* entries = nullptr);

// inspect_draft, then writes manifest.json and files/<name> into `dir` (an existing, empty,
// private directory). Nothing is written unless every entry passed.
std::optional<DraftProblem> extract_draft(std::string_view tar, const DraftLimits& limits,
                                          const std::filesystem::path& dir);

// Fills a draft manifest's missing documents[].sha256 and bytes from the extracted files, as
// spec §6 allows the portal to leave them out. A manifest that is not a JSON object (or too
// large) is left as it is: the checks report it like any malformed manifest. A missing
// submitted_at is set to `submitted_at` when that is given (a draft is not submitted yet).
void complete_manifest(const std::filesystem::path& dir, std::uint64_t manifest_max_bytes,
                       const std::string& submitted_at = {});

}  // namespace sot::preflight
