// Kazakh GOST keys for the test PKI, made and used with libgcrypt: GOST 34.10-2015 512-bit
// (TC26 paramSetA curve, Streebog-512) and GOST 34.310-2004 (CryptoPro-A, GOST R 34.11-94 with
// the test S-box), laid out as NCA lays them out (OIDs under 1.2.398.3.10.1, coordinates,
// signature halves and the digest as little-endian numbers).
#pragma once

#include <string>
#include <string_view>

namespace sot::samples {

struct GostKey {
  bool gost2004 = false;
  std::string d;  // private scalar, big-endian
  std::string q;  // 04 ‖ X ‖ Y, big-endian
  // Written as the curve's parameter OID instead of NCA's (a curve no verifier knows).
  std::string parameters_oid_override;

  static GostKey generate(bool gost2004);

  const char* key_oid() const;
  const char* signature_oid() const;
  const char* digest_oid() const;
  // SubjectPublicKeyInfo parameters: SEQUENCE { curve, hash } as NCA writes them.
  std::string parameters_der() const;
  // The BIT STRING's content: a DER OCTET STRING of x ‖ y, each little-endian.
  std::string public_key_bits() const;

  std::string hash(std::string_view data) const;
  // r ‖ s, each little-endian, over the hash of `data`.
  std::string sign(std::string_view data) const;
};

}  // namespace sot::samples
