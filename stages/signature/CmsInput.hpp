// Decoding manifest.json.p7s as the portal may hand it over: DER, PEM ("CMS" or "PKCS7"
// armour) or bare base64 of the DER (NCALayer's signCms output), into a CMS ContentInfo.
//
// Security: untrusted bytes, bounded by the bundle's signature size limit before they get
// here; every failure is a reason string (the caller reports SIGNATURE_INVALID), never an
// exception. OpenSSL's DER parser is the only parser of the structure.
#pragma once

#include <string>
#include <string_view>

#include "signature/OpenSslPtr.hpp"

namespace sot::signature {

enum class CmsEncoding { kDer, kPem, kBase64 };
std::string_view to_string(CmsEncoding e);

struct DecodedCms {
  CmsPtr cms;  // null on failure
  CmsEncoding encoding = CmsEncoding::kDer;
  std::string failure;  // why it is not a usable CMS SignedData
};

DecodedCms decode_cms(std::string_view bytes);

}  // namespace sot::signature
