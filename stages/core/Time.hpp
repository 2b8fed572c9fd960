// Time in the contract: RFC 3339 timestamps (`submitted_at`), calendar dates
// (`circumstances_established_on`), and an injectable clock so tests control "now".
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sot {

using SysSeconds = std::chrono::sys_seconds;

struct Timestamp {
  SysSeconds utc;                   // the instant
  std::int32_t offset_minutes = 0;  // the offset written in the text (+05:00 → 300)
};

// Strict RFC 3339 date-time: YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM); 'T'/'t' and 'Z'/'z'
// accepted as the RFC allows; leap second 60 accepted only at 23:59. nullopt with a
// reason otherwise.
std::optional<Timestamp> parse_rfc3339(std::string_view s, std::string* why = nullptr);

// Strict full-date YYYY-MM-DD (a real calendar day).
std::optional<std::chrono::year_month_day> parse_date(std::string_view s,
                                                      std::string* why = nullptr);

// "2025-10-16T15:46:09+05:00": the instant written at the given offset.
std::string format_rfc3339(SysSeconds t, std::int32_t offset_minutes);

// The calendar date of an instant at an offset.
std::chrono::year_month_day local_date(SysSeconds t, std::int32_t offset_minutes);

// Date plus whole months, clamped to the month's last day (31 Jan + 1 month = 28/29 Feb),
// as procedural time limits are counted.
std::chrono::year_month_day add_months(std::chrono::year_month_day d, int months);

std::string format_date(std::chrono::year_month_day d);

// The local UTC offset of this machine at `t`, in minutes.
std::int32_t local_offset_minutes(SysSeconds t);

class Clock {
 public:
  virtual ~Clock() = default;
  virtual SysSeconds now() const = 0;
};

class SystemClock final : public Clock {
 public:
  SysSeconds now() const override;
};

class FixedClock final : public Clock {
 public:
  explicit FixedClock(SysSeconds t) : t_(t) {}
  SysSeconds now() const override { return t_; }

 private:
  SysSeconds t_;
};

}  // namespace sot
