// Kazakhstan's individual and business identification numbers (ЖСН/ИИН, БСН/БИН): 12 digits,
// the last a check digit. Check digit: weights 1..11 over the first 11 digits, sum mod 11;
// if that is 10, weights 3,4,5,6,7,8,9,10,11,1,2, mod 11; if 10 again the number is invalid.
// IIN: YYMMDD, then the century/sex digit 1–6 (1-2: 1800s, 3-4: 1900s, 5-6: 2000s).
// BIN: YYMM of registration, then the entity type 4 (resident), 5 (non-resident) or 6.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace sot::identity {

// The check digit the first 11 digits call for, or nullopt when no digit can be valid.
std::optional<int> check_digit(std::string_view first11);

// Why the IIN is invalid, or nullopt. `not_after`: a birth date after it is implausible.
std::optional<std::string> iin_problem(std::string_view iin,
                                       std::optional<std::chrono::year_month_day> not_after = {});
std::optional<std::string> bin_problem(std::string_view bin);

}  // namespace sot::identity
