#include <catch2/catch.hpp>

#include "core/FileName.hpp"

using sot::printable_name;
using sot::unsafe_file_name_reason;

TEST_CASE("Kazakh and Russian names are safe", "[filename]") {
  for (const char* n : {"Талап арыз.pdf", "Мемлекеттік баж түбіртегі.pdf", "Исковое заявление.docx",
                        "ә ғ қ ң ө ұ ү һ і.jpeg", "a.b.c.pdf", ".hidden.pdf"}) {
    INFO(n);
    CHECK_FALSE(unsafe_file_name_reason(n));
  }
}

TEST_CASE("every unsafe form of a name is refused with its reason", "[filename]") {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", "empty"},
      {".", "'.'"},
      {"..", "'..'"},
      {"../x.pdf", "'/'"},
      {"a/b.pdf", "'/'"},
      {"a\\b.pdf", "'\\'"},
      {std::string("a\0b.pdf", 7), "NUL"},
      {"a\nb.pdf", "control"},
      {"a\x7f.pdf", "control"},
      {"a\xc2\x9b.pdf", "control"},  // C1 CSI
      {"a\xff.pdf", "UTF-8"},
      {"a\xc0\xaf.pdf", "UTF-8"},      // overlong '/'
      {"a\xed\xa0\x80.pdf", "UTF-8"},  // surrogate
      {std::string(256, 'a'), "255"},
  };
  for (const auto& [name, why] : cases) {
    INFO(printable_name(name));
    const auto r = unsafe_file_name_reason(name);
    REQUIRE(r);
    CHECK_THAT(*r, Catch::Contains(why));
  }
}

TEST_CASE("printable_name escapes what cannot be shown", "[filename]") {
  CHECK(printable_name("Талап.pdf") == "Талап.pdf");
  CHECK(printable_name("a\x01z") == "a\\x01z");
  CHECK(printable_name("a\xffz") == "a\\xFFz");
}
