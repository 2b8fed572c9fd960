// The signature stage against the test PKI: every code, the ETSI indications, the report's
// signature section, backlog validation times, and the verifier seam.
#include <catch2/catch.hpp>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <fstream>
#include <regex>

#include "generator/Der.hpp"
#include "rules/RuleSet.hpp"
#include "signature/SignatureStage.hpp"
#include "support/TestBundle.hpp"

using namespace sot;
using namespace sot::test;
using nlohmann::json;
using Codes = std::set<std::string>;
namespace fs = std::filesystem;

namespace {

PipelineResult signed_by(const std::string& signer, samples::SignOptions o = {}) {
  TempDir t;
  BundleBuilder b;
  b.signer = signer;
  b.sign_options = o;
  return run_pipeline(b.write(t.path()));
}

json detail_of(const PipelineResult& r, const std::string& code) {
  const auto f = findings_with(r, code);
  REQUIRE_FALSE(f.empty());
  return f[0].finding.detail;
}

std::string read_bytes(const fs::path& p) {
  return read_file(p);
}

}  // namespace

TEST_CASE("a clean signature passes in every encoding", "[signature]") {
  using E = samples::SignatureEncoding;
  for (auto [enc, name] : {std::pair{E::kDer, "DER"},
                           {E::kPemCms, "PEM"},
                           {E::kPemPkcs7, "PEM"},
                           {E::kBase64, "base64"}}) {
    samples::SignOptions o;
    o.encoding = enc;
    const auto r = signed_by("individual", o);
    INFO(name);
    CHECK(codes_of(r).empty());
    CHECK(r.sections["signature"]["indication"] == "TOTAL_PASSED");
    CHECK(r.sections["signature"]["encoding"] == name);
  }
}

TEST_CASE("ECDSA, RSA-PSS and an intermediate from the configured directory pass", "[signature]") {
  CHECK(codes_of(signed_by("individual-ec")).empty());
  samples::SignOptions pss;
  pss.pss = true;
  CHECK(codes_of(signed_by("individual", pss)).empty());
  samples::SignOptions no_chain;
  no_chain.include_intermediate = false;
  CHECK(codes_of(signed_by("individual", no_chain)).empty());
}

TEST_CASE("the signature section is what a clerk needs", "[signature]") {
  const auto r = signed_by("individual");
  const json& s = r.sections["signature"];
  CHECK(s["signer_name"] == "АХМЕТОВ АРМАН");
  CHECK(s["iin"] == "900101300126");
  CHECK(s["role"] == "individual");
  CHECK_FALSE(s["certificate_serial"].get<std::string>().empty());
  CHECK_THAT(s["issuer"].get<std::string>(), Catch::Contains("ҰЛТТЫҚ КУӘЛАНДЫРУШЫ ОРТАЛЫҚ"));
  CHECK(s["valid_from"] == "2025-01-01T00:00:00Z");
  CHECK(s["valid_to"] == "2026-01-01T00:00:00Z");
  CHECK(s["claimed_signing_time"] == "2025-10-16T10:46:00Z");
  CHECK(s["validation_time"] == "2025-10-16T10:46:00Z");
  CHECK(s["validation_time_source"] == "submitted_at");
  REQUIRE(s["crl_used"].size() == 2);  // the signer's and the intermediate's
  CHECK(s["crl_used"][0]["file"] == "nca-rsa.pem");
  CHECK(s["chain"].size() == 3);
}

