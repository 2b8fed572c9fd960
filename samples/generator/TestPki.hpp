// A test PKI shaped like Kazakhstan's NCA: a root, the NCA intermediate that issues filers'
// certificates, and signers laid out as NCA lays them out (SERIALNUMBER=IIN…, OU=BIN…,
// SURNAME/GIVENNAME, the subject-type and role OIDs in extendedKeyUsage). Made fresh at
// build/test time with OpenSSL (nothing secret is committed), with fixed validity dates around
// the samples' submitted_at (2025-10-16), and CRLs. Signers are made on first use, so a test
// that needs one filer's key pays for that key only.
//
// Signers: individual, individual-ec (ECDSA P-256), legal-head (first head of ЖШС «Мысал»),
// legal-employee (an employee without signing right), auth-key (an NCA AUTH key), expired
// (before submission), not-yet-valid, revoked (before submission), revoked-later (after it),
// stale-crl (issued by a CA whose only CRL is stale), untrusted (from a root nobody trusts),
// rsa1024, and other-person (a valid certificate of someone who is not the filer).
//
// Beside it a GOST PKI as NCA's GOST branch: a GOST 34.10-2015 root, the NCA GOST CA (with a
// full and a delta CRL, both GOST-signed) and a time-stamping authority, with keys made by
// libgcrypt (GostKeys.hpp). GOST signers: gost-individual, gost-2004 (a GOST 34.310-2004 key),
// gost-legal-head, gost-legal-signright, gost-legal-employee, gost-auth-key, gost-expired,
// gost-not-yet-valid, gost-revoked, gost-revoked-later, gost-revoked-delta (listed only in
// the delta CRL), gost-untrusted, gost-other-person, gost-wrong-key (signs with a key that is
// not its certificate's), gost-unknown-curve (its key names a curve no verifier knows) and
// gost-under-unknown-curve (issued by a CA whose key does), gost-stale-crl (its CA's only CRL
// expired long before the filing).
#pragma once

#include <openssl/x509.h>

#include <memory>
#include <string>
#include <vector>

namespace sot::samples {

enum class SignatureEncoding { kDer, kPemCms, kPemPkcs7, kBase64 };

struct SignOptions {
  SignatureEncoding encoding = SignatureEncoding::kDer;
  bool sha1 = false;                    // digest SHA-1 instead of SHA-256
  bool pss = false;                     // RSASSA-PSS instead of PKCS#1 v1.5
  bool include_intermediate = true;     // put the issuing CA certificate in the CMS
  bool include_untrusted_root = false;  // also carry the untrusted root (never an anchor)
  bool gost_algorithm_oids = false;     // relabel the algorithms as Kazakh GOST
  bool unknown_algorithm_oids = false;  // relabel them as GOST R 34.10-2012 (Russian)
  // A GOST signer only: an RFC 3161 timestamp token of the test TSA with this genTime
  // (GeneralizedTime, e.g. "20251016104500Z"); "" for none.
  std::string timestamp;
  std::string signing_time = "251016104600Z";  // UTCTime of the signingTime attribute
};

class TestPki {
 public:
  TestPki();
  ~TestPki();
  TestPki(const TestPki&) = delete;
  TestPki& operator=(const TestPki&) = delete;

  // The PKI as one process makes it once (key generation is the slow part).
  static const TestPki& shared();

  // <dir>/trust/root.pem and gost-root.pem (the only anchors), <dir>/intermediates/*.pem,
  // <dir>/crl/ (the root's CRL as DER, the NCA CA's as PEM, the stale CA's, the GOST CA's full
  // and delta CRLs as DER), <dir>/untrusted/ (the roots and CAs nobody should trust, for tests
  // that try to smuggle them in).
  void write(const std::string& dir) const;

  // Detached CMS SignedData over `content` by the named signer.
  std::string sign(const std::string& signer, const std::string& content,
                   const SignOptions& options = {}) const;

  // A detached GOST CMS over `content` made with a key and certificate from elsewhere (NCA's
  // own test keys): `d_le` is the private scalar as NCA's PKCS#12 files hold it (the OCTET
  // STRING's bytes, little-endian); `chain` is carried in the CMS after the certificate.
  static std::string sign_gost_with(const std::string& d_le, X509* certificate,
                                    const std::vector<X509*>& chain, const std::string& content,
                                    const SignOptions& options = {});

  // A signer's certificate as DER (for "a certificate instead of a signature").
  std::string certificate_der(const std::string& signer) const;

  std::vector<std::string> signers() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sot::samples
