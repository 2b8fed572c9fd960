#include "signature/Gost.hpp"
#include "signature/SignatureVerifier.hpp"

namespace sot::signature {

bool GostVerifier::supports(std::string_view digest_oid, std::string_view signature_oid,
                            std::string_view key_oid) const {
  return gost::hash_of_digest_oid(digest_oid) && gost::hash_of_signature_oid(signature_oid) &&
         gost::is_key_oid(key_oid);
}

VerifyResult GostVerifier::verify(const SignerView& s) const {
  const auto digest_hash = gost::hash_of_digest_oid(s.digest_oid);
  const auto signature_hash = gost::hash_of_signature_oid(s.signature_oid);
  if (!digest_hash || !signature_hash)
    return {VerifyStatus::kSignatureInvalid, "not a GOST algorithm pair this verifier knows"};
  std::string why;
  bool unsupported = false;
  const auto key = gost::public_key(s.certificate, &why, &unsupported);
  if (!key)
    return {unsupported ? VerifyStatus::kUnsupported : VerifyStatus::kSignatureInvalid,
            "the signer's key: " + why};
  if (s.signed_attributes_der) {
    // messageDigest binds the content; the signature covers the DER SET of signed attributes.
    if (!s.message_digest)
      return {VerifyStatus::kSignatureInvalid, "signed attributes without a messageDigest"};
    if (gost::digest(*digest_hash, s.content) != *s.message_digest)
      return {VerifyStatus::kHashMismatch,
              "the digest of manifest.json differs from the signed messageDigest"};
    if (!gost::verify(*key, *signature_hash, *s.signed_attributes_der, s.signature))
      return {VerifyStatus::kSignatureInvalid,
              "the GOST signature over the signed attributes does not verify"};
    return {VerifyStatus::kValid, ""};
  }
  if (!gost::verify(*key, *signature_hash, s.content, s.signature))
    return {VerifyStatus::kSignatureInvalid, "the GOST signature over the content does not verify"};
  return {VerifyStatus::kValid, ""};
}

}  // namespace sot::signature