TEST_CASE("SIGNATURE_MISSING and unusable signature files", "[signature]") {
  TempDir t;
  BundleBuilder b;
  const auto dir = b.write(t.path());
  const auto p7s = dir / "manifest.json.p7s";
  SECTION("missing") {
    fs::remove(p7s);
    const auto r = run_pipeline(dir);
    CHECK(codes_of(r) == Codes{"SIGNATURE_MISSING"});
    CHECK(detail_of(r, "SIGNATURE_MISSING")["indication"] == "TOTAL_FAILED");
  }
  SECTION("empty") {
    fs::resize_file(p7s, 0);
    CHECK(detail_of(run_pipeline(dir), "SIGNATURE_INVALID")["sub_indication"] == "FORMAT_FAILURE");
  }
  SECTION("truncated") {
    fs::resize_file(p7s, fs::file_size(p7s) - 40);
    CHECK(detail_of(run_pipeline(dir), "SIGNATURE_INVALID")["sub_indication"] == "FORMAT_FAILURE");
  }
  SECTION("a certificate instead of a CMS") {
    write_file(p7s, samples::TestPki::shared().certificate_der("individual"));
    CHECK_THAT(detail_of(run_pipeline(dir), "SIGNATURE_INVALID")["reason"].get<std::string>(),
               Catch::Contains("certificate"));
  }
  SECTION("a symbolic link") {
    fs::rename(p7s, t.path() / "elsewhere.p7s");
    fs::create_symlink(t.path() / "elsewhere.p7s", p7s);  // never followed
    CHECK(codes_of(run_pipeline(dir)) == Codes{"BUNDLE_MALFORMED", "SIGNATURE_INVALID"});
  }
  SECTION("PEM armour without its end") {
    samples::SignOptions o;
    o.encoding = samples::SignatureEncoding::kPemCms;
    std::string pem = samples::TestPki::shared().sign("individual", "x", o);
    write_file(p7s, pem.substr(0, pem.find("-----END")));
    CHECK(codes_of(run_pipeline(dir)) == Codes{"SIGNATURE_INVALID"});
  }
}

TEST_CASE("content that is not what was signed", "[signature]") {
  TempDir t;
  BundleBuilder b;
  const auto dir = b.write(t.path());
  SECTION("manifest edited after signing") {
    std::string m = read_bytes(dir / "manifest.json");
    m.replace(m.find("1500000"), 7, "9500000");
    write_file(dir / "manifest.json", m);
    const auto r = run_pipeline(dir);
    REQUIRE(codes_of(r) == Codes{"SIGNATURE_INVALID"});
    CHECK(detail_of(r, "SIGNATURE_INVALID")["sub_indication"] == "HASH_FAILURE");
    CHECK(r.sections["signature"]["indication"] == "TOTAL_FAILED");
  }
  SECTION("a document swapped after signing: the manifest's digest catches it") {
    write_file(dir / "files" / "Талап арыз.pdf", sample_pdf() + "% swapped\n");
    const auto r = run_pipeline(dir);
    CHECK(codes_of(r) == Codes{"DIGEST_MISMATCH"});
    CHECK(r.sections["signature"]["indication"] == "TOTAL_PASSED");
  }
  SECTION("a valid signature copied from another bundle") {
    write_file(dir / "manifest.json.p7s",
               samples::TestPki::shared().sign("individual", "{\"other\": 1}"));
    CHECK(detail_of(run_pipeline(dir), "SIGNATURE_INVALID")["sub_indication"] == "HASH_FAILURE");
  }
  SECTION("signed attributes tampered with") {
    std::string der = read_bytes(dir / "manifest.json.p7s");
    const auto at = der.find("251016104600Z");
    REQUIRE(at != std::string::npos);
    der[at + 5] = '7';
    write_file(dir / "manifest.json.p7s", der);
    CHECK(detail_of(run_pipeline(dir), "SIGNATURE_INVALID")["sub_indication"] ==
          "SIG_CRYPTO_FAILURE");
  }
}

