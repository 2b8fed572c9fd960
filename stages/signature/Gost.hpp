// Kazakhstan's GOST signatures as NCA (НУЦ РК) and KalkanCrypt make them. Digests by libgcrypt
// (Streebog, GOST R 34.11-94); the curves are libgcrypt's (parameters read from its table) and
// the verification equation (GOST R 34.10 / GOST 34.310) runs on OpenSSL's EC arithmetic, which
// is about five times faster than gcry_pk_verify for 512-bit keys:
//
//   GOST 34.10-2015, 512-bit  signature 1.2.398.3.10.1.1.2.3.2, key 1.2.398.3.10.1.1.2.2 with
//                             parameters 1.2.398.3.10.1.1.2.2.1 = the TC26 512-bit paramSetA
//                             curve (RFC 7836), hash Streebog-512 (RFC 6986)
//   GOST 34.10-2015, 256-bit  signature 1.2.398.3.10.1.1.2.3.1, hash Streebog-256, on the curve
//                             the key's parameters name
//   GOST 34.310-2004          signature 1.2.398.3.10.1.1.1.2, key 1.2.398.3.10.1.1.1.1 with
//                             parameters 1.2.398.3.10.1.1.1.1.1 = the CryptoPro-A curve
//                             (RFC 4357), hash GOST R 34.11-94 with the test parameter S-box
//
// Byte order, unlike RFC 4491: the public key (the OCTET STRING inside the BIT STRING) is
// x ‖ y, each little-endian; a signature value is r ‖ s, each little-endian; the digest is read
// as a little-endian integer. CMS digest OIDs: 1.2.398.3.10.1.3.1 (GOST 34.11-94),
// 1.2.398.3.10.1.3.2 (Streebog-256), 1.2.398.3.10.1.3.3 (Streebog-512).
//
// Security: every input is untrusted (a filer's certificate and signature); a key or a
// signature of the wrong size is a failure with a reason, never an exception or a read past
// an end; a public key must be a point of its curve, r and s within (0, q).
#pragma once

#include <openssl/x509.h>

#include <optional>
#include <string>
#include <string_view>

namespace sot::signature {

// The outcome of checking one signature on a certificate or CRL.
struct SignatureCheck {
  enum class Status {
    kValid,
    kInvalid,      // it does not verify with this issuer's key (or cannot be that key's)
    kUnsupported,  // an algorithm or key parameters the checker does not implement
  };
  Status status = Status::kInvalid;
  std::string why;  // empty when valid
  bool ok() const { return status == Status::kValid; }
};

}  // namespace sot::signature

namespace sot::signature::gost {

enum class Hash { kGost94, kStreebog256, kStreebog512 };

// The hash a CMS digestAlgorithm OID names (also the imprint of a timestamp token).
std::optional<Hash> hash_of_digest_oid(std::string_view oid);
// The hash a GOST signature algorithm OID signs with.
std::optional<Hash> hash_of_signature_oid(std::string_view oid);
bool is_key_oid(std::string_view oid);

std::string digest(Hash h, std::string_view data);

struct PublicKey {
  std::string curve;  // libgcrypt's name or OID of the curve
  std::string q;      // uncompressed point 04 ‖ X ‖ Y, big-endian
};

// The GOST public key of a certificate; nullopt with `why` set when it is not one we read,
// and `*unsupported` (when given) true when it is a GOST key on parameters we do not know.
std::optional<PublicKey> public_key(X509* cert, std::string* why, bool* unsupported = nullptr);

// Verifies a KZ-layout signature value (r ‖ s, little-endian) over `data`.
bool verify(const PublicKey& key, Hash h, std::string_view data, std::string_view signature);

// Whether an X.509 signature algorithm (of a certificate or a CRL) is one of the GOST family.
bool is_gost_signature(const X509_ALGOR* alg);

// The GOST signature of `cert` (or `crl`) by `issuer`'s key.
SignatureCheck verify_certificate(X509* cert, X509* issuer);
SignatureCheck verify_crl(X509_CRL* crl, X509* issuer);

// The first element of a DER SEQUENCE (the to-be-signed part of a certificate or CRL) in
// `der`; "" when it is not one.
std::string_view first_element(std::string_view der);

}  // namespace sot::signature::gost
