#include "signature/CmsInput.hpp"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>

#include <algorithm>
#include <cctype>

namespace sot::signature {

namespace {

bool starts_with(std::string_view s, std::string_view p) {
  return s.size() >= p.size() && s.substr(0, p.size()) == p;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// Strict base64 (whitespace ignored, '=' padding only at the end) to bytes.
bool base64_decode(std::string_view in, std::string* out) {
  std::string clean;
  clean.reserve(in.size());
  for (char c : in) {
    if (std::isspace(static_cast<unsigned char>(c))) continue;
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '/' || c == '='))
      return false;
    clean += c;
  }
  if (clean.empty() || clean.size() % 4 != 0) return false;
  const auto pad = clean.find('=');
  if (pad != std::string::npos &&
      (pad < clean.size() - 2 || clean.find_first_not_of('=', pad) != std::string::npos))
    return false;
  out->assign(clean.size() / 4 * 3, '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out->data()),
                                reinterpret_cast<const unsigned char*>(clean.data()),
                                static_cast<int>(clean.size()));
  if (n < 0) return false;
  const size_t padding = static_cast<size_t>(std::count(clean.end() - 2, clean.end(), '='));
  out->resize(static_cast<size_t>(n) - padding);
  return true;
}

bool looks_like_certificate(std::string_view der) {
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  X509* x = d2i_X509(nullptr, &p, static_cast<long>(der.size()));
  if (!x) return false;
  X509_free(x);
  return true;
}

DecodedCms parse_der(std::string_view der, CmsEncoding enc) {
  DecodedCms out;
  out.encoding = enc;
  if (der.empty()) {
    out.failure = "the signature file is empty";
    return out;
  }
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  CMS_ContentInfo* cms = d2i_CMS_ContentInfo(nullptr, &p, static_cast<long>(der.size()));
  if (!cms) {
    const std::string why = openssl_error();
    out.failure = looks_like_certificate(der)
                      ? "the file holds an X.509 certificate, not a CMS signature"
                      : "not a CMS structure (truncated or damaged DER: " + why + ")";
    ERR_clear_error();
    return out;
  }
  out.cms.reset(cms);
  if (OBJ_obj2nid(CMS_get0_type(cms)) != NID_pkcs7_signed) {
    out.failure = "the CMS is not SignedData (content type " + oid_text(CMS_get0_type(cms)) + ")";
    out.cms.reset();
  }
  return out;
}

}  // namespace

std::string_view to_string(CmsEncoding e) {
  switch (e) {
    case CmsEncoding::kDer:
      return "DER";
    case CmsEncoding::kPem:
      return "PEM";
    case CmsEncoding::kBase64:
      return "base64";
  }
  return "DER";
}

DecodedCms decode_cms(std::string_view bytes) {
  const std::string_view text = trim(bytes);
  if (text.empty()) return parse_der({}, CmsEncoding::kDer);
  if (starts_with(text, "-----BEGIN ")) {
    // PEM: either armour; the body is base64 of the same DER.
    const auto eol = text.find('\n');
    const std::string_view header = text.substr(0, eol);
    const bool known = header.find("-----BEGIN CMS-----") == 0 ||
                       header.find("-----BEGIN PKCS7-----") == 0 ||
                       header.find("-----BEGIN PKCS #7 SIGNED DATA-----") == 0;
    if (!known) {
      DecodedCms out;
      out.encoding = CmsEncoding::kPem;
      out.failure = header.find("CERTIFICATE") != std::string_view::npos
                        ? "the file holds a PEM certificate, not a CMS signature"
                        : "unknown PEM armour '" + std::string(header.substr(0, 64)) + "'";
      return out;
    }
    const auto end = text.find("-----END ");
    if (eol == std::string_view::npos || end == std::string_view::npos || end < eol) {
      DecodedCms out;
      out.encoding = CmsEncoding::kPem;
      out.failure = "PEM armour without its END line (truncated)";
      return out;
    }
    std::string der;
    if (!base64_decode(text.substr(eol + 1, end - eol - 1), &der)) {
      DecodedCms out;
      out.encoding = CmsEncoding::kPem;
      out.failure = "PEM body is not valid base64";
      return out;
    }
    return parse_der(der, CmsEncoding::kPem);
  }
  if (static_cast<unsigned char>(bytes.front()) == 0x30) return parse_der(bytes, CmsEncoding::kDer);
  std::string der;
  if (base64_decode(text, &der)) return parse_der(der, CmsEncoding::kBase64);
  return parse_der(bytes, CmsEncoding::kDer);
}

}  // namespace sot::signature
