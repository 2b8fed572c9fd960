// Decoding manifest.json.p7s and reading NCA identities from certificates.
#include <catch2/catch.hpp>

#include <openssl/x509.h>

#include <random>

#include "generator/TestPki.hpp"
#include "signature/CmsInput.hpp"
#include "signature/NcaIdentity.hpp"

using namespace sot::signature;
using sot::samples::SignatureEncoding;
using sot::samples::SignOptions;
using sot::samples::TestPki;

namespace {
std::string signed_as(SignatureEncoding e) {
  SignOptions o;
  o.encoding = e;
  return TestPki::shared().sign("individual", "{}", o);
}
X509Ptr certificate(const std::string& signer) {
  const std::string der = TestPki::shared().certificate_der(signer);
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  return X509Ptr(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
}
}  // namespace

TEST_CASE("all three encodings decode to the same CMS", "[signature]") {
  for (auto [e, expected] : {std::pair{SignatureEncoding::kDer, CmsEncoding::kDer},
                             {SignatureEncoding::kPemCms, CmsEncoding::kPem},
                             {SignatureEncoding::kPemPkcs7, CmsEncoding::kPem},
                             {SignatureEncoding::kBase64, CmsEncoding::kBase64}}) {
    const auto d = decode_cms(signed_as(e));
    INFO(d.failure);
    CHECK(d.cms);
    CHECK(d.encoding == expected);
  }
  // Base64 with line breaks and surrounding whitespace, as a web page may hand it over.
  std::string b64 = signed_as(SignatureEncoding::kBase64);
  for (size_t i = 76; i < b64.size(); i += 77) b64.insert(i, "\r\n");
  CHECK(decode_cms("  " + b64 + "\n").cms);
}

TEST_CASE("what is not a CMS SignedData says why", "[signature]") {
  CHECK_THAT(decode_cms("").failure, Catch::Contains("empty"));
  CHECK_THAT(decode_cms("hello").failure, Catch::Contains("not a CMS"));
  CHECK_THAT(decode_cms(TestPki::shared().certificate_der("individual")).failure,
             Catch::Contains("certificate"));
  CHECK_THAT(decode_cms("-----BEGIN CERTIFICATE-----\nMII=\n-----END CERTIFICATE-----\n").failure,
             Catch::Contains("certificate"));
  CHECK_THAT(decode_cms("-----BEGIN CMS-----\n!!!\n-----END CMS-----\n").failure,
             Catch::Contains("base64"));
  const std::string der = signed_as(SignatureEncoding::kDer);
  CHECK_FALSE(decode_cms(der.substr(0, der.size() / 3)).cms);
}

TEST_CASE("damaged signatures never crash the decoder", "[signature]") {
  const std::string der = signed_as(SignatureEncoding::kDer);
  std::mt19937 rng(11);
  for (int i = 0; i < 500; ++i) {
    std::string s = der;
    for (int k = 0; k < 4; ++k) s[rng() % s.size()] = static_cast<char>(rng());
    CHECK_NOTHROW(decode_cms(s));
  }
}

TEST_CASE("NCA identities", "[signature]") {
  const auto individual = read_nca_identity(certificate("individual").get());
  CHECK(individual.iin == "900101300126");
  CHECK_FALSE(individual.bin);
  CHECK(individual.display_name() == "АХМЕТОВ АРМАН");
  CHECK(individual.subject_type == "individual");

  const auto head = read_nca_identity(certificate("legal-head").get());
  CHECK(head.iin == "880515300091");
  CHECK(head.bin == "050140000656");
  CHECK(head.organization == "ЖШС «Мысал»");
  CHECK(head.role == "first_head");
  CHECK(head.has_signing_authority());

  const auto employee = read_nca_identity(certificate("legal-employee").get());
  CHECK(employee.role == "employee");
  CHECK_FALSE(employee.has_signing_authority());
}

TEST_CASE("signing versus authentication keys", "[signature]") {
  CHECK_FALSE(not_a_signing_certificate(certificate("individual").get()));
  CHECK_FALSE(not_a_signing_certificate(certificate("legal-head").get()));
  const auto why = not_a_signing_certificate(certificate("auth-key").get());
  REQUIRE(why);
  CHECK_THAT(*why, Catch::Contains("AUTH"));
  // digitalSignature alone is an authentication-style key; no usage extension restricts
  // nothing (RFC 5280).
  CHECK(not_a_signing_certificate(certificate("digital-signature-only").get()));
  CHECK_FALSE(not_a_signing_certificate(certificate("no-usage-extensions").get()));
}
