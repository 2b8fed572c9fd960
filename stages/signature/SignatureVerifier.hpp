// The seam for signature algorithm families. The stage hands each signer to the first
// verifier that supports its algorithms; none → SIGNATURE_ALGORITHM_UNSUPPORTED (review).
// OpenSslVerifier covers RSA (PKCS#1 v1.5 and PSS) and ECDSA, GostVerifier Kazakh GOST
// 34.310-2004 / 34.10-2015 (OIDs under 1.2.398.3.10.1); another family plugs in here (an
// OpenSSL provider, or an external verifier process) without touching the stage.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <openssl/cms.h>

namespace sot::signature {

// One SignerInfo, in the forms a verifier may want: the algorithm OIDs, the bytes that were
// signed (the DER SET of signed attributes, or the content itself when there are none), the
// signature value, the claimed messageDigest, and OpenSSL's own objects.
struct SignerView {
  std::string digest_oid;
  std::string signature_oid;
  std::string key_oid;  // the signer certificate's public key algorithm
  const std::string& content;
  std::optional<std::string> signed_attributes_der;
  std::optional<std::string> message_digest;
  std::string signature;
  CMS_ContentInfo* cms;
  CMS_SignerInfo* signer_info;  // with the signer certificate set
  X509* certificate;
};

enum class VerifyStatus {
  kValid,
  kHashMismatch,      // the content's digest differs from messageDigest (content changed)
  kSignatureInvalid,  // the signature value does not verify with the certificate's key
  kUnsupported,       // the key's parameters are ones this verifier does not implement
};

struct VerifyResult {
  VerifyStatus status = VerifyStatus::kSignatureInvalid;
  std::string detail;
};

class SignatureVerifier {
 public:
  virtual ~SignatureVerifier() = default;
  virtual std::string_view name() const = 0;
  virtual bool supports(std::string_view digest_oid, std::string_view signature_oid,
                        std::string_view key_oid) const = 0;
  virtual VerifyResult verify(const SignerView& signer) const = 0;
};

// RSA (PKCS#1 v1.5, PSS) and ECDSA with the digests OpenSSL's default provider knows.
class OpenSslVerifier final : public SignatureVerifier {
 public:
  std::string_view name() const override { return "openssl"; }
  bool supports(std::string_view digest_oid, std::string_view signature_oid,
                std::string_view key_oid) const override;
  VerifyResult verify(const SignerView& signer) const override;
};

// Kazakhstan's GOST 34.10-2015 (512- and 256-bit) and GOST 34.310-2004 signatures (NCA's
// OIDs and byte order, see Gost.hpp), verified with libgcrypt.
class GostVerifier final : public SignatureVerifier {
 public:
  std::string_view name() const override { return "gost"; }
  bool supports(std::string_view digest_oid, std::string_view signature_oid,
                std::string_view key_oid) const override;
  VerifyResult verify(const SignerView& signer) const override;
};

// GOST families: Kazakhstan's (1.2.398.3.10.1…) and the GOST R 34.10/34.11 arcs (1.2.643…).
bool is_gost_oid(std::string_view oid);

}  // namespace sot::signature