TEST_CASE("certificate problems give their codes and indications", "[signature]") {
  struct Case {
    const char* signer;
    const char* code;
    const char* sub;
    Severity severity;
  };
  for (const Case& c : {
           Case{"untrusted", "CERT_UNTRUSTED", "NO_CERTIFICATE_CHAIN_FOUND", Severity::kReject},
           Case{"expired", "CERT_EXPIRED", "OUT_OF_BOUNDS_NO_POE", Severity::kReject},
           Case{"not-yet-valid", "CERT_EXPIRED", "NOT_YET_VALID", Severity::kReject},
           Case{"revoked", "CERT_REVOKED", "REVOKED", Severity::kReject},
           Case{"stale-crl", "REVOCATION_UNKNOWN", "TRY_LATER", Severity::kReview},
           Case{"auth-key", "CERT_KEY_USAGE", "SIG_CONSTRAINTS_FAILURE", Severity::kReject},
           Case{"rsa1024", "SIGNATURE_INVALID", "CRYPTO_CONSTRAINTS_FAILURE_NO_POE",
                Severity::kReject},
           Case{"other-person", "SIGNER_MISMATCH", "SIG_CONSTRAINTS_FAILURE", Severity::kReject},
       }) {
    INFO(c.signer);
    const auto r = signed_by(c.signer);
    REQUIRE(codes_of(r) == Codes{c.code});
    const auto f = findings_with(r, c.code)[0];
    CHECK(f.finding.detail["sub_indication"] == c.sub);
    CHECK(f.severity == c.severity);
    CHECK(r.sections["signature"]["indication"] != "TOTAL_PASSED");
  }
}

TEST_CASE("certificates carried in the CMS never become trust anchors", "[signature]") {
  samples::SignOptions o;
  o.include_untrusted_root = true;
  CHECK(codes_of(signed_by("untrusted", o)) == Codes{"CERT_UNTRUSTED"});
}

TEST_CASE("weak digests are refused", "[signature]") {
  samples::SignOptions o;
  o.sha1 = true;
  const auto r = signed_by("individual", o);
  REQUIRE(codes_of(r) == Codes{"SIGNATURE_INVALID"});
  CHECK_THAT(detail_of(r, "SIGNATURE_INVALID")["reason"].get<std::string>(),
             Catch::Contains("SHA-1"));
}

TEST_CASE("legal entities: head passes, employee without signing right goes to review",
          "[signature]") {
  TempDir t;
  BundleBuilder b;
  b.manifest["filer"] = {{"kind", "legal_entity"},
                         {"iin", "880515300091"},
                         {"bin", "050140000656"},
                         {"name", "ЖШС «Мысал»"}};
  SECTION("first head") {
    b.signer = "legal-head";
    const auto r = run_pipeline(b.write(t.path()));
    CHECK(codes_of(r).empty());
    CHECK(r.sections["signature"]["role"] == "first_head");
    CHECK(r.sections["signature"]["bin"] == "050140000656");
  }
  SECTION("employee") {
    b.signer = "legal-employee";
    const auto r = run_pipeline(b.write(t.path()));
    REQUIRE(codes_of(r) == Codes{"SIGNER_AUTHORITY"});
    CHECK(r.outcome == Outcome::kReview);
  }
  SECTION("an individual's certificate for a legal entity") {
    b.signer = "other-person";  // the right IIN, but no BIN
    CHECK(codes_of(run_pipeline(b.write(t.path()))) == Codes{"SIGNER_MISMATCH"});
  }
}

TEST_CASE("backlogs: the verdict of the filing day, whenever reprocessed", "[signature]") {
  TempDir t;
  const auto pipeline = build_pipeline(test_config());
  // Reprocessed in 2027: the certificate expired on 2026-01-01, after the filing.
  FixedClock later(std::chrono::sys_days{std::chrono::year{2027} / 3 / 1});
  BundleBuilder good("good");
  const auto r = pipeline->run(good.write(t.path()), later);
  CHECK(codes_of(r).empty());
  CHECK(r.sections["signature"]["validation_time"] == "2025-10-16T10:46:00Z");
  // Signed with a certificate that had already expired on the filing day.
  BundleBuilder bad("bad");
  bad.signer = "expired";
  CHECK(codes_of(pipeline->run(bad.write(t.path()), later)) == Codes{"CERT_EXPIRED"});
  // Revoked after the filing: still valid for that filing.
  BundleBuilder revoked_later("revoked-later");
  revoked_later.signer = "revoked-later";
  CHECK(codes_of(pipeline->run(revoked_later.write(t.path()), later)).empty());
}

