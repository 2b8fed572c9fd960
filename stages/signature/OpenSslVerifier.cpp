#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>

#include "signature/OpenSslPtr.hpp"
#include "signature/SignatureVerifier.hpp"

namespace sot::signature {

namespace {
bool starts_with(std::string_view s, std::string_view p) {
  return s.size() >= p.size() && s.substr(0, p.size()) == p;
}
}  // namespace

bool is_gost_oid(std::string_view oid) {
  return starts_with(oid, "1.2.398.3.10.1") || starts_with(oid, "1.2.643.");
}

bool OpenSslVerifier::supports(std::string_view digest_oid, std::string_view signature_oid,
                               std::string_view key_oid) const {
  if (is_gost_oid(digest_oid) || is_gost_oid(signature_oid) || is_gost_oid(key_oid)) return false;
  const std::string d(digest_oid);
  ASN1_OBJECT* obj = OBJ_txt2obj(d.c_str(), 1);
  const EVP_MD* md = obj ? EVP_get_digestbyobj(obj) : nullptr;
  ASN1_OBJECT_free(obj);
  if (!md) return false;
  return key_oid == "1.2.840.113549.1.1.1"      // rsaEncryption
         || key_oid == "1.2.840.113549.1.1.10"  // RSASSA-PSS
         || key_oid == "1.2.840.10045.2.1";     // id-ecPublicKey
}

VerifyResult OpenSslVerifier::verify(const SignerView& s) const {
  ERR_clear_error();
  if (s.signed_attributes_der) {
    // The signature covers the signed attributes; messageDigest binds the content.
    if (CMS_SignerInfo_verify(s.signer_info) != 1)
      return {VerifyStatus::kSignatureInvalid,
              "the signature over the signed attributes does not verify: " + openssl_error()};
  }
  // The content is read through the digest BIOs CMS_dataInit sets up, one per digest
  // algorithm of the SignedData; verify_content then compares (or verifies) against them.
  BIO* content = BIO_new_mem_buf(s.content.data(), static_cast<int>(s.content.size()));
  if (!content) return {VerifyStatus::kSignatureInvalid, "out of memory"};
  BIO* chain = CMS_dataInit(s.cms, content);
  if (!chain) {
    BIO_free(content);
    return {VerifyStatus::kSignatureInvalid, "cannot digest the content: " + openssl_error()};
  }
  char buf[4096];
  while (BIO_read(chain, buf, sizeof buf) > 0) {
  }
  const int verified = CMS_SignerInfo_verify_content(s.signer_info, chain);
  while (chain != content) {  // free the digest BIOs, then the content
    BIO* next = BIO_pop(chain);
    BIO_free(chain);
    chain = next;
  }
  BIO_free(content);
  if (verified != 1) {
    const std::string why = openssl_error();
    if (s.signed_attributes_der)
      return {VerifyStatus::kHashMismatch,
              "the digest of manifest.json differs from the signed messageDigest"};
    return {VerifyStatus::kSignatureInvalid,
            "the signature over the content does not verify: " + why};
  }
  return {VerifyStatus::kValid, ""};
}

}  // namespace sot::signature
