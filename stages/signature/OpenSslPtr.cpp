#include "signature/OpenSslPtr.hpp"

#include <openssl/asn1.h>
#include <openssl/err.h>
#include <openssl/objects.h>

#include <ctime>

namespace sot::signature {

std::string openssl_error() {
  std::string out;
  while (const unsigned long e = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    if (!out.empty()) out += "; ";
    out += buf;
  }
  return out;
}

bool asn1_time_seconds(const ASN1_TIME* t, long long* out) {
  if (!t) return false;
  std::tm tm{};
  if (ASN1_TIME_to_tm(t, &tm) != 1) return false;
  *out = static_cast<long long>(timegm(&tm));
  return true;
}

std::string asn1_time_text(const ASN1_TIME* t) {
  std::tm tm{};
  if (!t || ASN1_TIME_to_tm(t, &tm) != 1) return "";
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string oid_text(const ASN1_OBJECT* o) {
  if (!o) return "";
  char buf[128];
  const int n = OBJ_obj2txt(buf, sizeof buf, o, 1);
  if (n <= 0) return "";
  return std::string(buf, std::min<size_t>(static_cast<size_t>(n), sizeof buf - 1));
}

std::string name_text(const X509_NAME* n) {
  if (!n) return "";
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio) return "";
  X509_NAME_print_ex(bio.get(), n, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio.get(), &data);
  return len > 0 ? std::string(data, static_cast<size_t>(len)) : "";
}

}  // namespace sot::signature