TEST_CASE("a submitted_at in the future is not used as the validation time", "[signature]") {
  TempDir t;
  BundleBuilder b;
  b.manifest["submitted_at"] = "2099-01-01T00:00:00+05:00";
  const auto r = run_pipeline(b.write(t.path()));
  CHECK(codes_of(r) == Codes{"BUNDLE_MALFORMED"});  // no CERT_EXPIRED at 2099
  CHECK(r.sections["signature"]["validation_time_source"] == "signing_time");
}

TEST_CASE("no trust anchors configured is never the filer's fault", "[signature]") {
  TempDir t;
  Config c = test_config();
  c.trust_dir = t.path() / "empty";
  const auto r = run_pipeline(BundleBuilder().write(t.path()), c);
  CHECK(codes_of(r) == Codes{"PROCESSING_FAILED"});
  CHECK(r.outcome == Outcome::kReview);
}

TEST_CASE("a trust directory with a file that is not a certificate is a config error",
          "[signature]") {
  TempDir t;
  fs::create_directories(t.path() / "trust");
  write_file(t.path() / "trust" / "broken.pem", "not a certificate");
  CHECK_THROWS_WITH(signature::TrustStore::load(t.path() / "trust", {}, {}),
                    Catch::Contains("broken.pem"));
  write_file(t.path() / "crl.pem", "x");
  fs::create_directories(t.path() / "crl");
  write_file(t.path() / "crl" / "bad.crl", "x");
  CHECK_THROWS_WITH(signature::TrustStore::load({}, {}, t.path() / "crl"),
                    Catch::Contains("bad.crl"));
}

namespace {

// Stands in for a GOST verifier: supports the Kazakh GOST OIDs and answers as told, after
// checking that it was handed what an external verifier needs.
class FakeGostVerifier final : public signature::SignatureVerifier {
 public:
  explicit FakeGostVerifier(signature::VerifyStatus answer) : answer_(answer) {}
  std::string_view name() const override { return "fake-gost"; }
  bool supports(std::string_view digest, std::string_view sig, std::string_view) const override {
    return signature::is_gost_oid(digest) && signature::is_gost_oid(sig);
  }
  signature::VerifyResult verify(const signature::SignerView& s) const override {
    ++calls;
    saw_attributes = s.signed_attributes_der.has_value() && s.message_digest.has_value() &&
                     !s.signature.empty() && s.certificate != nullptr && !s.content.empty();
    return {answer_, "fake"};
  }
  mutable int calls = 0;
  mutable bool saw_attributes = false;

 private:
  signature::VerifyStatus answer_;
};

PipelineResult run_with(std::shared_ptr<const signature::SignatureVerifier> extra,
                        const fs::path& bundle) {
  const Config& c = test_config();
  auto trust = std::make_shared<const signature::TrustStore>(
      signature::TrustStore::load(c.trust_dir, c.intermediates_dir, c.crl_dir));
  std::vector<std::shared_ptr<const signature::SignatureVerifier>> verifiers{
      std::make_shared<signature::OpenSslVerifier>()};
  if (extra) verifiers.push_back(extra);
  std::vector<std::unique_ptr<const Stage>> stages;
  stages.push_back(std::make_unique<signature::SignatureStage>(trust, verifiers));
  Pipeline p(std::move(stages), std::make_shared<const rules::RuleSet>(rules::shipped_rules()), c);
  FixedClock clock(test_now());
  return p.run(bundle, clock);
}

}  // namespace

