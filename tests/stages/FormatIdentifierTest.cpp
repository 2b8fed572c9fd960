// Format identification by content: every whitelisted format and every refused one the
// issue names, from real files made by the libraries or from their magic numbers.
#include <catch2/catch.hpp>

#include <fcntl.h>

#include "format/FormatIdentifier.hpp"
#include "generator/Documents.hpp"
#include "support/TestBundle.hpp"

using namespace sot;

namespace {
std::string identify_bytes(const std::string& data) {
  test::TempDir t;
  const auto p = t.path() / "f";
  test::write_file(p, data);
  UniqueFd fd(::open(p.c_str(), O_RDONLY));
  return format::identify(fd.get(), data.substr(0, 65536), data.size()).format;
}
}  // namespace

TEST_CASE("whitelisted formats are told apart by content", "[format]") {
  CHECK(identify_bytes(test::sample_pdf()) == "pdf");
  CHECK(identify_bytes(test::sample_jpeg()) == "jpeg");
  CHECK(identify_bytes(samples::make_docx("Т", {"а"})) == "docx");
  CHECK(identify_bytes(samples::make_xlsx({{"a"}})) == "xlsx");
  CHECK(identify_bytes(samples::make_doc("Анықтама")) == "doc");
}

TEST_CASE("refused formats are recognised", "[format]") {
  CHECK(identify_bytes(samples::make_png("x")) == "png");
  CHECK(identify_bytes(samples::make_docx("Т", {"а"}, true)) == "docm");
  CHECK(identify_bytes(samples::make_encrypted_ooxml()) == "ooxml_encrypted");
  CHECK(identify_bytes(std::string("II*\0\x08\0\0\0", 8) + std::string(64, '\0')) == "tiff");
  CHECK(identify_bytes("GIF89a" + std::string(20, '\0')) == "gif");
  CHECK(identify_bytes(std::string("BM\0\0\0\0\0\0\0\0\0\0\0\0\x28\0\0\0", 18) +
                       std::string(40, '\0')) == "bmp");
  CHECK(identify_bytes(std::string("RIFF\x10\0\0\0WEBPVP8 ", 16) + std::string(20, '\0')) ==
        "webp");
  CHECK(identify_bytes(std::string("\0\0\0\x18"
                                   "ftypheic\0\0\0\0",
                                   16)) == "heic");
  CHECK(identify_bytes("{\\rtf1\\ansi Hello}") == "rtf");
  CHECK(identify_bytes("Талап арыз мәтіні, жай мәтін.\n") == "text");
  CHECK(identify_bytes("Rar!\x1A\x07\x01\0" + std::string(20, '\0')) == "rar");
  CHECK(identify_bytes("7z\xBC\xAF\x27\x1C" + std::string(20, '\0')) == "7z");
  CHECK(identify_bytes("\x7F"
                       "ELF" +
                       std::string(60, '\0')) == "elf");
  CHECK(identify_bytes("<!DOCTYPE html><html><body>x</body></html>") == "html");
  CHECK(identify_bytes("  <html><script>alert(1)</script>") == "html");
  std::string pe("MZ", 2);
  pe.resize(0x3C, '\0');
  pe += std::string("\x40\0\0\0", 4);
  pe += std::string("PE\0\0", 4) + std::string(100, '\0');
  CHECK(identify_bytes(pe) == "exe");
}

TEST_CASE("a plain ZIP and a broken one are zip, never a document", "[format]") {
  // A ZIP with one stored entry "a.txt" and no content types.
  const std::string docx = samples::make_docx("Т", {"а"});
  std::string broken = docx.substr(0, docx.size() / 2);
  CHECK(identify_bytes(broken) == "zip");
}

TEST_CASE("garbage is unknown — a PDF header after junk is still a PDF", "[format]") {
  CHECK(identify_bytes(std::string("\x01\x02\x03\x04\x00\x05\x06", 7)) == "unknown");
  CHECK(identify_bytes("junk\n%PDF-1.7\n" + std::string(100, ' ')) == "pdf");
  CHECK(identify_bytes("") == "empty");
}

TEST_CASE("a DOS header whose PE offset points past the header", "[format]") {
  std::string mz("MZ", 2);
  mz.resize(0x3C, '\0');
  mz += std::string("\xff\xff\xff\xff", 4);
  mz += std::string(30, '\0');
  CHECK(identify_bytes(mz) == "exe");
}
