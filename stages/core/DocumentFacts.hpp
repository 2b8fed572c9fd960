// Facts about one file of a bundle, computed once and shared by every stage that needs them
// (design: parse each document once). This slice holds what one sequential read gives:
// the size, the SHA-256 (streamed through OpenSSL) and the content-based format.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>

#include "analysis/DocumentAnalysis.hpp"
#include "core/Bundle.hpp"
#include "format/FormatIdentifier.hpp"

namespace sot {

struct DocumentFacts {
  std::uint64_t bytes = 0;
  std::optional<std::string> sha256;  // lower-case hex; unset if not computed (see error)
  format::Identification format;
  std::optional<std::string> error;  // the file could not be read: a processing failure
  // The document opened with its library (see analysis/DocumentAnalysis.hpp); computed on
  // first use by DocumentFactsCache::analysis.
  std::optional<analysis::AnalysisFacts> analysis;
  std::optional<std::string> data;  // the bytes, once read for the analysis
};

struct FactsLimits {
  std::uint64_t max_hash_bytes = 1ull << 30;  // larger files are not hashed (already too large)
  format::IdentifyLimits identify;
  analysis::AnalysisLimits analysis;
  std::uint64_t max_analysis_bytes = 64ull << 20;  // larger files are not opened
};

// Reads the file once: hashes it, keeps its first bytes and identifies the format.
DocumentFacts compute_facts(const Bundle& bundle, const FileEntry& entry,
                            const FactsLimits& limits);

// Lazily computed facts per file name, for the duration of one bundle's processing.
class DocumentFactsCache {
 public:
  // `allowed_formats`: the rules' whitelist; a file of another format is refused for that
  // alone and never opened with a parser.
  DocumentFactsCache(const Bundle& bundle, FactsLimits limits,
                     std::set<std::string, std::less<>> allowed_formats)
      : bundle_(bundle), limits_(limits), allowed_formats_(std::move(allowed_formats)) {}
  // Facts for a regular, safely named file of the bundle; null for anything else.
  const DocumentFacts* get(const FileEntry& entry);
  // The document analysis for such a file, or null when its format is outside the
  // whitelist or has no analyser, it could not be read, or it is larger than
  // max_analysis_bytes.
  const analysis::AnalysisFacts* analysis(const FileEntry& entry);
  // The bytes the analysis read (for the stages that render pages), or null as for analysis.
  const std::string* data(const FileEntry& entry);

 private:
  const Bundle& bundle_;
  FactsLimits limits_;
  std::set<std::string, std::less<>> allowed_formats_;
  std::map<std::string, DocumentFacts> cache_;
};

}  // namespace sot
