// The rejection notice and the receipt: made from a real report, rendered to PDF, read back
// with Poppler — the Kazakh letters ә ғ қ ң ө ұ ү һ і and the Russian texts intact, every
// reason with its place, requirement and action.
#include <catch2/catch.hpp>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <poppler-document.h>
#include <poppler-page.h>

#include "core/Report.hpp"
#include "generator/Documents.hpp"
#include "outcome/Notices.hpp"
#include "outcome/Signer.hpp"
#include "rules/RuleSet.hpp"
#include "support/TestBundle.hpp"

using namespace sot;
using namespace sot::test;
using json = nlohmann::json;
namespace fs = std::filesystem;

namespace {

std::string pdf_text(const std::string& pdf) {
  std::unique_ptr<poppler::document> doc(
      poppler::document::load_from_raw_data(pdf.data(), static_cast<int>(pdf.size())));
  REQUIRE(doc);
  std::string text;
  for (int i = 0; i < doc->pages(); ++i) {
    std::unique_ptr<poppler::page> p(doc->create_page(i));
    const auto bytes = p->text().to_utf8();
    text.append(bytes.begin(), bytes.end());
    text += '\n';
  }
  return text;
}

// A name with every letter of the Kazakh alphabet that Russian lacks.
const char* kFiler = "Шаһмардан Төлеубекұлы Әміржан Ғалымжан Қоңыр Үсен Бәкірұлы";

}  // namespace

TEST_CASE("a rejection notice says what, where, which rule and what to do, in kk and ru",
          "[notices]") {
  TempDir t;
  BundleBuilder b;
  b.documents[1].file = "Шарттың көшірмесі.pdf";
  b.documents[1].content = samples::make_scanned_pdf(150, "gray", 2, 148, 210);
  const fs::path dir = b.write(t.path());
  const auto rules = rules::shipped_rules();
  // The 150 dpi page reads clearly: a court that keeps the letter of the rule rejects it.
  std::string strict = read_file(fs::path(SOT_SOURCE_DIR) / "rules/rules.toml");
  const auto at = strict.find("low_resolution_readable = \"review\"");
  REQUIRE(at != std::string::npos);
  strict.replace(at, 34, "low_resolution_readable = \"reject\"");
  write_file(t.path() / "rules.toml", strict);
  Config config = test_config();
  config.rules_file = t.path() / "rules.toml";
  const json report = make_report(run_pipeline(dir, config), rules, 300);
  REQUIRE(report["outcome"] == "rejected");

  auto info = outcome::read_filing_info(dir);
  CHECK(info.court == "Астана");
  CHECK(info.court_code == "7110");
  CHECK(info.filer_id == "900101300126");
  CHECK(info.titles.at("Шарттың көшірмесі.pdf") == "Шарттың көшірмесі");
  info.filer = kFiler;
  const json notice = outcome::make_notice(report, info, rules);
  REQUIRE(notice["reasons"].size() == 1);
  const json& r = notice["reasons"][0];
  CHECK(r["code"] == "SCAN_RESOLUTION_LOW");
  CHECK(r["file"] == "Шарттың көшірмесі.pdf");
  CHECK(r["page"] == 1);
  CHECK_THAT(r["action"]["ru"].get<std::string>(), Catch::Contains("200"));
  CHECK_FALSE(r["requirement"]["kk"].get<std::string>().empty());
  CHECK(notice["submission_id"] == "197119107814937");

  const std::string text = pdf_text(outcome::render_notice_pdf(notice, rules));
  INFO(text);
  CHECK_THAT(text, Catch::Contains("Құжаттарды қабылдаудан бас тарту туралы хабарлама"));
  CHECK_THAT(text, Catch::Contains("Уведомление об отказе в приёме документов"));
  CHECK_THAT(text, Catch::Contains("Шарттың көшірмесі.pdf"));
  CHECK_THAT(text, Catch::Contains("197119107814937"));
  CHECK_THAT(text, Catch::Contains(report["bundle"].get<std::string>()));
  CHECK_THAT(text, Catch::Contains("Астана"));
  for (const char* letter : {"ә", "ғ", "қ", "ң", "ө", "ұ", "ү", "һ", "і", "Ә", "Ғ", "Қ", "Ө", "Ү"})
    CHECK_THAT(text, Catch::Contains(letter));
  CHECK_THAT(text, Catch::Contains(rules.code("SCAN_RESOLUTION_LOW")->action.kk.substr(0, 30)));
}

TEST_CASE("a receipt carries the registration number and every document's SHA-256", "[notices]") {
  TempDir t;
  BundleBuilder b;
  const fs::path dir = b.write(t.path());
  const auto rules = rules::shipped_rules();
  json report = make_report(run_pipeline(dir), rules, 300);
  REQUIRE(report["outcome"] == "registered");
  report["registration_number"] = "7110-2025-000042";
  const json receipt = outcome::make_receipt(report, outcome::read_filing_info(dir));
  CHECK(receipt["registration_number"] == "7110-2025-000042");
  REQUIRE(receipt["documents"].size() == 3);
  CHECK(receipt["documents"][0]["title"] == "Талап арыз");
  const std::string text = pdf_text(outcome::render_receipt_pdf(receipt, rules));
  INFO(text);
  CHECK_THAT(text, Catch::Contains("7110-2025-000042"));
  CHECK_THAT(text, Catch::Contains("Құжаттардың қабылданғаны туралы түбіртек"));
  CHECK_THAT(text, Catch::Contains("Квитанция о приёме документов"));
  for (const auto& d : receipt["documents"]) {
    CHECK_THAT(text, Catch::Contains(d["sha256"].get<std::string>()));
    CHECK_THAT(text, Catch::Contains(d["file"].get<std::string>()));
  }
}

