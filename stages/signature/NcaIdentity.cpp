#include "signature/NcaIdentity.hpp"

#include <openssl/objects.h>
#include <openssl/x509v3.h>

#include <algorithm>

#include "signature/OpenSslPtr.hpp"

namespace sot::signature {

namespace {

constexpr const char* kEkuSigning = "1.3.6.1.5.5.7.3.4";
constexpr const char* kEkuClientAuth = "1.3.6.1.5.5.7.3.2";

std::string entry_text(X509_NAME* name, int nid) {
  const int i = X509_NAME_get_index_by_NID(name, nid, -1);
  if (i < 0) return "";
  const ASN1_STRING* s = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, i));
  unsigned char* utf8 = nullptr;
  const int n = ASN1_STRING_to_UTF8(&utf8, s);
  if (n < 0) return "";
  std::string out(reinterpret_cast<char*>(utf8), static_cast<size_t>(n));
  OPENSSL_free(utf8);
  return out;
}

// "IIN900101300126" → "900101300126" for prefix "IIN".
std::optional<std::string> prefixed_number(const std::string& v, const char* prefix) {
  const std::string p(prefix);
  if (v.size() != p.size() + 12 || v.compare(0, p.size(), p) != 0) return std::nullopt;
  const std::string digits = v.substr(p.size());
  if (!std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return std::nullopt;
  return digits;
}

std::vector<std::string> ekus_of(X509* cert) {
  std::vector<std::string> out;
  auto* eku =
      static_cast<EXTENDED_KEY_USAGE*>(X509_get_ext_d2i(cert, NID_ext_key_usage, nullptr, nullptr));
  if (!eku) return out;
  for (int i = 0; i < sk_ASN1_OBJECT_num(eku); ++i)
    out.push_back(oid_text(sk_ASN1_OBJECT_value(eku, i)));
  EXTENDED_KEY_USAGE_free(eku);
  return out;
}

bool has(const std::vector<std::string>& v, const char* s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

}  // namespace

bool NcaIdentity::has_signing_authority() const {
  return role == "first_head" || role == "signing_right" || role == "financial_signing_right";
}

std::string NcaIdentity::display_name() const {
  if (!common_name.empty()) return common_name;
  if (!surname.empty() && !given_name.empty()) return surname + " " + given_name;
  return surname;
}

NcaIdentity read_nca_identity(X509* cert) {
  NcaIdentity id;
  X509_NAME* subject = X509_get_subject_name(cert);
  const std::string serial = entry_text(subject, NID_serialNumber);
  id.iin = prefixed_number(serial, "IIN");
  if (!id.iin) id.bin = prefixed_number(serial, "BIN");
  if (!id.iin && !id.bin) id.iin = prefixed_number(serial, "");  // twelve bare digits
  // A legal entity's certificate carries the entity's BIN in OU (possibly several OUs).
  for (int i = -1; (i = X509_NAME_get_index_by_NID(subject, NID_organizationalUnitName, i)) >= 0;) {
    const ASN1_STRING* s = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, i));
    unsigned char* utf8 = nullptr;
    const int n = ASN1_STRING_to_UTF8(&utf8, s);
    if (n < 0) continue;
    const std::string v(reinterpret_cast<char*>(utf8), static_cast<size_t>(n));
    OPENSSL_free(utf8);
    if (auto b = prefixed_number(v, "BIN")) id.bin = b;
  }
  id.common_name = entry_text(subject, NID_commonName);
  id.surname = entry_text(subject, NID_surname);
  id.given_name = entry_text(subject, NID_givenName);
  id.organization = entry_text(subject, NID_organizationName);
  id.ekus = ekus_of(cert);
  if (has(id.ekus, kEkuSigning))
    id.key_purpose = "signing";
  else if (has(id.ekus, kEkuClientAuth))
    id.key_purpose = "authentication";
  if (has(id.ekus, "1.2.398.3.3.4.1.1")) {
    id.subject_type = "individual";
    id.role = "individual";
  }
  if (has(id.ekus, "1.2.398.3.3.4.1.2") || id.bin) id.subject_type = "legal_entity";
  // The strongest role the certificate grants.
  static const std::pair<const char*, const char*> kRoles[] = {
      {"1.2.398.3.3.4.1.2.1", "first_head"},
      {"1.2.398.3.3.4.1.2.2", "signing_right"},
      {"1.2.398.3.3.4.1.2.3", "financial_signing_right"},
      {"1.2.398.3.3.4.1.2.4", "hr"},
      {"1.2.398.3.3.4.1.2.5", "employee"},
  };
  for (const auto& [oid, role] : kRoles)
    if (has(id.ekus, oid)) {
      id.role = role;
      break;
    }
  return id;
}

std::optional<std::string> not_a_signing_certificate(X509* cert) {
  const auto ekus = ekus_of(cert);
  if (has(ekus, kEkuSigning)) return std::nullopt;
  const uint32_t ku = X509_get_key_usage(cert);  // UINT32_MAX when the extension is absent
  const bool has_ku = (X509_get_extension_flags(cert) & EXFLAG_KUSAGE) != 0;
  // nonRepudiation (contentCommitment) is what makes a key a signing key; an NCA AUTH key
  // has digitalSignature + keyEncipherment and clientAuth.
  if (has_ku && (ku & KU_NON_REPUDIATION)) return std::nullopt;
  if (has(ekus, kEkuClientAuth))
    return "an authentication (AUTH) key: extendedKeyUsage clientAuth without signing usage";
  if (has_ku) return "keyUsage without nonRepudiation and no signing extendedKeyUsage";
  if (!ekus.empty()) return "extendedKeyUsage without the signing purpose";
  return std::nullopt;  // no usage restriction at all (RFC 5280 §4.2.1.3)
}

}  // namespace sot::signature
