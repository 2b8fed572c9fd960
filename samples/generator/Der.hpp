// A few DER building blocks for the test PKI's GOST certificates, CRLs and CMS, which OpenSSL
// cannot sign (it has no Kazakh GOST keys): leaves are encoded by OpenSSL, this only frames
// them (tag, length, content) and takes a structure apart into its elements.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace sot::samples::der {

std::string tlv(unsigned char tag, std::string_view content);
std::string seq(const std::vector<std::string>& parts);
// A SET OF in DER order (elements sorted by their encoding).
std::string set_of(std::vector<std::string> parts);
std::string oid(const char* dotted);
std::string integer(long value);
std::string octet(std::string_view bytes);
std::string bit_string(std::string_view bytes);  // no unused bits
std::string null();
std::string utc_time(const std::string& yymmddhhmmssz);
std::string generalized_time(const std::string& yyyymmddhhmmssz);
// AlgorithmIdentifier with NULL parameters.
std::string algorithm(const char* dotted);

// The elements inside the constructed TLV `der` (its content, split).
std::vector<std::string> children(std::string_view der);
// The content of the TLV `der`.
std::string content(std::string_view der);

}  // namespace sot::samples::der
