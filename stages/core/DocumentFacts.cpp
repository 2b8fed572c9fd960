#include "core/DocumentFacts.hpp"

#include <openssl/evp.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace sot {

namespace {
constexpr size_t kHeaderBytes = 64 * 1024;
constexpr size_t kChunk = 1 << 20;

struct MdCtxFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};

std::string hex(const unsigned char* d, unsigned n) {
  static const char* digits = "0123456789abcdef";
  std::string out(n * 2, '0');
  for (unsigned i = 0; i < n; ++i) {
    out[2 * i] = digits[d[i] >> 4];
    out[2 * i + 1] = digits[d[i] & 15];
  }
  return out;
}
}  // namespace

DocumentFacts compute_facts(const Bundle& bundle, const FileEntry& entry,
                            const FactsLimits& limits) {
  DocumentFacts facts;
  std::string why;
  UniqueFd fd = bundle.open_file(entry, &why);
  if (!fd) {
    facts.error = "cannot open: " + why;
    return facts;
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) {
    facts.error = std::string("cannot stat: ") + std::strerror(errno);
    return facts;
  }
  facts.bytes = static_cast<std::uint64_t>(st.st_size);
  const bool hash = facts.bytes <= limits.max_hash_bytes;

  std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1) {
    facts.error = "OpenSSL SHA-256 unavailable";
    return facts;
  }
  std::string header;
  std::vector<char> buf(kChunk);
  std::uint64_t total = 0;
  for (;;) {
    if (!hash && header.size() >= kHeaderBytes) break;
    const ssize_t n = ::read(fd.get(), buf.data(), buf.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      facts.error = std::string("read error: ") + std::strerror(errno);
      return facts;
    }
    if (n == 0) break;
    if (header.size() < kHeaderBytes)
      header.append(buf.data(), std::min(static_cast<size_t>(n), kHeaderBytes - header.size()));
    if (hash) EVP_DigestUpdate(ctx.get(), buf.data(), static_cast<size_t>(n));
    total += static_cast<std::uint64_t>(n);
  }
  if (hash) {
    if (total != facts.bytes) {
      facts.error = "file changed size while being read";
      return facts;
    }
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned len = 0;
    EVP_DigestFinal_ex(ctx.get(), md, &len);
    facts.sha256 = hex(md, len);
  }
  facts.format = format::identify(fd.get(), header, facts.bytes, limits.identify);
  return facts;
}

namespace {
// Template and macro-enabled OOXML variants are opened as their family is: refused for the
// format, still examined for what they carry (macros are the reason they are refused).
std::string_view family_of(std::string_view format) {
  if (format == "docm" || format == "dotx" || format == "dotm") return "docx";
  if (format == "xlsm" || format == "xltx" || format == "xltm") return "xlsx";
  return format;
}
}  // namespace

const analysis::AnalysisFacts* DocumentFactsCache::analysis(const FileEntry& entry) {
  const DocumentFacts* facts = get(entry);
  if (!facts || facts->error || facts->bytes == 0 || facts->bytes > limits_.max_analysis_bytes ||
      (!allowed_formats_.count(facts->format.format) &&
       !allowed_formats_.count(family_of(facts->format.format))))
    return nullptr;
  auto& slot = cache_.at(entry.name);
  if (!slot.analysis) {
    std::string why;
    UniqueFd fd = bundle_.open_file(entry, &why);
    std::string data(static_cast<size_t>(facts->bytes), '\0');
    size_t got = 0;
    while (fd && got < data.size()) {
      const ssize_t n =
          ::pread(fd.get(), data.data() + got, data.size() - got, static_cast<off_t>(got));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      got += static_cast<size_t>(n);
    }
    if (got != data.size()) return nullptr;  // changed under us: the integrity stage says so
    slot.analysis = analysis::analyze(data, facts->format.format, limits_.analysis);
    slot.data = std::move(data);
  }
  return slot.analysis->analysed ? &*slot.analysis : nullptr;
}

const std::string* DocumentFactsCache::data(const FileEntry& entry) {
  if (!analysis(entry)) return nullptr;
  const auto& slot = cache_.at(entry.name);
  return slot.data ? &*slot.data : nullptr;
}

const DocumentFacts* DocumentFactsCache::get(const FileEntry& entry) {
  if (!entry.safe_name || entry.type != FileEntry::Type::kRegular) return nullptr;
  auto it = cache_.find(entry.name);
  if (it == cache_.end())
    it = cache_.emplace(entry.name, compute_facts(bundle_, entry, limits_)).first;
  return &it->second;
}

}  // namespace sot
