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
