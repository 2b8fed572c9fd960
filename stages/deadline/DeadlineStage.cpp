#include "deadline/DeadlineStage.hpp"

#include <algorithm>

#include "rules/RuleSet.hpp"

namespace sot::deadline {

void DeadlineStage::run(BundleContext& ctx, Findings& out) const {
  const Manifest* m = ctx.bundle.manifest();
  if (!m) return;
  const auto filed = local_date(m->submitted_at.utc, m->submitted_at.offset_minutes);
  for (const auto& d : ctx.rules.deadlines) {
    if (d.kind != m->kind) continue;
    if (!d.proceedings.empty() &&
        std::find(d.proceedings.begin(), d.proceedings.end(), m->proceeding) == d.proceedings.end())
      continue;
    std::optional<std::chrono::year_month_day> from;
    if (d.from == "circumstances_established_on") from = m->circumstances_established_on;
    if (!from) continue;
    const auto last_day = add_months(*from, d.months);
    if (std::chrono::sys_days{filed} > std::chrono::sys_days{last_day}) {
      out.add("DEADLINE_PASSED", {{"from_field", d.from},
                                  {"from", format_date(*from)},
                                  {"months", d.months},
                                  {"deadline", format_date(last_day)},
                                  {"filed_on", format_date(filed)},
                                  {"basis", {{"kk", d.basis.kk}, {"ru", d.basis.ru}}}});
    }
  }
}

}  // namespace sot::deadline
