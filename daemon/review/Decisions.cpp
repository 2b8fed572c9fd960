#include "review/Decisions.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <set>

#include "common/FaultPoint.hpp"
#include "common/Instance.hpp"
#include "core/Finding.hpp"
#include "core/Report.hpp"
#include "core/Time.hpp"
#include "outcome/Notices.hpp"
#include "outcome/Signer.hpp"
#include "review/SafeJson.hpp"

namespace sot::review {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

std::int32_t offset_of(const Config& c, SysSeconds now) {
  return c.report_local_offset ? local_offset_minutes(now) : c.report_offset_minutes;
}

}  // namespace

double hours_since(const std::string& rfc3339) {
  const auto t = parse_rfc3339(rfc3339);
  if (!t) return 0;
  const auto now =
      std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
  return std::chrono::duration<double, std::ratio<3600>>(now - t->utc).count();
}

Decisions::Decisions(spool::Spool& spool, registry::Registry& registry, const Config& config,
                     const rules::RuleSet& rules)
    : spool_(spool), registry_(registry), config_(config), rules_(rules) {
  if (!config.outcome_signing_key.empty())
    signer_ = outcome::OutcomeSigner::load(config.outcome_signing_key, config.outcome_signing_cert);
}

bool is_court_side(std::string_view code) {
  return code == "PROCESSING_FAILED" || code == "REVOCATION_UNKNOWN" ||
         code == "SIGNATURE_ALGORITHM_UNSUPPORTED";
}

std::vector<std::string> Decisions::found_codes(const json& report) {
  std::vector<std::string> out;
  for (const auto& f : report.value("findings", json::array())) {
    if (!f.is_object() || f.value("severity", "") == "info") continue;
    const std::string code = f.value("code", "");
    if (is_court_side(code)) continue;
    if (!code.empty() && std::find(out.begin(), out.end(), code) == out.end()) out.push_back(code);
  }
  return out;
}

std::vector<std::string> Decisions::reasons_for(const json& report) const {
  std::vector<std::string> out = rejection_codes();
  for (const auto& c : found_codes(report))
    if (rules_.code(c) && std::find(out.begin(), out.end(), c) == out.end()) out.push_back(c);
  return out;
}

std::vector<std::string> Decisions::rejection_codes() const {
  std::vector<std::string> out;
  for (const auto& [code, rule] : rules_.codes)
    if (rule.severity == Severity::kReject) out.push_back(std::string(code));
  return out;
}

ReviewItem review_item(spool::Spool& spool, registry::Registry& registry, const fs::path& dir) {
  ReviewItem item;
  const std::string name = dir.filename().string();
  item.placed_as = name;
  item.bundle = name;
  const auto report = spool.report_at(dir);
  if (report) {
    item.bundle = report->value("bundle", name);
    if ((*report)["submission_id"].is_string())
      item.submission_id = (*report)["submission_id"].get<std::string>();
    std::set<std::string> codes;
    for (const auto& f : report->value("findings", json::array()))
      if (f.is_object() && f.value("severity", "") != "info") codes.insert(f.value("code", ""));
    item.reasons.assign(codes.begin(), codes.end());
    item.received_at = report->value("processed_at", "");
  }
  const auto info = outcome::read_filing_info(dir);
  item.court = info.court_code.empty() ? info.court : info.court_code + " " + info.court;
  item.kind = info.kind;
  item.filer = info.filer;
  if (const auto rec = registry.find(item.bundle); rec && !rec->received_at.empty())
    item.received_at = rec->received_at;
  item.age_hours = hours_since(item.received_at);
  return item;
}

std::vector<ReviewItem> Decisions::queue() {
  std::vector<ReviewItem> out;
  std::error_code ec;
  const fs::path dir = spool_.outcome_dir(Outcome::kReview);
  const auto assignees = registry_.assignees();
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    const std::string name = e.path().filename().string();
    if (!spool::is_bundle_id(name) || !e.is_directory(ec)) continue;
    ReviewItem item = review_item(spool_, registry_, e.path());
    if (const auto it = assignees.find(item.bundle); it != assignees.end())
      item.assignee = it->second;
    out.push_back(std::move(item));
  }
  std::sort(out.begin(), out.end(),
            [](const ReviewItem& a, const ReviewItem& b) { return a.age_hours > b.age_hours; });
  return out;
}

