#include "generator/Der.hpp"

#include <openssl/asn1.h>
#include <openssl/objects.h>

#include <algorithm>
#include <stdexcept>

namespace sot::samples::der {

namespace {

template <typename T, typename F>
std::string encoded(T* obj, F i2d) {
  unsigned char* out = nullptr;
  const int n = i2d(obj, &out);
  if (n <= 0) throw std::runtime_error("DER: cannot encode");
  std::string s(reinterpret_cast<char*>(out), static_cast<size_t>(n));
  OPENSSL_free(out);
  return s;
}

struct Element {
  size_t header;
  size_t length;
};

Element element_at(std::string_view der) {
  const auto* start = reinterpret_cast<const unsigned char*>(der.data());
  const unsigned char* p = start;
  long len = 0;
  int tag = 0, cls = 0;
  if (ASN1_get_object(&p, &len, &tag, &cls, static_cast<long>(der.size())) & 0x80)
    throw std::runtime_error("DER: not a TLV");
  return {static_cast<size_t>(p - start), static_cast<size_t>(len)};
}

}  // namespace

std::string tlv(unsigned char tag, std::string_view content) {
  std::string out(1, static_cast<char>(tag));
  if (content.size() < 128) {
    out += static_cast<char>(content.size());
  } else {
    std::string len;
    for (size_t v = content.size(); v > 0; v >>= 8)
      len.insert(len.begin(), static_cast<char>(v & 0xFF));
    out += static_cast<char>(0x80 | len.size());
    out += len;
  }
  out.append(content);
  return out;
}

std::string seq(const std::vector<std::string>& parts) {
  std::string body;
  for (const auto& p : parts) body += p;
  return tlv(0x30, body);
}

std::string set_of(std::vector<std::string> parts) {
  std::sort(parts.begin(), parts.end());
  std::string body;
  for (const auto& p : parts) body += p;
  return tlv(0x31, body);
}

std::string oid(const char* dotted) {
  ASN1_OBJECT* o = OBJ_txt2obj(dotted, 1);
  if (!o) throw std::runtime_error(std::string("DER: bad OID ") + dotted);
  std::string s = encoded(o, i2d_ASN1_OBJECT);
  ASN1_OBJECT_free(o);
  return s;
}

std::string integer(long value) {
  ASN1_INTEGER* i = ASN1_INTEGER_new();
  ASN1_INTEGER_set(i, value);
  std::string s = encoded(i, i2d_ASN1_INTEGER);
  ASN1_INTEGER_free(i);
  return s;
}

std::string octet(std::string_view bytes) {
  return tlv(0x04, bytes);
}

std::string bit_string(std::string_view bytes) {
  return tlv(0x03, std::string(1, '\0') + std::string(bytes));
}

std::string null() {
  return std::string("\x05\x00", 2);
}

std::string utc_time(const std::string& t) {
  return tlv(0x17, t);
}

std::string generalized_time(const std::string& t) {
  return tlv(0x18, t);
}

std::string algorithm(const char* dotted) {
  return seq({oid(dotted), null()});
}

std::vector<std::string> children(std::string_view der) {
  const Element outer = element_at(der);
  std::string_view body = der.substr(outer.header, outer.length);
  std::vector<std::string> out;
  while (!body.empty()) {
    const Element e = element_at(body);
    out.emplace_back(body.substr(0, e.header + e.length));
    body.remove_prefix(e.header + e.length);
  }
  return out;
}

std::string content(std::string_view der) {
  const Element e = element_at(der);
  return std::string(der.substr(e.header, e.length));
}

}  // namespace sot::samples::der
