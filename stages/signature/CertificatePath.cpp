#include "signature/CertificatePath.hpp"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <functional>

#include "signature/Gost.hpp"
#include "signature/OpenSslPtr.hpp"
#include "signature/SignatureVerifier.hpp"

namespace sot::signature {

namespace {

constexpr int kMaxDepth = 10;
constexpr int kMaxSignatureChecks = 64;

bool same(X509* a, X509* b) {
  return X509_cmp(a, b) == 0;
}

// Could `issuer` have issued `cert`: names, key identifiers, CA status and key usage.
bool may_have_issued(X509* issuer, X509* cert) {
  if (X509_NAME_cmp(X509_get_subject_name(issuer), X509_get_issuer_name(cert)) != 0) return false;
  auto* akid = static_cast<AUTHORITY_KEYID*>(
      X509_get_ext_d2i(cert, NID_authority_key_identifier, nullptr, nullptr));
  const int akid_ok = X509_check_akid(issuer, akid);
  AUTHORITY_KEYID_free(akid);
  ERR_clear_error();
  if (akid_ok != X509_V_OK) return false;
  if (X509_check_ca(issuer) < 1) return false;
  if ((X509_get_extension_flags(issuer) & EXFLAG_KUSAGE) &&
      !(X509_get_key_usage(issuer) & KU_KEY_CERT_SIGN))
    return false;
  return true;
}

class PathSearch {
 public:
  PathSearch(const std::vector<X509*>& anchors, const std::vector<X509*>& untrusted,
             SignatureCache* cache)
      : anchors_(anchors), untrusted_(untrusted), cache_(cache) {}

  bool is_anchor(X509* c) const {
    return std::any_of(anchors_.begin(), anchors_.end(), [&](X509* a) { return same(a, c); });
  }

  // Extends `path` (non-empty) to an anchor; false when no extension works.
  bool extend(std::vector<X509*>& path) {
    X509* cur = path.back();
    if (is_anchor(cur)) return true;
    if (static_cast<int>(path.size()) > kMaxDepth) {
      note("the certificate path is longer than " + std::to_string(kMaxDepth), false,
           static_cast<int>(path.size()) - 1);
      return false;
    }
    for (const auto* pool : {&anchors_, &untrusted_})
      for (X509* cand : *pool) {
        if (std::any_of(path.begin(), path.end(), [&](X509* p) { return same(p, cand); })) continue;
        if (!may_have_issued(cand, cur)) continue;
        if (++checks_ > kMaxSignatureChecks) {
          note("too many candidate issuers", false, static_cast<int>(path.size()) - 1);
          return false;
        }
        const SignatureCheck c =
            cache_ ? cache_->certificate(cur, cand) : certificate_signed_by(cur, cand);
        if (!c.ok()) {
          const bool unsupported = c.status == SignatureCheck::Status::kUnsupported;
          note((unsupported ? "certificate signature not checkable: "
                            : "certificate signature failure: ") +
                   c.why,
               false, static_cast<int>(path.size()) - 1, unsupported);
          continue;
        }
        path.push_back(cand);
        if (extend(path)) return true;
        path.pop_back();
      }
    const bool self_signed =
        X509_NAME_cmp(X509_get_subject_name(cur), X509_get_issuer_name(cur)) == 0;
    note(self_signed ? "self-signed certificate in certificate chain"
                     : "unable to get local issuer certificate",
         true, static_cast<int>(path.size()) - 1);
    return false;
  }

  // The most telling failure: an issuer whose signature could not be checked (then nothing
  // can be said of the path) beats one whose signature failed, which beats a missing issuer.
  void note(std::string why, bool no_issuer, int depth, bool unsupported = false) {
    const int rank = unsupported ? 3 : no_issuer ? 1 : 2;
    if (!error_.empty() && rank < error_rank_) return;
    error_ = std::move(why);
    error_rank_ = rank;
    error_depth_ = depth;
  }

  std::string error_;
  int error_rank_ = 0;
  int error_depth_ = 0;

 private:
  const std::vector<X509*>& anchors_;
  const std::vector<X509*>& untrusted_;
  SignatureCache* cache_;
  int checks_ = 0;
};

}  // namespace

namespace {

using Status = SignatureCheck::Status;

// Signatures OpenSSL checks: what it cannot check is said so, not called invalid — unless the
// issuer's key is a Kazakh GOST key, which cannot have made a signature of another family.
SignatureCheck openssl_check(const X509_ALGOR* alg, X509* issuer,
                             const std::function<int(EVP_PKEY*)>& verify) {
  const ASN1_OBJECT* obj = nullptr;
  X509_ALGOR_get0(&obj, nullptr, nullptr, alg);
  const std::string oid = oid_text(obj);
  if (is_gost_oid(oid))
    return {Status::kUnsupported, "signature algorithm " + oid + " is not implemented"};
  EVP_PKEY* key = X509_get0_pubkey(issuer);
  if (!key) {
    ERR_clear_error();
    std::string why;
    if (gost::public_key(issuer, &why))
      return {Status::kInvalid, "a GOST key cannot have made a signature of " + oid};
    return {Status::kUnsupported, "the issuer's key cannot be read"};
  }
  if (verify(key) == 1) return {Status::kValid, ""};
  const std::string e = openssl_error();
  return {Status::kInvalid, "the signature does not verify" + (e.empty() ? "" : ": " + e)};
}

}  // namespace

namespace {

std::string sha256_of(X509* cert) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned len = 0;
  if (X509_digest(cert, EVP_sha256(), md, &len) != 1) return {};
  return std::string(reinterpret_cast<char*>(md), len);
}

std::string sha256_of(X509_CRL* crl) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned len = 0;
  if (X509_CRL_digest(crl, EVP_sha256(), md, &len) != 1) return {};
  return std::string(reinterpret_cast<char*>(md), len);
}

}  // namespace