TEST_CASE("GOST without a verifier goes to review — a plugged-in verifier decides", "[signature]") {
  TempDir t;
  BundleBuilder b;
  b.sign_options.gost_algorithm_oids = true;
  const auto dir = b.write(t.path());
  SECTION("no GOST verifier") {
    const auto r = run_with(nullptr, dir);
    REQUIRE(codes_of(r) == Codes{"SIGNATURE_ALGORITHM_UNSUPPORTED"});
    CHECK(r.outcome == Outcome::kReview);
  }
  SECTION("a verifier that accepts") {
    auto v = std::make_shared<FakeGostVerifier>(signature::VerifyStatus::kValid);
    const auto r = run_with(v, dir);
    CHECK(codes_of(r).empty());
    CHECK(v->calls == 1);
    CHECK(v->saw_attributes);
    CHECK(r.sections["signature"]["verifier"] == "fake-gost");
  }
  SECTION("a verifier that refuses") {
    auto v = std::make_shared<FakeGostVerifier>(signature::VerifyStatus::kSignatureInvalid);
    const auto r = run_with(v, dir);
    REQUIRE(codes_of(r) == Codes{"SIGNATURE_INVALID"});
    CHECK(detail_of(r, "SIGNATURE_INVALID")["sub_indication"] == "SIG_CRYPTO_FAILURE");
  }
}

namespace {
// Checks with OpenSSL that SignerView's signed-attribute DER is exactly what was signed.
class DerCheckingVerifier final : public signature::SignatureVerifier {
 public:
  std::string_view name() const override { return "der-check"; }
  bool supports(std::string_view, std::string_view, std::string_view) const override {
    return true;
  }
  signature::VerifyResult verify(const signature::SignerView& s) const override {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    const auto* der = reinterpret_cast<const unsigned char*>(s.signed_attributes_der->data());
    const auto* sig = reinterpret_cast<const unsigned char*>(s.signature.data());
    const bool ok =
        EVP_DigestVerifyInit(ctx, nullptr, EVP_sha256(), nullptr,
                             X509_get0_pubkey(s.certificate)) == 1 &&
        EVP_DigestVerify(ctx, sig, s.signature.size(), der, s.signed_attributes_der->size()) == 1;
    EVP_MD_CTX_free(ctx);
    return {ok ? signature::VerifyStatus::kValid : signature::VerifyStatus::kSignatureInvalid, ""};
  }
};
}  // namespace

TEST_CASE("the seam hands external verifiers the exact signed bytes", "[signature]") {
  TempDir t;
  const auto dir = BundleBuilder().write(t.path());
  const Config& c = test_config();
  auto trust = std::make_shared<const signature::TrustStore>(
      signature::TrustStore::load(c.trust_dir, c.intermediates_dir, c.crl_dir));
  std::vector<std::unique_ptr<const Stage>> stages;
  stages.push_back(std::make_unique<signature::SignatureStage>(
      trust, std::vector<std::shared_ptr<const signature::SignatureVerifier>>{
                 std::make_shared<DerCheckingVerifier>()}));
  Pipeline p(std::move(stages), std::make_shared<const rules::RuleSet>(rules::shipped_rules()), c);
  FixedClock clock(test_now());
  CHECK(codes_of(p.run(dir, clock)).empty());
}

TEST_CASE("no verification shortcut is compiled into the product", "[signature]") {
  // Never a CMS_NO_*_VERIFY flag, never a chain check without a store.
  const std::regex no_verify("CMS_NO_[A-Z_]*VERIFY");
  const std::regex null_store(R"(X509_STORE_CTX_init\s*\([^,]*,\s*(nullptr|NULL|0)\s*,)");
  int files = 0;
  for (const auto& e : fs::recursive_directory_iterator(fs::path(SOT_SOURCE_DIR) / "stages")) {
    if (!e.is_regular_file()) continue;
    const std::string text = read_file(e.path());
    ++files;
    INFO(e.path().string());
    CHECK_FALSE(std::regex_search(text, no_verify));
    CHECK_FALSE(std::regex_search(text, null_store));
  }
  CHECK(files > 20);
}

