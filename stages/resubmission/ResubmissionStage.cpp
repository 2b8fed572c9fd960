#include "resubmission/ResubmissionStage.hpp"

#include "core/EarlierFiling.hpp"
#include "rules/RuleSet.hpp"

namespace sot::resubmission {

namespace {

struct Words {
  const char* kk;
  const char* ru;
};

Words words_for(const std::string& reason) {
  if (reason == "not_verifiable")
    return {"бұрынғы өтініштердің тізілімі бұл тексеруге қолжетімді емес",
            "реестр прежних обращений недоступен этой проверке"};
  if (reason == "registered")
    return {"ол өтініш қайтарылмаған, тіркелген", "то обращение не возвращено, а зарегистрировано"};
  if (reason == "not_decided")
    return {"ол өтініш бойынша шешім әлі қабылданбаған",
            "по тому обращению решение ещё не принято"};
  if (reason == "other_filer")
    return {"ол өтінішті басқа өтініш беруші берген", "то обращение подано другим заявителем"};
  if (reason == "itself") return {"өтініш өзін-өзі көрсетеді", "обращение указывает само на себя"};
  return {"мұндай нөмірлі өтініш тізілімде жоқ", "обращения с таким номером нет в реестре"};
}

}  // namespace

void ResubmissionStage::run(BundleContext& ctx, Findings& out) const {
  const Manifest* m = ctx.bundle.manifest();
  if (!m || !m->resubmission_of) return;
  EarlierFiling none;
  none.submission_id = *m->resubmission_of;
  const EarlierFiling& e =
      ctx.earlier && ctx.earlier->submission_id == *m->resubmission_of ? *ctx.earlier : none;

  nlohmann::json section = {{"of", e.submission_id}, {"status", e.status}};
  if (!e.bundle.empty()) section["bundle"] = e.bundle;
  if (e.refused_at) section["refused_at"] = format_rfc3339(*e.refused_at, 0);
  if (e.submitted_at)
    section["original_submitted_at"] =
        format_rfc3339(e.submitted_at->utc, e.submitted_at->offset_minutes);

  if (const auto problem = resubmission_problem(e, *m)) {
    const Words w = words_for(problem->reason);
    section["valid"] = false;
    section["reason"] = problem->reason;
    out.add("RESUBMISSION_INVALID", {{"of", e.submission_id},
                                     {"reason", problem->reason},
                                     {"explanation", problem->text},
                                     {"status", e.status},
                                     {"reason_kk", w.kk},
                                     {"reason_ru", w.ru}});
  } else {
    section["valid"] = true;
    section["cure_window_days"] = ctx.rules.cure_window_days;
    std::string why;
    if (const auto from =
            deadline_counted_from(e, *m, ctx.arrival, ctx.rules.cure_window_days, &why)) {
      section["within_cure_window"] = true;
      section["deadline_counted_from"] = format_rfc3339(from->utc, from->offset_minutes);
    } else {
      section["within_cure_window"] = false;
      section["deadline_counted_from"] = nullptr;
      section["why_not"] = why;
    }
  }
  ctx.sections["resubmission"] = std::move(section);
}

}  // namespace sot::resubmission