SignatureCheck SignatureCache::remembered(const std::string& key,
                                          const std::function<SignatureCheck()>& check) {
  {
    std::lock_guard lock(mutex_);
    if (auto it = outcomes_.find(key); it != outcomes_.end()) return it->second;
  }
  SignatureCheck c = check();
  std::lock_guard lock(mutex_);
  if (outcomes_.size() < kMaxEntries) outcomes_.emplace(key, c);
  return c;
}

SignatureCheck SignatureCache::certificate(X509* cert, X509* issuer) {
  // Only CA certificates are shared by bundles; a filer's own is checked every time.
  if (X509_check_ca(cert) < 1) return certificate_signed_by(cert, issuer);
  const std::string a = sha256_of(cert), b = sha256_of(issuer);
  if (a.empty() || b.empty()) return certificate_signed_by(cert, issuer);
  return remembered("c" + a + b, [&] { return certificate_signed_by(cert, issuer); });
}

SignatureCheck SignatureCache::crl(X509_CRL* crl, X509* issuer) {
  const std::string a = sha256_of(crl), b = sha256_of(issuer);
  if (a.empty() || b.empty()) return crl_signed_by(crl, issuer);
  return remembered("l" + a + b, [&] { return crl_signed_by(crl, issuer); });
}

size_t SignatureCache::size() const {
  std::lock_guard lock(mutex_);
  return outcomes_.size();
}

SignatureCheck certificate_signed_by(X509* cert, X509* issuer) {
  const ASN1_BIT_STRING* sig = nullptr;
  const X509_ALGOR* alg = nullptr;
  X509_get0_signature(&sig, &alg, cert);
  if (gost::is_gost_signature(alg)) return gost::verify_certificate(cert, issuer);
  return openssl_check(alg, issuer, [&](EVP_PKEY* key) { return X509_verify(cert, key); });
}

SignatureCheck crl_signed_by(X509_CRL* crl, X509* issuer) {
  const ASN1_BIT_STRING* sig = nullptr;
  const X509_ALGOR* alg = nullptr;
  X509_CRL_get0_signature(crl, &sig, &alg);
  if (gost::is_gost_signature(alg)) return gost::verify_crl(crl, issuer);
  return openssl_check(alg, issuer, [&](EVP_PKEY* key) { return X509_CRL_verify(crl, key); });
}

bool needs_own_path_check(X509* cert) {
  const ASN1_BIT_STRING* sig = nullptr;
  const X509_ALGOR* alg = nullptr;
  X509_get0_signature(&sig, &alg, cert);
  return gost::is_gost_signature(alg);
}

CertificatePath build_certificate_path(X509* leaf, const std::vector<X509*>& anchors,
                                       const std::vector<X509*>& untrusted, long long at,
                                       SignatureCache* cache) {
  CertificatePath out;
  PathSearch search(anchors, untrusted, cache);
  std::vector<X509*> path{leaf};
  if (!search.extend(path)) {
    out.error = search.error_;
    out.no_issuer = search.error_rank_ <= 1;
    out.unsupported = search.error_rank_ == 3;
    out.error_depth = search.error_depth_;
    return out;
  }
  out.found = true;
  out.chain = std::move(path);
  for (size_t i = 0; i < out.chain.size(); ++i) {
    X509* c = out.chain[i];
    long long nb = 0, na = 0;
    const bool has_nb = asn1_time_seconds(X509_get0_notBefore(c), &nb);
    const bool has_na = asn1_time_seconds(X509_get0_notAfter(c), &na);
    CertificatePath::TimeError e = CertificatePath::TimeError::kNone;
    if (!has_nb || at < nb) e = CertificatePath::TimeError::kNotYetValid;
    if (!has_na || at > na) e = CertificatePath::TimeError::kExpired;
    if (e != CertificatePath::TimeError::kNone) {
      out.time_error = e;
      out.time_error_depth = static_cast<int>(i);
      out.time_error_cert = c;
      break;
    }
  }
  return out;
}

}  // namespace sot::signature
