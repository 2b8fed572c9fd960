// Interoperability with NCA's own test PKI: certificates, CRLs and signatures made by
// KalkanCrypt and NCANode, taken from public repositories (tests/data/nca-real/README.md).
// Nobody here made them, so they check our GOST byte order, OIDs, paths and CRLs against the
// real thing: the real chains verify, the real CMS verify over their documents and fail on a
// changed byte, a real certificate under another key fails, real NCA test keys sign a bundle.
#include <catch2/catch.hpp>

#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/provider.h>
#include <openssl/x509.h>

#include <tuple>

#include "rules/RuleSet.hpp"
#include "signature/CertificatePath.hpp"
#include "signature/SignatureStage.hpp"
#include "support/TestBundle.hpp"

using namespace sot;
using namespace sot::test;
using nlohmann::json;
using Codes = std::set<std::string>;
namespace fs = std::filesystem;

namespace {

const fs::path& real_dir() {
  static const fs::path dir = fs::path(SOT_SOURCE_DIR) / "tests" / "data" / "nca-real";
  return dir;
}

std::string real_file(const std::string& name) {
  return read_file(real_dir() / name);
}

// 2026-09-01: inside the GOST 2022 test certificates' validity and the CA's CRL.
SysSeconds real_now() {
  return std::chrono::sys_days{std::chrono::year{2026} / 9 / 1};
}

Config real_config() {
  Config c = shipped_config();
  c.trust_dir = real_dir() / "trust";
  c.intermediates_dir = real_dir() / "intermediates";
  c.crl_dir = real_dir() / "crl";
  return c;
}

// The signature stage alone (the real documents are not bundles' manifests), with the
// product's verifiers, against NCA's test roots.
PipelineResult check_signature(const fs::path& bundle, SysSeconds now = real_now()) {
  const Config c = real_config();
  auto trust = std::make_shared<const signature::TrustStore>(
      signature::TrustStore::load(c.trust_dir, c.intermediates_dir, c.crl_dir));
  std::vector<std::unique_ptr<const Stage>> stages;
  stages.push_back(std::make_unique<signature::SignatureStage>(
      trust,
      std::vector<std::shared_ptr<const signature::SignatureVerifier>>{
          std::make_shared<signature::OpenSslVerifier>(),
          std::make_shared<signature::GostVerifier>()},
      c.clock_skew_seconds));
  Pipeline p(std::move(stages), std::make_shared<const rules::RuleSet>(rules::shipped_rules()), c);
  FixedClock clock(now);
  return p.run(bundle, clock);
}

fs::path bundle_of(const fs::path& root, const std::string& name, const std::string& content,
                   const std::string& signature) {
  const fs::path dir = root / name;
  fs::create_directories(dir / "files");
  write_file(dir / "manifest.json", content);
  write_file(dir / "manifest.json.p7s", signature);
  return dir;
}

std::string base64_decoded(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  std::string out(text.size(), '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(text.data()),
                                static_cast<int>(text.size()));
  REQUIRE(n > 0);
  size_t padding = 0;  // EVP_DecodeBlock counts the '=' padding as zero bytes
  for (auto it = text.rbegin(); it != text.rend() && *it == '='; ++it) ++padding;
  out.resize(static_cast<size_t>(n) - padding);
  return out;
}

struct X509Deleter {
  void operator()(X509* x) const { X509_free(x); }
};
using Cert = std::unique_ptr<X509, X509Deleter>;

Cert certificate(const std::string& name) {
  std::string data = real_file(name);
  BIO* bio = BIO_new_mem_buf(data.data(), static_cast<int>(data.size()));
  X509* x = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  if (!x) {
    if (data.rfind("MII", 0) == 0) data = base64_decoded(data);  // bare base64
    const auto* p = reinterpret_cast<const unsigned char*>(data.data());
    x = d2i_X509(nullptr, &p, static_cast<long>(data.size()));
  }
  ERR_clear_error();
  REQUIRE(x);
  return Cert(x);
}

struct X509CrlDeleter {
  void operator()(X509_CRL* x) const { X509_CRL_free(x); }
};

std::unique_ptr<X509_CRL, X509CrlDeleter> crl(const std::string& name) {
  const std::string data = real_file(name);
  const auto* p = reinterpret_cast<const unsigned char*>(data.data());
  X509_CRL* c = d2i_X509_CRL(nullptr, &p, static_cast<long>(data.size()));
  REQUIRE(c);
  return std::unique_ptr<X509_CRL, X509CrlDeleter>(c);
}

// A key of NCA's test PKCS#12 files: the certificate and the private scalar's bytes (the
// PKCS#8 OCTET STRING, little-endian). OpenSSL reads the container (its certificate bag is
// RC2-40 encrypted: the legacy provider) but not the GOST key, whose bytes we take as they are.
struct RealKey {
  Cert cert;
  std::string d_le;
};

RealKey real_key(const std::string& p12_name) {
  static OSSL_PROVIDER* legacy = OSSL_PROVIDER_load(nullptr, "legacy");
  static OSSL_PROVIDER* deflt = OSSL_PROVIDER_load(nullptr, "default");
  REQUIRE(legacy);
  REQUIRE(deflt);
  const std::string data = real_file("p12/" + p12_name);
  const auto* p = reinterpret_cast<const unsigned char*>(data.data());
  PKCS12* p12 = d2i_PKCS12(nullptr, &p, static_cast<long>(data.size()));
  REQUIRE(p12);
  RealKey out;
  STACK_OF(PKCS7)* safes = PKCS12_unpack_authsafes(p12);
  REQUIRE(safes);
  for (int i = 0; i < sk_PKCS7_num(safes); ++i) {
    PKCS7* p7 = sk_PKCS7_value(safes, i);
    STACK_OF(PKCS12_SAFEBAG)* bags = OBJ_obj2nid(p7->type) == NID_pkcs7_data
                                         ? PKCS12_unpack_p7data(p7)
                                         : PKCS12_unpack_p7encdata(p7, "Qwerty12", -1);
    REQUIRE(bags);
    for (int j = 0; j < sk_PKCS12_SAFEBAG_num(bags); ++j) {
      PKCS12_SAFEBAG* bag = sk_PKCS12_SAFEBAG_value(bags, j);
      if (PKCS12_SAFEBAG_get_nid(bag) == NID_certBag) out.cert.reset(PKCS12_SAFEBAG_get1_cert(bag));
      if (PKCS12_SAFEBAG_get_nid(bag) == NID_pkcs8ShroudedKeyBag) {
        PKCS8_PRIV_KEY_INFO* info = PKCS12_decrypt_skey(bag, "Qwerty12", -1);
        REQUIRE(info);
        const unsigned char* key = nullptr;
        int len = 0;
        PKCS8_pkey_get0(nullptr, &key, &len, nullptr, info);
        const unsigned char* q = key;
        ASN1_OCTET_STRING* os = d2i_ASN1_OCTET_STRING(nullptr, &q, len);
        REQUIRE(os);
        out.d_le.assign(reinterpret_cast<const char*>(ASN1_STRING_get0_data(os)),
                        static_cast<size_t>(ASN1_STRING_length(os)));
        ASN1_OCTET_STRING_free(os);
        PKCS8_PRIV_KEY_INFO_free(info);
      }
    }
    sk_PKCS12_SAFEBAG_pop_free(bags, PKCS12_SAFEBAG_free);
  }
  sk_PKCS7_pop_free(safes, PKCS7_free);
  PKCS12_free(p12);
  REQUIRE(out.cert);
  REQUIRE(out.d_le.size() == 64);
  return out;
}

const json& section(const PipelineResult& r) {
  return r.sections.at("signature");
}

}  // namespace