std::optional<json> Decisions::show(const std::string& placed_as) {
  if (!spool::is_bundle_id(placed_as)) return std::nullopt;
  const fs::path dir = spool_.outcome_dir(Outcome::kReview) / placed_as;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return std::nullopt;
  const auto report = spool_.report_at(dir);
  const auto info = outcome::read_filing_info(dir);
  const std::string bundle = report ? report->value("bundle", placed_as) : placed_as;
  json titles = json::object();
  for (const auto& [file, title] : info.titles) titles[file] = title;
  json audit = json::array();
  for (const auto& a : registry_.audit_trail(bundle))
    audit.push_back({{"at", a.at}, {"actor", a.actor}, {"action", a.action}, {"detail", a.detail}});
  json transitions = json::array();
  for (const auto& t : registry_.transitions(bundle))
    transitions.push_back({{"state", t.state}, {"at", t.at}});
  return json{{"placed_as", placed_as},
              {"bundle", bundle},
              {"report", report ? *report : json(nullptr)},
              {"filing",
               {{"court", info.court},
                {"court_code", info.court_code},
                {"kind", info.kind},
                {"filer", info.filer},
                {"filer_id", info.filer_id},
                {"titles", titles}}},
              {"assignee", registry_.assignee(bundle)},
              {"audit", audit},
              {"transitions", transitions}};
}

DecisionResult Decisions::decide(const Decision& d) {
  DecisionResult r;
  if (d.actor.empty()) {
    r.error = "who decides must be known";
    return r;
  }
  if (d.action != "register" && d.action != "reject" && d.action != "reprocess") {
    r.error = "unknown action '" + d.action + "' (register, reject, reprocess)";
    return r;
  }
  if (d.action == "reject" && d.codes.empty()) {
    r.error = "a rejection needs at least one reason";
    return r;
  }
  const fs::path in_review = spool_.outcome_dir(Outcome::kReview) / d.placed_as;
  const auto before = spool::is_bundle_id(d.placed_as) ? spool_.report_at(in_review) : std::nullopt;
  if (!before) {
    // Another clerk (or a reprocessing) got there first: nothing is written for this one.
    struct stat st {};
    const bool taken = spool::is_bundle_id(d.placed_as) &&
                       ::lstat((spool_.deciding() / d.placed_as).c_str(), &st) == 0;
    r.error = taken ? "'" + d.placed_as + "' was just taken by someone else"
                    : "'" + d.placed_as + "' is not waiting in review";
    return r;
  }
  const std::string bundle = before->value("bundle", d.placed_as);
  // A reason is a code whose severity is reject, or one the check found in this bundle (the
  // clerk confirms it as a reason to refuse).
  const auto allowed = reasons_for(*before);
  for (const auto& c : d.codes)
    if (std::find(allowed.begin(), allowed.end(), c) == allowed.end()) {
      r.error = "'" + c + "' is not a rejection reason";
      return r;
    }
  if (!d.file.empty()) {
    bool known = false;
    for (const auto& doc : before->value("documents", json::array()))
      known = known || doc.value("file", "") == d.file;
    if (!known) {
      r.error = "'" + d.file + "' is not a document of this bundle";
      return r;
    }
  }

  if (d.action == "reprocess") {
    // Claimed first: a clerk who loses the race to another decision writes nothing at all.
    struct stat st {};
    if (::lstat((spool_.incoming() / d.placed_as).c_str(), &st) == 0) {
      r.error = "a bundle named '" + d.placed_as + "' is already waiting in incoming/";
      return r;
    }
    // The registry holds the decision first (several hosts' clerks: exactly one goes on).
    const std::string holder = common::default_instance();
    if (!registry_.begin_decision(d.placed_as, holder, common::kDecisionHold)) {
      r.error = "'" + d.placed_as + "' was just taken by someone else";
      return r;
    }
    if (!spool_.claim_for_decision(d.placed_as, Outcome::kReview)) {
      registry_.end_decision(d.placed_as, holder);
      r.error = "'" + d.placed_as + "' was just taken by someone else";
      return r;
    }
    // Its earlier result/ is history (the registry keeps the report): set aside, so that the
    // bundle arrives again as the filer's bytes alone.
    spool_.set_aside(spool_.deciding() / d.placed_as, d.placed_as);
    if (!spool_.decision_to_incoming(d.placed_as)) {
      r.error = "'" + d.placed_as + "' could not be returned to incoming/ (one is waiting)";
      return r;  // left in deciding/: the next start sends it on
    }
    registry_.audit(d.actor, "reprocess", bundle, {{"placed_as", d.placed_as}, {"note", d.note}});
    registry_.transition(bundle, "received");
    registry_.end_decision(d.placed_as, holder);
    r.ok = true;
    r.outcome = "incoming";
    r.placed_as = d.placed_as;
    return r;
  }

  const SysSeconds now = SystemClock{}.now();
  json report = *before;
  report["decision"] = {
      {"by", d.actor},      {"at", format_rfc3339(now, offset_of(config_, now))},
      {"action", d.action}, {"codes", d.codes},
      {"note", d.note},     {"automatic_outcome", before->value("outcome", "review")}};
  if (d.action == "register") {
    report["outcome"] = "registered";
  } else {
    report["outcome"] = "rejected";
    for (const auto& code : d.codes) {
      Finding f{code, "clerk", std::nullopt, std::nullopt, {{"note", d.note}}};
      // A reason the check found keeps what it found (its file, page and evidence), so that
      // its message says the same true thing in the notice.
      for (const auto& found : before->value("findings", json::array()))
        if (found.is_object() && found.value("code", "") == code &&
            found.value("severity", "") != "info") {
          if (field(found, "file").is_string()) f.file = field(found, "file").get<std::string>();
          if (field(found, "page").is_number_unsigned())
            f.page = field(found, "page").get<std::uint32_t>();
          if (field(found, "detail").is_object()) {
            f.detail = field(found, "detail");
            f.detail["note"] = d.note;
          }
          break;
        }
      if (!d.file.empty()) f.file = d.file;
      const rules::CodeRule* rule = rules_.code(code);
      report["findings"].push_back({{"code", code},
                                    {"severity", "reject"},
                                    {"stage", "clerk"},
                                    {"file", f.file ? json(*f.file) : json(nullptr)},
                                    {"page", f.page ? json(*f.page) : json(nullptr)},
                                    {"detail", f.detail},
                                    {"message",
                                     {{"kk", rule ? render_message(rule->message.kk, f) : code},
                                      {"ru", rule ? render_message(rule->message.ru, f) : code}}}});
    }
  }
  return change_outcome(
      d.placed_as, Outcome::kReview, std::move(report), d.actor, d.action,
      {{"placed_as", d.placed_as}, {"codes", d.codes}, {"note", d.note}, {"file", d.file}});
}

