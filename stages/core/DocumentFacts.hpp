// Facts about one file of a bundle, computed once and shared by every stage that needs them
// (design: parse each document once). This slice holds what one sequential read gives:
// the size, the SHA-256 (streamed through OpenSSL) and the content-based format.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "core/Bundle.hpp"
#include "format/FormatIdentifier.hpp"

namespace sot {

struct DocumentFacts {
  std::uint64_t bytes = 0;
  std::optional<std::string> sha256;  // lower-case hex; unset if not computed (see error)
  format::Identification format;
  std::optional<std::string> error;  // the file could not be read: a processing failure
};

struct FactsLimits {
  std::uint64_t max_hash_bytes = 1ull << 30;  // larger files are not hashed (already too large)
  format::IdentifyLimits identify;
};

// Reads the file once: hashes it, keeps its first bytes and identifies the format.
DocumentFacts compute_facts(const Bundle& bundle, const FileEntry& entry,
                            const FactsLimits& limits);

// Lazily computed facts per file name, for the duration of one bundle's processing.
class DocumentFactsCache {
 public:
  DocumentFactsCache(const Bundle& bundle, FactsLimits limits) : bundle_(bundle), limits_(limits) {}
  // Facts for a regular, safely named file of the bundle; null for anything else.
  const DocumentFacts* get(const FileEntry& entry);

 private:
  const Bundle& bundle_;
  FactsLimits limits_;
  std::map<std::string, DocumentFacts> cache_;
};

}  // namespace sot