TEST_CASE("real KalkanCrypt GOST 2015 signatures verify over their own documents",
          "[signature][nca]") {
  TempDir t;
  for (auto [who, form] : {std::pair{"individual", "detached"},
                           {"individual", "attached"},
                           {"legal_entity", "detached"},
                           {"legal_entity", "attached"}}) {
    INFO(who << " " << form);
    const std::string name = std::string(who) + "_" + form;
    const auto r = check_signature(bundle_of(t.path(), name,
                                             real_file(std::string("cms/") + who + "_document.txt"),
                                             real_file("cms/" + name + ".der")));
    CHECK(codes_of(r).empty());
    const json& s = section(r);
    CHECK(s["indication"] == "TOTAL_PASSED");
    CHECK(s["verifier"] == "gost");
    CHECK(s["signature_algorithm"] == "1.2.398.3.10.1.1.2.3.2");
    CHECK(s["digest_algorithm"] == "1.2.398.3.10.1.3.3");
    // NCA: CN = surname and given name; GIVENNAME holds the patronymic.
    CHECK(s["signer_name"] == "ТЕСТОВ ТЕСТ");
    CHECK(s["iin"] == "123456789011");
    CHECK(s["key_purpose"] == "signing");
    CHECK(s["chain"].size() == 3);
    CHECK(s["crl_used"][0]["file"] == "nca_gost2022_test.crl");
    if (std::string(who) == "legal_entity") {
      CHECK(s["role"] == "first_head");
      CHECK(s["bin"] == "123456789021");
      CHECK(s["subject_type"] == "legal_entity");
    } else {
      CHECK(s["role"] == "individual");
    }
    // KalkanCrypt's timestamp token: of this signature and signed by the NCA TSA, whose
    // production chain is not among the test anchors, so its time is shown, not trusted.
    const json& ts = s["timestamp"];
    REQUIRE(ts.is_object());
    CHECK(ts["trusted"] == false);
    CHECK(ts["tsa"].get<std::string>().find("TIME-STAMPING AUTHORITY") != std::string::npos);
    CHECK(ts["reason"].get<std::string>().rfind("no path from the TSA", 0) == 0);
    CHECK(ts["time"].get<std::string>().rfind("2026-07-20T09:", 0) == 0);
    CHECK(s["validation_time_source"] == "signing_time");
  }
}

