#include <catch2/catch.hpp>

#include "core/Time.hpp"

using namespace std::chrono;
using namespace sot;

TEST_CASE("RFC 3339 timestamps are parsed strictly", "[time]") {
  const auto t = parse_rfc3339("2025-10-16T15:46:00+05:00");
  REQUIRE(t);
  CHECK(t->offset_minutes == 300);
  CHECK(t->utc == sys_days{year{2025} / 10 / 16} + hours{10} + minutes{46});
  CHECK(parse_rfc3339("2025-10-16T10:46:00Z")->utc == t->utc);
  CHECK(parse_rfc3339("2025-10-16t10:46:00.123z"));
  CHECK(parse_rfc3339("2016-12-31T23:59:60Z"));
  for (const char* bad :
       {"2025-10-16", "2025-10-16T15:46:00", "2025-10-16 15:46:00+05:00", "2025-02-29T00:00:00Z",
        "2025-10-16T24:00:00Z", "2025-10-16T15:46:00+5:00", "2025-10-16T15:46:00.Z",
        "2025-10-16T15:46:00Z junk", "2025-10-16T15:46:60Z"}) {
    INFO(bad);
    std::string why;
    CHECK_FALSE(parse_rfc3339(bad, &why));
    CHECK_FALSE(why.empty());
  }
}

TEST_CASE("dates and month arithmetic as procedural limits count them", "[time]") {
  CHECK(parse_date("2024-02-29"));
  CHECK_FALSE(parse_date("2025-02-29"));
  CHECK_FALSE(parse_date("2025-1-01"));
  CHECK(add_months(year{2025} / 6 / 10, 3) == year{2025} / 9 / 10);
  CHECK(add_months(year{2025} / 11 / 30, 3) == year{2026} / 2 / 28);
  CHECK(add_months(year{2024} / 1 / 31, 1) == year{2024} / 2 / 29);
}

TEST_CASE("formatting at an offset", "[time]") {
  const auto t = parse_rfc3339("2025-10-16T23:30:00+05:00")->utc;
  CHECK(format_rfc3339(t, 300) == "2025-10-16T23:30:00+05:00");
  CHECK(format_rfc3339(t, 0) == "2025-10-16T18:30:00Z");
  CHECK(local_date(t, 300) == year{2025} / 10 / 16);
  CHECK(local_date(t, 360) == year{2025} / 10 / 17);
}
