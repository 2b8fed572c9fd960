// The validation material a court configures: trust anchors (a directory of PEM CA
// certificates), intermediate CA certificates, and CRLs (PEM or DER). Loaded once per
// configuration and immutable afterwards, so every worker thread verifies against the same
// store without locks; a reload builds a new TrustStore.
//
// Security: only certificates from the anchors directory are ever trust anchors. Intermediates
// (configured, or carried in a CMS) are untrusted path-building material. A file that does
// not parse is a configuration error naming it.
// Config keys: signature.trust_dir, signature.intermediates_dir, signature.crl_dir.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "signature/CertificatePath.hpp"
#include "signature/OpenSslPtr.hpp"

namespace sot::signature {

struct CrlEntry {
  X509CrlPtr crl;
  std::string file;  // where it was loaded from, for reports
};

class TrustStore {
 public:
  // Throws ConfigError for a directory that exists but cannot be read, or a file in it
  // that holds no certificate / CRL. A directory that does not exist loads as empty (the
  // stage then reports every signature as having no configured anchor).
  static TrustStore load(const std::filesystem::path& trust_dir,
                         const std::filesystem::path& intermediates_dir,
                         const std::filesystem::path& crl_dir);

  X509_STORE* anchors() const { return anchors_.get(); }
  // The same anchors as a list, for the paths our own code builds (GOST).
  const std::vector<X509*>& anchor_list() const { return anchor_list_; }
  size_t anchor_count() const { return anchor_count_; }
  const STACK_OF(X509) * intermediates() const { return intermediates_.get(); }
  const std::vector<CrlEntry>& crls() const { return crls_; }
  // Outcomes of the signature checks made against this material (see SignatureCache).
  SignatureCache& signature_cache() const { return *cache_; }
  const std::filesystem::path& trust_dir() const { return trust_dir_; }

  // For tests: a store from certificates and CRLs in memory.
  static TrustStore from(std::vector<X509*> anchors, std::vector<X509*> intermediates,
                         std::vector<X509_CRL*> crls);

 private:
  void keep_anchor(X509* x);

  X509StorePtr anchors_;
  X509StackPtr anchor_refs_;  // owns anchor_list_'s references
  std::vector<X509*> anchor_list_;
  size_t anchor_count_ = 0;
  X509StackPtr intermediates_;
  std::vector<CrlEntry> crls_;
  std::shared_ptr<SignatureCache> cache_ = std::make_shared<SignatureCache>();
  std::filesystem::path trust_dir_;
};

}  // namespace sot::signature
