#include "signature/TrustStore.hpp"

#include <openssl/err.h>
#include <openssl/pem.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "config/Config.hpp"

namespace sot::signature {

namespace fs = std::filesystem;

namespace {

constexpr std::uintmax_t kMaxFileBytes = 64 << 20;

std::string read_all(const fs::path& p) {
  std::error_code ec;
  const auto size = fs::file_size(p, ec);
  if (ec) throw ConfigError(p.string() + ": cannot be read: " + ec.message());
  if (size > kMaxFileBytes) throw ConfigError(p.string() + ": larger than 64 MiB");
  std::ifstream in(p, std::ios::binary);
  if (!in) throw ConfigError(p.string() + ": cannot be read");
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Regular files of a directory in name order (links to files are followed: this is the
// administrator's directory, not the public's). A missing directory is empty.
std::vector<fs::path> files_in(const fs::path& dir) {
  std::vector<fs::path> out;
  if (dir.empty()) return out;
  std::error_code ec;
  if (!fs::exists(dir, ec)) return out;
  if (!fs::is_directory(dir, ec)) throw ConfigError(dir.string() + ": not a directory");
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.empty() || name.front() == '.') continue;
    if (it->is_regular_file()) out.push_back(it->path());
  }
  if (ec) throw ConfigError(dir.string() + ": cannot be listed: " + ec.message());
  std::sort(out.begin(), out.end());
  return out;
}

// Every certificate in a PEM file (one or a bundle), or the one DER certificate.
std::vector<X509Ptr> certificates_of(const fs::path& p) {
  const std::string data = read_all(p);
  std::vector<X509Ptr> out;
  BioPtr bio(BIO_new_mem_buf(data.data(), static_cast<int>(data.size())));
  while (X509* x = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) out.emplace_back(x);
  ERR_clear_error();
  if (out.empty()) {
    const auto* p8 = reinterpret_cast<const unsigned char*>(data.data());
    if (X509* x = d2i_X509(nullptr, &p8, static_cast<long>(data.size()))) out.emplace_back(x);
    ERR_clear_error();
  }
  if (out.empty()) throw ConfigError(p.string() + ": holds no certificate (PEM or DER)");
  return out;
}

std::vector<X509CrlPtr> crls_of(const fs::path& p) {
  const std::string data = read_all(p);
  std::vector<X509CrlPtr> out;
  BioPtr bio(BIO_new_mem_buf(data.data(), static_cast<int>(data.size())));
  while (X509_CRL* c = PEM_read_bio_X509_CRL(bio.get(), nullptr, nullptr, nullptr))
    out.emplace_back(c);
  ERR_clear_error();
  if (out.empty()) {
    const auto* p8 = reinterpret_cast<const unsigned char*>(data.data());
    if (X509_CRL* c = d2i_X509_CRL(nullptr, &p8, static_cast<long>(data.size())))
      out.emplace_back(c);
    ERR_clear_error();
  }
  if (out.empty()) throw ConfigError(p.string() + ": holds no CRL (PEM or DER)");
  return out;
}

}  // namespace

void TrustStore::keep_anchor(X509* x) {
  if (!anchor_refs_) anchor_refs_.reset(sk_X509_new_null());
  X509_up_ref(x);
  sk_X509_push(anchor_refs_.get(), x);
  anchor_list_.push_back(x);
}

TrustStore TrustStore::load(const fs::path& trust_dir, const fs::path& intermediates_dir,
                            const fs::path& crl_dir) {
  TrustStore t;
  t.trust_dir_ = trust_dir;
  t.anchors_.reset(X509_STORE_new());
  t.intermediates_.reset(sk_X509_new_null());
  if (!t.anchors_ || !t.intermediates_) throw ConfigError("out of memory loading trust anchors");
  for (const auto& f : files_in(trust_dir))
    for (auto& x : certificates_of(f)) {
      if (X509_STORE_add_cert(t.anchors_.get(), x.get()) == 1) {
        ++t.anchor_count_;
        t.keep_anchor(x.get());
      }
      ERR_clear_error();  // a duplicate is not an error
    }
  for (const auto& f : files_in(intermediates_dir))
    for (auto& x : certificates_of(f)) sk_X509_push(t.intermediates_.get(), x.release());
  for (const auto& f : files_in(crl_dir))
    for (auto& c : crls_of(f)) t.crls_.push_back({std::move(c), f.filename().string()});
  return t;
}

TrustStore TrustStore::from(std::vector<X509*> anchors, std::vector<X509*> intermediates,
                            std::vector<X509_CRL*> crls) {
  TrustStore t;
  t.anchors_.reset(X509_STORE_new());
  t.intermediates_.reset(sk_X509_new_null());
  for (X509* x : anchors) {
    X509_STORE_add_cert(t.anchors_.get(), x);
    ++t.anchor_count_;
    t.keep_anchor(x);
  }
  for (X509* x : intermediates) {
    X509_up_ref(x);
    sk_X509_push(t.intermediates_.get(), x);
  }
  for (X509_CRL* c : crls) {
    X509_CRL_up_ref(c);
    t.crls_.push_back({X509CrlPtr(c), "memory"});
  }
  return t;
}

}  // namespace sot::signature
