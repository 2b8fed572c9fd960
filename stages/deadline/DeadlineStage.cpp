#include "deadline/DeadlineStage.hpp"

#include <algorithm>

#include "core/EarlierFiling.hpp"
#include "rules/RuleSet.hpp"

namespace sot::deadline {

void DeadlineStage::run(BundleContext& ctx, Findings& out) const {
  const Manifest* m = ctx.bundle.manifest();
  if (!m) return;
  // A resubmission within the cure window is filed, for the time limit, when the refused
  // filing it cures was (spec §5.2).
  Timestamp filed_at = m->submitted_at;
  std::optional<Timestamp> cured;
  if (m->resubmission_of && ctx.earlier && ctx.earlier->submission_id == *m->resubmission_of)
    cured = deadline_counted_from(*ctx.earlier, *m, ctx.arrival, ctx.rules.cure_window_days);
  if (cured) filed_at = *cured;
  const auto filed = local_date(filed_at.utc, filed_at.offset_minutes);
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
      nlohmann::json detail = {{"from_field", d.from},
                               {"from", format_date(*from)},
                               {"months", d.months},
                               {"deadline", format_date(last_day)},
                               {"filed_on", format_date(filed)},
                               {"basis", {{"kk", d.basis.kk}, {"ru", d.basis.ru}}}};
      if (cured) detail["filed_on_as_resubmission_of"] = *m->resubmission_of;
      out.add("DEADLINE_PASSED", std::move(detail));
    }
  }
}

}  // namespace sot::deadline
