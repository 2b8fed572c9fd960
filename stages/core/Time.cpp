#include "core/Time.hpp"

#include <charconv>
#include <cstdio>
#include <ctime>

namespace sot {

namespace {
using namespace std::chrono;

bool digits(std::string_view s, size_t pos, size_t n, int& out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  out = v;
  return true;
}

bool fail(std::string* why, const char* reason) {
  if (why) *why = reason;
  return false;
}

bool parse_date_part(std::string_view s, year_month_day& out, std::string* why) {
  int y, m, d;
  if (s.size() < 10 || !digits(s, 0, 4, y) || s[4] != '-' || !digits(s, 5, 2, m) || s[7] != '-' ||
      !digits(s, 8, 2, d)) {
    return fail(why, "expected a date YYYY-MM-DD");
  }
  year_month_day ymd{year{y}, month{static_cast<unsigned>(m)}, day{static_cast<unsigned>(d)}};
  if (!ymd.ok()) return fail(why, "not a calendar date");
  out = ymd;
  return true;
}
}  // namespace

std::optional<year_month_day> parse_date(std::string_view s, std::string* why) {
  year_month_day ymd;
  if (s.size() != 10) {
    fail(why, "expected a date YYYY-MM-DD");
    return std::nullopt;
  }
  if (!parse_date_part(s, ymd, why)) return std::nullopt;
  return ymd;
}

std::optional<Timestamp> parse_rfc3339(std::string_view s, std::string* why) {
  year_month_day ymd;
  if (s.size() > 64) {
    fail(why, "timestamp too long");
    return std::nullopt;
  }
  if (!parse_date_part(s, ymd, why)) return std::nullopt;
  int hh, mm, ss;
  if (s.size() < 19 || (s[10] != 'T' && s[10] != 't') || !digits(s, 11, 2, hh) || s[13] != ':' ||
      !digits(s, 14, 2, mm) || s[16] != ':' || !digits(s, 17, 2, ss)) {
    fail(why, "expected an RFC 3339 date-time YYYY-MM-DDTHH:MM:SS with a time zone offset");
    return std::nullopt;
  }
  if (hh > 23 || mm > 59 || ss > 60 || (ss == 60 && (hh != 23 || mm != 59))) {
    fail(why, "time of day out of range");
    return std::nullopt;
  }
  size_t pos = 19;
  if (pos < s.size() && s[pos] == '.') {
    size_t start = ++pos;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') ++pos;
    if (pos == start) {
      fail(why, "empty fraction of a second");
      return std::nullopt;
    }
  }
  int offset = 0;
  if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
    ++pos;
  } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
    int oh, om;
    if (!digits(s, pos + 1, 2, oh) || pos + 3 >= s.size() || s[pos + 3] != ':' ||
        !digits(s, pos + 4, 2, om) || oh > 23 || om > 59) {
      fail(why, "bad time zone offset (expected ±HH:MM)");
      return std::nullopt;
    }
    offset = (oh * 60 + om) * (s[pos] == '-' ? -1 : 1);
    pos += 6;
  } else {
    fail(why, "missing time zone offset (Z or ±HH:MM)");
    return std::nullopt;
  }
  if (pos != s.size()) {
    fail(why, "trailing characters after the time zone offset");
    return std::nullopt;
  }
  const auto local = sys_days{ymd} + hours{hh} + minutes{mm} + seconds{std::min(ss, 59)};
  return Timestamp{SysSeconds{local - minutes{offset}}, offset};
}

std::string format_rfc3339(SysSeconds t, std::int32_t offset_minutes) {
  const auto local = t + minutes{offset_minutes};
  const auto day = floor<days>(local);
  const year_month_day ymd{day};
  const hh_mm_ss hms{local - day};
  const int off = offset_minutes < 0 ? -offset_minutes : offset_minutes;
  char buf[64];
  if (offset_minutes == 0) {
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02ld:%02ld:%02lldZ", int(ymd.year()),
                  unsigned(ymd.month()), unsigned(ymd.day()), long(hms.hours().count()),
                  long(hms.minutes().count()), static_cast<long long>(hms.seconds().count()));
  } else {
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02ld:%02ld:%02lld%c%02d:%02d", int(ymd.year()),
                  unsigned(ymd.month()), unsigned(ymd.day()), long(hms.hours().count()),
                  long(hms.minutes().count()), static_cast<long long>(hms.seconds().count()),
                  offset_minutes < 0 ? '-' : '+', off / 60, off % 60);
  }
  return buf;
}

year_month_day local_date(SysSeconds t, std::int32_t offset_minutes) {
  return year_month_day{floor<days>(t + minutes{offset_minutes})};
}

year_month_day add_months(year_month_day d, int n) {
  year_month ym = year_month{d.year(), d.month()} + months{n};
  const auto last = year_month_day_last{ym.year(), month_day_last{ym.month()}}.day();
  return year_month_day{ym.year(), ym.month(), std::min(d.day(), last)};
}

std::string format_date(year_month_day d) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", int(d.year()), unsigned(d.month()),
                unsigned(d.day()));
  return buf;
}

std::int32_t local_offset_minutes(SysSeconds t) {
  const std::time_t tt = static_cast<std::time_t>(t.time_since_epoch().count());
  std::tm tm{};
  if (!localtime_r(&tt, &tm)) return 0;
  return static_cast<std::int32_t>(tm.tm_gmtoff / 60);
}

SysSeconds SystemClock::now() const {
  return floor<seconds>(system_clock::now());
}

}  // namespace sot