TEST_CASE("real KalkanCrypt signatures fail over other content or a changed byte",
          "[signature][nca]") {
  TempDir t;
  const std::string doc = real_file("cms/individual_document.txt");
  const std::string cms = real_file("cms/individual_detached.der");
  SECTION("the other signer's document") {
    const auto r = check_signature(
        bundle_of(t.path(), "other", real_file("cms/legal_entity_document.txt"), cms));
    REQUIRE(codes_of(r) == Codes{"SIGNATURE_INVALID"});
    CHECK(findings_with(r, "SIGNATURE_INVALID")[0].finding.detail["sub_indication"] ==
          "HASH_FAILURE");
  }
  SECTION("one byte of the document changed") {
    for (size_t at : {size_t{0}, doc.size() / 2, doc.size() - 1}) {
      std::string changed = doc;
      changed[at] = static_cast<char>(changed[at] ^ 0x01);
      const auto r = check_signature(bundle_of(t.path(), "b" + std::to_string(at), changed, cms));
      CHECK(codes_of(r) == Codes{"SIGNATURE_INVALID"});
    }
  }
  SECTION("one byte of the signature value changed") {
    const auto* p = reinterpret_cast<const unsigned char*>(cms.data());
    CMS_ContentInfo* ci = d2i_CMS_ContentInfo(nullptr, &p, static_cast<long>(cms.size()));
    REQUIRE(ci);
    const ASN1_OCTET_STRING* sig =
        CMS_SignerInfo_get0_signature(sk_CMS_SignerInfo_value(CMS_get0_SignerInfos(ci), 0));
    const std::string value(reinterpret_cast<const char*>(ASN1_STRING_get0_data(sig)),
                            static_cast<size_t>(ASN1_STRING_length(sig)));
    CMS_ContentInfo_free(ci);
    std::string changed = cms;
    const auto at = changed.find(value);
    REQUIRE(at != std::string::npos);
    changed[at + 10] = static_cast<char>(changed[at + 10] ^ 0x40);
    const auto r = check_signature(bundle_of(t.path(), "sig", doc, changed));
    REQUIRE(codes_of(r) == Codes{"SIGNATURE_INVALID"});
    CHECK(findings_with(r, "SIGNATURE_INVALID")[0].finding.detail["sub_indication"] ==
          "SIG_CRYPTO_FAILURE");
    // The timestamp stamps the original value: it is not of this signature any more.
    CHECK(section(r)["timestamp"]["reason"].get<std::string>().find("message imprint") !=
          std::string::npos);
  }
  SECTION("the signer's certificate in the CMS with a changed signature") {
    const Cert signer = certificate("cms/individual_signer.cer");
    const ASN1_BIT_STRING* cert_sig = nullptr;
    X509_get0_signature(&cert_sig, nullptr, signer.get());
    const std::string value(reinterpret_cast<const char*>(ASN1_STRING_get0_data(cert_sig)),
                            static_cast<size_t>(ASN1_STRING_length(cert_sig)));
    std::string changed = cms;
    const auto at = changed.find(value);
    REQUIRE(at != std::string::npos);
    changed[at + 5] = static_cast<char>(changed[at + 5] ^ 0x01);
    const auto r = check_signature(bundle_of(t.path(), "cert", doc, changed));
    // The CMS signature still verifies with the (unchanged) key; the certificate does not.
    REQUIRE(codes_of(r) == Codes{"CERT_UNTRUSTED"});
    const json d = findings_with(r, "CERT_UNTRUSTED")[0].finding.detail;
    CHECK(d["sub_indication"] == "CHAIN_CONSTRAINTS_FAILURE");
    CHECK(d["reason"].get<std::string>().find("certificate signature failure") !=
          std::string::npos);
  }
}