TEST_CASE("a malformed manifest still gives a notice", "[notices]") {
  TempDir t;
  write_file(t.path() / "manifest.json", "{ not json");
  const auto info = outcome::read_filing_info(t.path());
  CHECK(info.filer.empty());
  const json report = {{"bundle", "b1"},
                       {"outcome", "rejected"},
                       {"findings", json::array({{{"code", "BUNDLE_MALFORMED"},
                                                  {"severity", "reject"},
                                                  {"stage", "integrity"},
                                                  {"file", nullptr},
                                                  {"page", nullptr},
                                                  {"detail", json::object()},
                                                  {"message", {{"kk", "к"}, {"ru", "р"}}}}})}};
  const auto rules = rules::shipped_rules();
  const json notice = outcome::make_notice(report, info, rules);
  CHECK(notice["reasons"].size() == 1);
  CHECK_THAT(pdf_text(outcome::render_notice_pdf(notice, rules)), Catch::Contains("b1"));
}

namespace {

// A court's signing key and self-signed certificate, written as PEM into `dir`.
void make_court_key(const fs::path& dir, const std::string& cn) {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  REQUIRE(key);
  X509* cert = X509_new();
  X509_set_version(cert, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert), 7110);
  X509_gmtime_adj(X509_getm_notBefore(cert), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert), 3600L * 24 * 365);
  X509_NAME* name = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
  X509_set_issuer_name(cert, name);
  X509_set_pubkey(cert, key);
  REQUIRE(X509_sign(cert, key, EVP_sha256()) > 0);
  FILE* k = std::fopen((dir / "court.key").c_str(), "w");
  PEM_write_PrivateKey(k, key, nullptr, nullptr, 0, nullptr, nullptr);
  std::fclose(k);
  FILE* c = std::fopen((dir / "court.pem").c_str(), "w");
  PEM_write_X509(c, cert);
  std::fclose(c);
  X509_free(cert);
  EVP_PKEY_free(key);
}

}  // namespace

TEST_CASE("receipts and notices are signed by the court — the signatures verify, tampering shows",
          "[notices][signed]") {
  TempDir t;
  fs::create_directories(t.path() / "court");
  fs::create_directories(t.path() / "other");
  make_court_key(t.path() / "court", "Астана қаласының мамандандырылған ауданаралық соты");
  make_court_key(t.path() / "other", "Someone else");
  const auto signer = outcome::OutcomeSigner::load(t.path() / "court" / "court.key",
                                                   t.path() / "court" / "court.pem");
  CHECK_THROWS(outcome::OutcomeSigner::load(t.path() / "court" / "court.key",
                                            t.path() / "other" / "court.pem"));
  const auto rules = rules::shipped_rules();
  for (const bool registered : {true, false}) {
    INFO(registered);
    BundleBuilder b(registered ? "registered" : "rejected");
    if (!registered) {  // no state duty paid: PAYMENT_MISSING
      b.manifest["payment"]["receipt"] = nullptr;
      b.manifest["appendix"] = {"Шарттың көшірмесі"};
      b.documents.pop_back();
    }
    const fs::path dir = b.write(t.path());
    const json report = make_report(run_pipeline(dir), rules, 300);
    REQUIRE(report["outcome"] == (registered ? "registered" : "rejected"));
    const auto docs = outcome::outcome_documents(report, dir, rules, signer.get());
    REQUIRE(docs.size() == 4);
    const fs::path result = dir / "result";
    fs::create_directories(result);
    for (const auto& [name, data] : docs) write_file(result / name, data);
    const std::string doc = registered ? "receipt" : "notice";
    CHECK(fs::exists(result / (doc + ".json.p7s")));
    CHECK(fs::exists(result / (doc + ".pdf.p7s")));
    auto checks = outcome::verify_outcome_signatures(result, t.path() / "court" / "court.pem");
    REQUIRE(checks.size() == 2);
    for (const auto& c : checks) {
      INFO(c.file << ": " << c.detail);
      CHECK(c.ok);
    }
    // Another court's certificate is not this one's.
    for (const auto& c : outcome::verify_outcome_signatures(result, t.path() / "other"))
      CHECK_FALSE(c.ok);
    // A changed byte, and a missing signature.
    std::string text = read_file(result / (doc + ".json"));
    text[text.size() / 2] ^= 1;
    write_file(result / (doc + ".json"), text);
    fs::remove(result / (doc + ".pdf.p7s"));
    checks = outcome::verify_outcome_signatures(result, t.path() / "court");
    REQUIRE(checks.size() == 2);
    CHECK_FALSE(checks[0].ok);
    CHECK_FALSE(checks[1].ok);
  }
}