TEST_CASE("revocation: the signer's issuer's CRL is required, an intermediate's is optional",
          "[signature]") {
  TempDir t;
  Config c = test_config();
  fs::create_directories(t.path() / "crl");
  SECTION("only the issuing CA's CRL") {
    fs::copy_file(test_pki_dir() / "crl" / "nca-rsa.pem", t.path() / "crl" / "nca-rsa.pem");
    c.crl_dir = t.path() / "crl";
    CHECK(codes_of(run_pipeline(BundleBuilder().write(t.path()), c)).empty());
  }
  SECTION("only the root's CRL") {
    fs::copy_file(test_pki_dir() / "crl" / "root.crl", t.path() / "crl" / "root.crl");
    c.crl_dir = t.path() / "crl";
    CHECK(codes_of(run_pipeline(BundleBuilder().write(t.path()), c)) ==
          Codes{"REVOCATION_UNKNOWN"});
  }
}

// ---- GOST (the test PKI's GOST branch, keys made with libgcrypt) ---------------------------

TEST_CASE("GOST 34.10-2015 and 34.310-2004 signatures verify like RSA ones", "[signature][gost]") {
  for (const char* signer : {"gost-individual", "gost-2004"}) {
    INFO(signer);
    const auto r = signed_by(signer);
    CHECK(codes_of(r).empty());
    const json& s = r.sections["signature"];
    CHECK(s["indication"] == "TOTAL_PASSED");
    CHECK(s["verifier"] == "gost");
    CHECK(s["chain"].size() == 3);
    CHECK(s["crl_used"][0]["file"] == "gost-nca.crl");
    CHECK(s["crl_used"][1]["file"] == "gost-nca-delta.crl");
    CHECK(s["crl_used"][1]["delta"] == true);
  }
  CHECK(signed_by("gost-2004").sections["signature"]["signature_algorithm"] ==
        "1.2.398.3.10.1.1.1.2");
}

TEST_CASE("every GOST certificate problem gives its code and only that", "[signature][gost]") {
  CHECK(codes_of(signed_by("gost-wrong-key")) == Codes{"SIGNATURE_INVALID"});
  CHECK(codes_of(signed_by("gost-untrusted")) == Codes{"CERT_UNTRUSTED"});
  CHECK(codes_of(signed_by("gost-expired")) == Codes{"CERT_EXPIRED"});
  CHECK(codes_of(signed_by("gost-not-yet-valid")) == Codes{"CERT_EXPIRED"});
  CHECK(codes_of(signed_by("gost-revoked")) == Codes{"CERT_REVOKED"});
  CHECK(codes_of(signed_by("gost-revoked-delta")) == Codes{"CERT_REVOKED"});
  CHECK(codes_of(signed_by("gost-revoked-later")).empty());
  CHECK(codes_of(signed_by("gost-auth-key")) == Codes{"CERT_KEY_USAGE"});
  CHECK(codes_of(signed_by("gost-stale-crl")) == Codes{"REVOCATION_UNKNOWN"});
  CHECK(codes_of(signed_by("gost-other-person")) == Codes{"SIGNER_MISMATCH"});
  samples::SignOptions smuggled;
  {
    // A curve the checker does not implement, for the key or for a CA on the path: review,
    // never "invalid" or "untrusted".
    const auto key = signed_by("gost-unknown-curve");
    CHECK(codes_of(key) == Codes{"SIGNATURE_ALGORITHM_UNSUPPORTED"});
    CHECK(key.outcome == Outcome::kReview);
    const auto chain = signed_by("gost-under-unknown-curve");
    CHECK(codes_of(chain) == Codes{"SIGNATURE_ALGORITHM_UNSUPPORTED"});
    CHECK(detail_of(chain, "SIGNATURE_ALGORITHM_UNSUPPORTED")["reason"].get<std::string>().find(
              "1.2.398.3.10.1.1.2.2.99") != std::string::npos);
  }
  smuggled.include_untrusted_root = true;  // a root in the CMS is never an anchor
  const auto r = signed_by("gost-untrusted", smuggled);
  REQUIRE(codes_of(r) == Codes{"CERT_UNTRUSTED"});
  CHECK(detail_of(r, "CERT_UNTRUSTED")["sub_indication"] == "NO_CERTIFICATE_CHAIN_FOUND");
}

