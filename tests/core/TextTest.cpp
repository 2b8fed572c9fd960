#include <catch2/catch.hpp>

#include "core/Text.hpp"

using namespace sot::text;

TEST_CASE("UTF-8 validation", "[text]") {
  CHECK(is_valid_utf8("Қазақстан"));
  CHECK(is_valid_utf8(""));
  CHECK_FALSE(is_valid_utf8("\xd0"));
  CHECK_FALSE(is_valid_utf8("\xf4\x90\x80\x80"));  // past U+10FFFF
}

TEST_CASE("titles compare tolerantly", "[text]") {
  CHECK(title_key("Шарттың көшірмесі") == title_key("  «ШАРТТЫҢ   көшірмесі.» "));
  CHECK(title_key("Мемлекеттік баж түбіртегі") == title_key("мемлекеттік баж түбіртегі;"));
  CHECK(title_key("Копия определения суда") == title_key("\"Копия определения суда\""));
  CHECK(title_key("Ёлка") == title_key("елка"));
  CHECK(title_key("Шарттың көшірмесі") != title_key("Жалдау шартының көшірмесі"));
}

TEST_CASE("NFC joins decomposed letters (macOS uploads)", "[text]") {
  // й as и + combining breve
  CHECK(nfc("\xd0\xb8\xcc\x86") == "\xd0\xb9");
  CHECK(title_key("\xd0\xb8\xcc\x86") == title_key("Й"));
}

TEST_CASE("stem and extension", "[text]") {
  CHECK(stem("a.b.pdf") == "a.b");
  CHECK(stem(".hidden") == ".hidden");
  CHECK(extension("Талап.PDF") == "pdf");
  CHECK(extension("noext").empty());
}

TEST_CASE("append_utf8 encodes code points and drops what is not one", "[text]") {
  std::string s;
  for (char32_t c : {U'A', U'ә', U'€', U'𝄞', char32_t{0xD800}, char32_t{0x110000}})
    append_utf8(s, c);
  CHECK(s == "Aә€𝄞");
  CHECK(is_valid_utf8(s));
}