TEST_CASE("real NCA chains and CRLs: each verifies under its issuer, none under another key",
          "[signature][nca]") {
  const Cert root2022 = certificate("trust/root_test_gost_2022.cer");
  const Cert nca2022 = certificate("intermediates/nca_gost2022_test.cer");
  const Cert root2004 = certificate("trust/root_gost_test.pem");
  const Cert nca2004 = certificate("intermediates/nca_gost_test.pem");
  const Cert root_rsa = certificate("trust/root_rsa_test.pem");
  const Cert nca_rsa = certificate("intermediates/nca_rsa_test.pem");
  const Cert individual = certificate("cms/individual_signer.cer");
  const Cert legal = certificate("cms/legal_entity_signer.cer");
  const Cert ceo2004 = certificate("certs/ceo_valid_sign_2004_gost.cer");
  const Cert rsa_sign = certificate("certs/individual_valid_sign_2004_rsa.cer");

  using signature::certificate_signed_by;
  constexpr auto Invalid = signature::SignatureCheck::Status::kInvalid;
  // GOST 34.10-2015 (512) and GOST 34.310-2004, each with its own hash and curve.
  CHECK(certificate_signed_by(root2022.get(), root2022.get()).ok());
  CHECK(certificate_signed_by(nca2022.get(), root2022.get()).ok());
  CHECK(certificate_signed_by(individual.get(), nca2022.get()).ok());
  CHECK(certificate_signed_by(legal.get(), nca2022.get()).ok());
  CHECK(certificate_signed_by(root2004.get(), root2004.get()).ok());
  CHECK(certificate_signed_by(nca2004.get(), root2004.get()).ok());
  CHECK(certificate_signed_by(ceo2004.get(), nca2004.get()).ok());
  CHECK(certificate_signed_by(nca_rsa.get(), root_rsa.get()).ok());
  CHECK(certificate_signed_by(rsa_sign.get(), nca_rsa.get()).ok());
  // Under another key.
  CHECK(certificate_signed_by(individual.get(), root2022.get()).status == Invalid);
  CHECK(certificate_signed_by(nca2022.get(), nca2022.get()).status == Invalid);
  CHECK(certificate_signed_by(ceo2004.get(), root2004.get()).status == Invalid);
  CHECK(certificate_signed_by(individual.get(), nca2004.get()).status == Invalid);  // another curve
  CHECK(certificate_signed_by(rsa_sign.get(), nca2022.get()).status == Invalid);  // another family

  using signature::crl_signed_by;
  CHECK(crl_signed_by(crl("crl/nca_gost2022_test.crl").get(), nca2022.get()).ok());
  CHECK(crl_signed_by(crl("crl/nca_gost2022_d_test.crl").get(), nca2022.get()).ok());
  CHECK(crl_signed_by(crl("crl/nca_gost_test.crl").get(), nca2004.get()).ok());
  CHECK(crl_signed_by(crl("crl/nca_rsa_test.crl").get(), nca_rsa.get()).ok());
  CHECK(crl_signed_by(crl("crl/nca_gost2022_test.crl").get(), root2022.get()).status == Invalid);
  CHECK(crl_signed_by(crl("crl/nca_gost_test.crl").get(), nca2022.get()).status == Invalid);

  // Remembered outcomes are the same outcomes; a filer's certificate is not remembered.
  signature::SignatureCache cache;
  for (int i = 0; i < 2; ++i) {
    CHECK(cache.certificate(individual.get(), nca2022.get()).ok());
    CHECK(cache.certificate(nca2022.get(), root2022.get()).ok());
    CHECK(cache.certificate(nca2022.get(), nca2004.get()).status == Invalid);
    CHECK(cache.crl(crl("crl/nca_gost2022_test.crl").get(), nca2022.get()).ok());
    CHECK(cache.crl(crl("crl/nca_gost2022_test.crl").get(), root2022.get()).status == Invalid);
  }
  CHECK(cache.size() == 4);

  // A path from the anchors only through what the configuration and the CMS offer.
  const long long at = real_now().time_since_epoch().count();
  auto path = signature::build_certificate_path(individual.get(), {root2022.get()},
                                                {nca2004.get(), nca2022.get()}, at);
  CHECK(path.found);
  CHECK(path.chain.size() == 3);
  path = signature::build_certificate_path(individual.get(), {root2022.get()}, {}, at);
  CHECK_FALSE(path.found);
  CHECK(path.no_issuer);
  path = signature::build_certificate_path(individual.get(), {root2004.get()},
                                           {nca2022.get(), nca2004.get()}, at);
  CHECK_FALSE(path.found);  // the right CA, but no anchor above it
}