TEST_CASE("a delta CRL counts only beside its base CRL", "[signature][gost]") {
  TempDir t;
  Config c = test_config();
  fs::create_directories(t.path() / "crl");
  fs::copy_file(test_pki_dir() / "crl" / "gost-nca-delta.crl", t.path() / "crl" / "delta.crl");
  c.crl_dir = t.path() / "crl";
  BundleBuilder b;
  b.signer = "gost-revoked-delta";
  const auto r = run_pipeline(b.write(t.path()), c);
  CHECK(codes_of(r) == Codes{"REVOCATION_UNKNOWN"});
}

TEST_CASE("a trusted timestamp is the best signature time", "[signature][gost]") {
  samples::SignOptions o;
  o.timestamp = "20251016104510Z";
  SECTION("a valid signature with a timestamp") {
    const auto r = signed_by("gost-individual", o);
    CHECK(codes_of(r).empty());
    const json& s = r.sections["signature"];
    CHECK(s["validation_time_source"] == "timestamp");
    CHECK(s["best_signature_time"] == "2025-10-16T10:45:10Z");
    CHECK(s["timestamp"]["trusted"] == true);
    CHECK(s["timestamp"]["tsa"].get<std::string>().find("TIME-STAMPING AUTHORITY") !=
          std::string::npos);
    CHECK(s["timestamp"]["chain"].size() == 3);
  }
  SECTION("expired at submitted_at, but stamped while valid") {
    o.signing_time = "250610090000Z";
    o.timestamp = "20250610090005Z";
    CHECK(codes_of(signed_by("gost-expired", o)).empty());
    o.timestamp.clear();  // the same signature without the proof: judged at submitted_at
    CHECK(codes_of(signed_by("gost-expired", o)) == Codes{"CERT_EXPIRED"});
  }
  SECTION("a timestamp after the certificate expired") {
    o.signing_time = "250610090000Z";
    o.timestamp = "20250701090000Z";
    const auto r = signed_by("gost-expired", o);
    REQUIRE(codes_of(r) == Codes{"CERT_EXPIRED"});
    CHECK(detail_of(r, "CERT_EXPIRED")["validation_time"] == "2025-07-01T09:00:00Z");
  }
  SECTION("a timestamp later than submitted_at") {
    o.timestamp = "20251020090000Z";
    const auto r = signed_by("gost-individual", o);
    REQUIRE(codes_of(r) == Codes{"BUNDLE_MALFORMED"});
    CHECK(detail_of(r, "BUNDLE_MALFORMED")["reason"].get<std::string>().find("timestamp") !=
          std::string::npos);
  }
}

