#include "identity/IdentityNumber.hpp"

#include <algorithm>

namespace sot::identity {

namespace {
bool twelve_digits(std::string_view s) {
  return s.size() == 12 &&
         std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}
int digit(std::string_view s, size_t i) {
  return s[i] - '0';
}

std::optional<std::string> common(std::string_view id) {
  if (!twelve_digits(id)) return "it must be exactly 12 digits";
  const auto cd = check_digit(id.substr(0, 11));
  if (!cd) return "no check digit is valid for these digits";
  if (*cd != digit(id, 11))
    return "check digit " + std::string(1, id[11]) + " is wrong (expected " + std::to_string(*cd) +
           ")";
  return std::nullopt;
}
}  // namespace

std::optional<int> check_digit(std::string_view s) {
  if (s.size() != 11) return std::nullopt;
  int sum = 0;
  for (size_t i = 0; i < 11; ++i) sum += digit(s, i) * static_cast<int>(i + 1);
  int r = sum % 11;
  if (r == 10) {
    static constexpr int kWeights[11] = {3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2};
    sum = 0;
    for (size_t i = 0; i < 11; ++i) sum += digit(s, i) * kWeights[i];
    r = sum % 11;
    if (r == 10) return std::nullopt;
  }
  return r;
}

std::optional<std::string> iin_problem(std::string_view iin,
                                       std::optional<std::chrono::year_month_day> not_after) {
  if (auto p = common(iin)) return p;
  using namespace std::chrono;
  const int c = digit(iin, 6);
  if (c < 1 || c > 6) return "the 7th digit (century and sex) must be 1 to 6";
  const int century = c <= 2 ? 1800 : c <= 4 ? 1900 : 2000;
  const year_month_day birth{year{century + digit(iin, 0) * 10 + digit(iin, 1)},
                             month{static_cast<unsigned>(digit(iin, 2) * 10 + digit(iin, 3))},
                             day{static_cast<unsigned>(digit(iin, 4) * 10 + digit(iin, 5))}};
  if (!birth.ok()) return "the first six digits are not a date of birth";
  if (not_after && sys_days{birth} > sys_days{*not_after})
    return "the date of birth is in the future";
  return std::nullopt;
}

std::optional<std::string> bin_problem(std::string_view bin) {
  if (auto p = common(bin)) return p;
  const int month = digit(bin, 2) * 10 + digit(bin, 3);
  if (month < 1 || month > 12) return "digits 3-4 are not a month of registration";
  const int type = digit(bin, 4);
  if (type < 4 || type > 6) return "the 5th digit (entity type) must be 4, 5 or 6";
  return std::nullopt;
}

}  // namespace sot::identity