DecisionResult Decisions::change_outcome(const std::string& placed_as, Outcome from,
                                         nlohmann::json report, const std::string& actor,
                                         const std::string& action, const nlohmann::json& detail) {
  DecisionResult r;
  const std::string bundle = report.value("bundle", placed_as);
  const std::string outcome = report.value("outcome", "review");
  // The registry holds the decision first (several hosts' clerks: exactly one goes on); a
  // process that dies holding it is recognised by the next recovery (Recovery.hpp).
  const std::string holder = common::default_instance();
  if (!registry_.begin_decision(placed_as, holder, common::kDecisionHold)) {
    r.error = "'" + placed_as + "' was just taken by someone else";
    return r;
  }
  if (!spool_.claim_for_decision(placed_as, from)) {
    registry_.end_decision(placed_as, holder);
    r.error = "'" + placed_as + "' was just taken by someone else";
    return r;
  }
  const fs::path dir = spool_.deciding() / placed_as;
  common::fault_point("claimed", bundle);
  try {
    if (outcome == "registered") {
      const SysSeconds now = SystemClock{}.now();
      const auto info = outcome::read_filing_info(dir);
      const int year = static_cast<int>(local_date(now, offset_of(config_, now)).year());
      r.registration_number = registry_.assign_number(
          bundle, info.court_code.empty() ? "0000" : info.court_code, year, config_.number_format);
      report["registration_number"] = r.registration_number;
    } else {
      report["registration_number"] = nullptr;
    }
    // The registry first: the decision and the exact report, then the files that show it.
    const std::string text = report.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
    registry_.commit_decision(bundle, outcome, text);
    registry_.audit(actor, action, bundle, detail);
    common::fault_point("committed", bundle);
    spool_.write_result_at(dir, "report.json", text);
    common::fault_point("report", bundle);
    try {
      for (const auto& [name, data] :
           outcome::outcome_documents(report, dir, rules_, signer_.get()))
        spool_.write_result_at(dir, name, data);
    } catch (const spool::SpoolError&) {
      throw;
    } catch (const std::exception& e) {
      r.error = std::string("decided, but the notice or receipt could not be made: ") + e.what();
    }
    const Outcome o = outcome == "registered" ? Outcome::kRegistered
                      : outcome == "rejected" ? Outcome::kRejected
                                              : Outcome::kReview;
    r.placed_as = spool_.finish_decision(placed_as, o);
    common::fault_point("moved", bundle);
    registry_.record_outcome(bundle, r.placed_as, spool::directory_of(o), report);
    registry_.end_decision(placed_as, holder);
    r.outcome = spool::directory_of(o);
    r.ok = true;
  } catch (const spool::SpoolError&) {
    throw;  // durability failed: the caller stops; the next start finishes or undoes it
  } catch (const registry::RegistryError&) {
    throw;
  } catch (const std::exception& e) {
    // Nothing was committed (the commit is the first write): the bundle goes back unchanged.
    if (!registry_.pending_decision(bundle)) {
      spool_.abandon_decision(placed_as, from);
      registry_.end_decision(placed_as, holder);
    }
    r.ok = false;
    r.error = e.what();
  }
  return r;
}

}  // namespace sot::review