TEST_CASE("real NCANode GOST 2004 and RSA signatures — AUTH keys are not signing keys",
          "[signature][nca]") {
  TempDir t;
  // NCANode's attached CMS over "asdasd", signed in September 2020.
  const SysSeconds now = std::chrono::sys_days{std::chrono::year{2020} / 10 / 1};
  auto run = [&](const std::string& file) {
    return check_signature(bundle_of(t.path(), file, "asdasd",
                                     base64_decoded(real_file("cms/danikarik-" + file + ".cms"))),
                           now);
  };
  SECTION("GOST 34.310-2004, a legal entity's head") {
    const auto r = run("organization-active-GOSTKNCA_13a3741b52d7bf860aab199b56fad1f4652e357b");
    CHECK(codes_of(r).empty());
    CHECK(section(r)["signature_algorithm"] == "1.2.398.3.10.1.1.1.2");
    CHECK(section(r)["role"] == "first_head");
    CHECK(section(r)["signer_name"] == "ТЕСТОВ ТЕСТ");
  }
  SECTION("RSA, an individual's signing key") {
    const auto r = run("personal-active-RSA256_11c707bd54cbfcccb3815e39c4eb57b1dc7dfea9");
    CHECK(codes_of(r).empty());
    CHECK(section(r)["verifier"] == "openssl");
  }
  SECTION("RSA AUTH keys") {
    for (const char* f :
         {"personal-active-AUTH_RSA256_b2c70a9ff7a5dc59de0ccc3c0ddde3437cc1f12d",
          "organization-active-AUTH_RSA256_d682726b55b3e62600ea8fe1c74e75fc96f47790"}) {
      const auto r = run(f);
      CHECK(codes_of(r) == Codes{"CERT_KEY_USAGE"});
      CHECK(section(r)["key_purpose"] == "authentication");
    }
  }
  SECTION("GOST 34.310-2004 over other content") {
    const auto r = check_signature(
        bundle_of(t.path(), "other", "asdasf",
                  base64_decoded(real_file("cms/danikarik-organization-active-GOSTKNCA_"
                                           "13a3741b52d7bf860aab199b56fad1f4652e357b.cms"))),
        now);
    CHECK(codes_of(r) == Codes{"SIGNATURE_INVALID"});  // attached content ≠ manifest.json
  }
}

