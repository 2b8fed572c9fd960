// Certificate paths built and checked by our own code, for the chains OpenSSL's verifier
// cannot check: certificates signed with Kazakh GOST keys, which OpenSSL parses but whose keys
// it cannot read. A path runs from the signer's certificate through issuers found among the
// configured anchors (first) and the untrusted certificates (the CMS's and the configured
// intermediates), matched by name and key identifier and proven by the issuer's signature,
// up to a configured anchor (any anchor ends a path, as with OpenSSL's partial chains). An
// issuer must be a CA (basicConstraints) whose keyUsage, when present, allows certificate
// signing. Validity at the validation time is checked afterwards on the path that was found,
// so that an expired certificate is reported as such and its revocation still checked.
//
// Security: the untrusted certificates are attacker-chosen; the search is bounded (depth and
// signature checks), a certificate appears once in a path, and no untrusted certificate ever
// ends one.
#pragma once

#include <functional>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include <openssl/x509.h>

#include "signature/Gost.hpp"

namespace sot::signature {

// Remembers the outcomes of signature checks on CA certificates and CRLs — a pure function of
// the two encodings, keyed by their SHA-256 — so that the CA certificates and CRLs every bundle
// shares are checked once per process, not once per bundle (a filer's own certificate is
// checked every time). Bounded (new outcomes are not
// kept once it is full, so a flood of attacker-made certificates cannot grow it); safe to
// share between threads.
class SignatureCache {
 public:
  static constexpr size_t kMaxEntries = 4096;
  SignatureCheck certificate(X509* cert, X509* issuer);
  SignatureCheck crl(X509_CRL* crl, X509* issuer);
  size_t size() const;

 private:
  SignatureCheck remembered(const std::string& key, const std::function<SignatureCheck()>& check);
  mutable std::mutex mutex_;
  std::unordered_map<std::string, SignatureCheck> outcomes_;
};

// Whether `issuer`'s key verifies the signature on `cert` (or `crl`); GOST by our verifier,
// every other algorithm by OpenSSL.
SignatureCheck certificate_signed_by(X509* cert, X509* issuer);
SignatureCheck crl_signed_by(X509_CRL* crl, X509* issuer);

// Whether OpenSSL's own chain verification can check this certificate's signature.
bool needs_own_path_check(X509* cert);

struct CertificatePath {
  bool found = false;
  std::vector<X509*> chain;  // the signer's certificate first, the anchor last (borrowed)
  std::string error;         // why no path was found
  bool no_issuer = false;    // no issuer at all (vs. an issuer whose signature failed)
  bool unsupported = false;  // an issuer whose signature could not be checked (algorithm)
  int error_depth = 0;
  // The first certificate of the path (from the signer's up) not valid at the time.
  enum class TimeError { kNone, kExpired, kNotYetValid } time_error = TimeError::kNone;
  int time_error_depth = 0;
  X509* time_error_cert = nullptr;
};

// `cache` (optional) remembers the signature checks made.
CertificatePath build_certificate_path(X509* leaf, const std::vector<X509*>& anchors,
                                       const std::vector<X509*>& untrusted, long long at,
                                       SignatureCache* cache = nullptr);

}  // namespace sot::signature
