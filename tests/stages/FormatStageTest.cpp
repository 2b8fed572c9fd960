#include <catch2/catch.hpp>

#include "generator/Documents.hpp"
#include "support/TestBundle.hpp"

using namespace sot;
using namespace sot::test;

namespace {
std::set<std::string> codes_with_attachment(const std::string& name, const std::string& content) {
  TempDir t;
  BundleBuilder b;
  b.documents[1].file = name;
  b.documents[1].content = content;
  return codes_of(run_pipeline(b.write(t.path())));
}
using Codes = std::set<std::string>;
}  // namespace

TEST_CASE("whitelisted formats with matching names pass", "[format]") {
  CHECK(codes_with_attachment("Шарт.pdf", sample_contract_pdf() + "%x\n").empty());
  CHECK(codes_with_attachment("Шарт.JPG", sample_jpeg()).empty());
  CHECK(codes_with_attachment("Шарт.docx", samples::make_docx("Ш", {"м"})).empty());
  CHECK(codes_with_attachment("Шарт.xlsx", samples::make_xlsx({{"a"}})).empty());
  CHECK(codes_with_attachment("Шарт.doc", samples::make_doc("м")).empty());
}

TEST_CASE("FORMAT_NOT_ALLOWED: content outside the whitelist", "[format]") {
  CHECK(codes_with_attachment("Шарт.png", samples::make_png("x")) == Codes{"FORMAT_NOT_ALLOWED"});
  CHECK(codes_with_attachment("Шарт.docm", samples::make_docx("Ш", {"м"}, true)) ==
        Codes{"FORMAT_NOT_ALLOWED", "ACTIVE_CONTENT"});  // and its macros are reported
  CHECK(codes_with_attachment("Шарт.rtf", "{\\rtf1 x}") == Codes{"FORMAT_NOT_ALLOWED"});
  CHECK(codes_with_attachment("Шарт.txt", "мәтін\n") == Codes{"FORMAT_NOT_ALLOWED"});
}

TEST_CASE("FORMAT_MISMATCH: the name says another format than the content", "[format]") {
  CHECK(codes_with_attachment("Шарт.jpeg", samples::make_png("x")) ==
        Codes{"FORMAT_NOT_ALLOWED", "FORMAT_MISMATCH"});
  CHECK(codes_with_attachment("Шарт.pdf", samples::make_docx("Ш", {"м"})) ==
        Codes{"FORMAT_MISMATCH"});
  CHECK(codes_with_attachment("Шарт.pdf", sample_jpeg()) == Codes{"FORMAT_MISMATCH"});
  CHECK(codes_with_attachment("Шарт", sample_contract_pdf() + "%y\n") == Codes{"FORMAT_MISMATCH"});
  CHECK(codes_with_attachment("Шарт.html.pdf", "<html><body>x</body></html>") ==
        Codes{"FORMAT_NOT_ALLOWED", "FORMAT_MISMATCH"});
}

TEST_CASE("FILE_ENCRYPTED: a password-protected OOXML package", "[format]") {
  CHECK(codes_with_attachment("Шарт.docx", samples::make_encrypted_ooxml()) ==
        Codes{"FILE_ENCRYPTED"});
}

TEST_CASE("a damaged .docx or .xlsx is a corrupt file of its format, never 'zip not allowed'",
          "[format]") {
  for (const auto& [name, whole] :
       {std::pair{std::string("Шарт.docx"), samples::make_docx("Ш", {"мәтін", "тағы"})},
        {std::string("Есеп.xlsx"), samples::make_xlsx({{"a", "b"}, {"c", "d"}})}}) {
    INFO(name);
    // An upload cut short: the central directory at the end is gone.
    const std::string cut = whole.substr(0, whole.size() / 2);
    TempDir t;
    BundleBuilder b;
    b.documents[1].file = name;
    b.documents[1].content = cut;
    const auto r = run_pipeline(b.write(t.path()));
    REQUIRE(codes_of(r) == Codes{"FILE_CORRUPT"});
    const auto d = findings_with(r, "FILE_CORRUPT")[0].finding.detail;
    CHECK(d["reason"].get<std::string>().find("damaged") != std::string::npos);
    CHECK(d["format"] == (name.find(".docx") != std::string::npos ? "docx" : "xlsx"));
  }
  // A broken ZIP named .zip is still a format the court does not take.
  CHECK(codes_with_attachment("Шарт.zip", samples::make_docx("Ш", {"м"}).substr(0, 200)) ==
        Codes{"FORMAT_NOT_ALLOWED"});
}

TEST_CASE("a .xlsx past the ZIP inspection limit is a limit, never 'zip not allowed'", "[format]") {
  TempDir t;
  BundleBuilder b;
  b.documents[1].file = "Есеп.xlsx";
  b.documents[1].content = samples::make_xlsx({{"a"}});
  Config c = test_config();
  c.facts_limits.identify.max_zip_entries = 2;  // an .xlsx has more parts than that
  const auto r = run_pipeline(b.write(t.path()), c);
  REQUIRE(codes_of(r) == Codes{"PROCESSING_FAILED"});
  CHECK(findings_with(r, "PROCESSING_FAILED")[0].finding.detail["reason"].get<std::string>().find(
            "inspection limit") != std::string::npos);
}