TEST_CASE("real NCA GOST 2015 test keys sign a bundle: roles, revocation, wrong key",
          "[signature][nca]") {
  TempDir t;
  const Cert nca2022 = certificate("intermediates/nca_gost2022_test.cer");
  samples::SignOptions o;
  o.signing_time = "260815090000Z";
  const std::string content = "{\"signed\": \"by a real NCA test key\"}\n";
  auto sign = [&](const RealKey& k, const std::string& name) {
    return check_signature(bundle_of(
        t.path(), name, content,
        samples::TestPki::sign_gost_with(k.d_le, k.cert.get(), {nca2022.get()}, content, o)));
  };
  // Signed while each certificate was valid and not yet revoked.
  for (auto [file, role, when] :
       {std::tuple{"legal-valid-head.p12", "first_head", "260815090000Z"},
        {"legal-valid-employee_signright.p12", "signing_right", "260815090000Z"},
        {"legal-valid-employee.p12", "employee", "260520090000Z"},
        {"individual-valid-individual_valid.p12", "individual", "260815090000Z"}}) {
    INFO(file);
    o.signing_time = when;
    const auto r = sign(real_key(file), file);
    CHECK(codes_of(r).empty());
    CHECK(section(r)["role"] == role);
    CHECK(section(r)["validation_time_source"] == "signing_time");
  }
  SECTION("the employee's key after the CA revoked it on 2026-06-02") {
    o.signing_time = "260815090000Z";
    const auto r = sign(real_key("legal-valid-employee.p12"), "employee-later");
    REQUIRE(codes_of(r) == Codes{"CERT_REVOKED"});
    CHECK(findings_with(r, "CERT_REVOKED")[0].finding.detail["revoked_at"] ==
          "2026-06-02T11:39:09Z");
  }
  SECTION("revoked on 2026-05-08, per the CA's CRL") {
    const auto r = sign(real_key("legal-revoked-head.p12"), "revoked");
    REQUIRE(codes_of(r) == Codes{"CERT_REVOKED"});
    CHECK(findings_with(r, "CERT_REVOKED")[0].finding.detail["revoked_at"] ==
          "2026-05-08T14:59:06Z");
  }
  SECTION("one real key under another's certificate") {
    RealKey head = real_key("legal-valid-head.p12");
    const RealKey employee = real_key("legal-valid-employee.p12");
    head.d_le = employee.d_le;
    const auto r = sign(head, "wrong-key");
    REQUIRE(codes_of(r) == Codes{"SIGNATURE_INVALID"});
    CHECK(findings_with(r, "SIGNATURE_INVALID")[0].finding.detail["sub_indication"] ==
          "SIG_CRYPTO_FAILURE");
  }
}