TEST_CASE("the signature's own signing time is held to its certificate and to submitted_at",
          "[signature]") {
  samples::SignOptions o;
  for (const char* signer : {"individual", "gost-individual"}) {
    INFO(signer);
    o.signing_time = "251016104000Z";  // before submitted_at (10:46): fine
    CHECK(codes_of(signed_by(signer, o)).empty());
    o.signing_time = "251016104900Z";  // 3 minutes later: within the clock tolerance
    CHECK(codes_of(signed_by(signer, o)).empty());
    o.signing_time = "251020090000Z";  // four days after the filing was submitted
    const auto r = signed_by(signer, o);
    REQUIRE(codes_of(r) == Codes{"BUNDLE_MALFORMED"});
    CHECK(detail_of(r, "BUNDLE_MALFORMED")["reason"].get<std::string>().find("signingTime") !=
          std::string::npos);
  }
  for (const char* signer : {"expired", "gost-expired"}) {
    INFO(signer);
    // Valid 2024-01-01 … 2025-06-30: a signature claiming 2025-09-15 was made with an expired
    // key, whatever the validation time says.
    o.signing_time = "250915090000Z";
    const auto r = signed_by(signer, o);
    REQUIRE(codes_of(r) == Codes{"CERT_EXPIRED"});
    CHECK(findings_with(r, "CERT_EXPIRED").size() == 1);
  }
  // A certificate valid at submitted_at, but not yet when the signature says it was made.
  o.signing_time = "241231090000Z";
  const auto r = signed_by("individual", o);
  REQUIRE(codes_of(r) == Codes{"CERT_EXPIRED"});
  CHECK(detail_of(r, "CERT_EXPIRED")["sub_indication"] == "NOT_YET_VALID");
  CHECK(detail_of(r, "CERT_EXPIRED")["claimed_signing_time"] == "2024-12-31T09:00:00Z");
}

TEST_CASE("the signer is named by CN — NCA's GIVENNAME is the patronymic", "[signature]") {
  const auto r = signed_by("gost-legal-head");
  const json& s = r.sections.at("signature");
  CHECK(s["signer_name"] == "СЕРІКОВА АЙГҮЛ");  // not "СЕРІКОВА НҰРЛАНҚЫЗЫ"
  CHECK(s["subject"].get<std::string>().find("GN=НҰРЛАНҚЫЗЫ") != std::string::npos);
  CHECK(s["role"] == "first_head");
  CHECK(s["subject_type"] == "legal_entity");
  CHECK(s["key_purpose"] == "signing");
  CHECK(signed_by("gost-auth-key").sections["signature"]["key_purpose"] == "authentication");
}

TEST_CASE("a signature with more signers than a filing carries is refused before the work",
          "[signature]") {
  namespace der = samples::der;
  TempDir t;
  BundleBuilder b;
  b.signer = "gost-individual";
  const auto dir = b.write(t.path());
  // The same SignerInfo 2 and 17 times over.
  const std::string cms = read_file(dir / "manifest.json.p7s");
  const auto top = der::children(cms);
  auto sd = der::children(der::children(top.at(1)).at(0));
  const std::string one = der::children(sd.back()).at(0);
  for (int n : {2, 17}) {
    INFO(n);
    sd.back() = der::set_of(std::vector<std::string>(static_cast<size_t>(n), one));
    write_file(dir / "manifest.json.p7s", der::seq({top[0], der::tlv(0xA0, der::seq(sd))}));
    const auto r = run_pipeline(dir);
    if (n == 2) {
      CHECK(codes_of(r).empty());
      CHECK(r.sections["signature"]["signers"].size() == 2);
    } else {
      REQUIRE(codes_of(r) == Codes{"SIGNATURE_INVALID"});
      CHECK(detail_of(r, "SIGNATURE_INVALID")["reason"].get<std::string>().find("17 signers") !=
            std::string::npos);
    }
  }
}

TEST_CASE(
    "a filer's IIN that fails its check digit, carried in their own certificate, is one "
    "reason, not two",
    "[signature]") {
  TempDir t;
  BundleBuilder b;
  b.signer = "bad-check-digit";
  b.manifest["filer"]["iin"] = "900101300127";
  const auto r = run_pipeline(b.write(t.path()));
  // The number is wrong (FILER_ID_INVALID); the signer is the filer (no SIGNER_MISMATCH).
  CHECK(codes_of(r) == Codes{"FILER_ID_INVALID"});
  // A certificate of someone else is still someone else.
  BundleBuilder other("other");
  other.signer = "other-person";
  other.manifest["filer"]["iin"] = "900101300127";
  CHECK(codes_of(run_pipeline(other.write(t.path()))) ==
        Codes{"FILER_ID_INVALID", "SIGNER_MISMATCH"});
}
