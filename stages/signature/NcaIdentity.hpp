// Who a certificate says its holder is, read the way Kazakhstan's National Certification
// Authority (НУЦ РК / NCA) lays certificates out:
//   subject SERIALNUMBER = "IIN" + 12 digits (or "BIN" + 12 digits)
//   subject OU           = "BIN" + 12 digits for a legal entity's employee
//   CN = surname and given name, SURNAME = surname, GIVENNAME = the patronymic (NCA's use of
//   the attribute: the given name is only in CN), O for the organisation
//   extendedKeyUsage: 1.3.6.1.5.5.7.3.4 (signing key) or 1.3.6.1.5.5.7.3.2 (AUTH key), and the
//   subject-type policy OIDs 1.2.398.3.3.4.1.1 (individual), 1.2.398.3.3.4.1.2 (legal entity)
//   with roles .2.1 first head, .2.2 right to sign, .2.3 right to sign financial documents,
//   .2.4 HR, .2.5 employee.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <openssl/x509.h>

namespace sot::signature {

struct NcaIdentity {
  std::optional<std::string> iin;  // 12 digits, as written (not yet check-digit validated)
  std::optional<std::string> bin;
  std::string common_name;
  std::string surname;
  std::string given_name;
  std::string organization;
  std::string subject_type;       // "individual", "legal_entity" or "" (no NCA policy OID)
  std::string role;               // first_head, signing_right, financial_signing_right, hr,
                                  // employee, individual, or ""
  std::string key_purpose;        // "signing", "authentication" or "" (neither EKU)
  std::vector<std::string> ekus;  // dotted OIDs

  // May this holder sign for a legal entity on their own authority?
  bool has_signing_authority() const;
  // Display name: CN (NCA writes "SURNAME GIVEN-NAME" there); SURNAME GIVENNAME only when a
  // certificate has no CN.
  std::string display_name() const;
};

NcaIdentity read_nca_identity(X509* cert);

// Whether a certificate is a signing certificate; returns why not, or nullopt when it is one.
std::optional<std::string> not_a_signing_certificate(X509* cert);
// (keyUsage with nonRepudiation, or extendedKeyUsage 1.3.6.1.5.5.7.3.4, or no usage
// extension at all; an AUTH key — clientAuth without either — is not.)

}  // namespace sot::signature
