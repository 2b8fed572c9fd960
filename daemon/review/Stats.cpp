#include "review/Stats.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>

#include "core/Time.hpp"
#include "review/Views.hpp"

namespace sot::review {

using nlohmann::json;

namespace {

double quantile(std::vector<double> v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const double pos = q * static_cast<double>(v.size() - 1);
  const auto lo = static_cast<std::size_t>(std::floor(pos));
  const auto hi = static_cast<std::size_t>(std::ceil(pos));
  return v[lo] + (v[hi] - v[lo]) * (pos - static_cast<double>(lo));
}

std::optional<double> minutes_between(const std::string& from, const std::string& to) {
  const auto a = parse_rfc3339(from), b = parse_rfc3339(to);
  if (!a || !b) return std::nullopt;
  return std::chrono::duration<double, std::ratio<60>>(b->utc - a->utc).count();
}

std::string day_of(const std::string& rfc3339) {
  return rfc3339.substr(0, 10);
}

std::string duration_text(double minutes, const std::string& lang) {
  if (minutes < 1) return "< 1 " + label(lang, "minutes");
  if (minutes < 120)
    return std::to_string(static_cast<long>(std::lround(minutes))) + " " + label(lang, "minutes");
  return std::to_string(static_cast<long>(std::lround(minutes / 60))) + " " + label(lang, "hours");
}

// A bar chart's geometry: groups of bars along x, one label under each group.
json bar_chart(const std::string& id, const std::string& caption,
               const std::vector<std::string>& groups,
               const std::vector<std::pair<std::string, std::vector<int>>>& series,
               const std::vector<std::string>& series_labels) {
  const int w = 560, h = 200, x0 = 30, y0 = h - 30, top = 12;
  int max = 1;
  for (const auto& [cls, values] : series)
    for (int v : values) max = std::max(max, v);
  json bars = json::array(), texts = json::array();
  const double slot = groups.empty() ? 0 : static_cast<double>(w - x0 - 4) / groups.size();
  const double bar = std::max(2.0, slot * 0.8 / std::max<std::size_t>(1, series.size()));
  for (std::size_t g = 0; g < groups.size(); ++g) {
    for (std::size_t s = 0; s < series.size(); ++s) {
      const int v = series[s].second[g];
      const double bh = static_cast<double>(y0 - top) * v / max;
      const double x = x0 + g * slot + slot * 0.1 + s * bar;
      bars.push_back({{"x", std::lround(x)},
                      {"y", std::lround(y0 - bh)},
                      {"w", std::lround(std::max(1.0, bar - 1))},
                      {"h", std::lround(bh)},
                      {"cls", series[s].first},
                      {"label", groups[g] + ": " + series_labels[s] + " " + std::to_string(v)}});
    }
    if (groups.size() <= 16 || g % 2 == 0)
      texts.push_back({{"x", std::lround(x0 + g * slot + slot / 2)},
                       {"y", y0 + 14},
                       {"anchor", "middle"},
                       {"cls", ""},
                       {"text", groups[g].size() == 10 ? groups[g].substr(5) : groups[g]}});
  }
  texts.push_back({{"x", x0 - 4}, {"y", top + 4}, {"anchor", "end"}, {"cls", ""}, {"text", max}});
  texts.push_back({{"x", x0 - 4}, {"y", y0}, {"anchor", "end"}, {"cls", ""}, {"text", 0}});
  json legend = json::array();
  for (std::size_t s = 0; s < series.size(); ++s)
    legend.push_back({{"cls", series[s].first}, {"text", series_labels[s]}});
  return {{"id", id},
          {"caption", caption},
          {"w", w},
          {"h", h},
          {"x0", x0},
          {"y0", y0},
          {"bars", bars},
          {"texts", texts},
          {"legend", series.size() > 1 ? json{{"items", legend}} : json(nullptr)}};
}

// Horizontal bars, one per (name, n), largest first.
json hbar_chart(const std::string& id, const std::string& caption,
                const std::vector<std::pair<std::string, int>>& items, const std::string& cls) {
  const int w = 560, row = 18, x0 = 230;
  const int h = std::max(40, static_cast<int>(items.size()) * row + 10);
  int max = 1;
  for (const auto& [name, n] : items) max = std::max(max, n);
  json bars = json::array(), texts = json::array();
  for (std::size_t i = 0; i < items.size(); ++i) {
    const double bw = static_cast<double>(w - x0 - 40) * items[i].second / max;
    const long y = static_cast<long>(4 + i * row);
    bars.push_back({{"x", x0},
                    {"y", y},
                    {"w", std::lround(std::max(1.0, bw))},
                    {"h", row - 4},
                    {"cls", cls},
                    {"label", items[i].first + ": " + std::to_string(items[i].second)}});
    texts.push_back(
        {{"x", x0 - 4}, {"y", y + 11}, {"anchor", "end"}, {"cls", ""}, {"text", items[i].first}});
    texts.push_back({{"x", std::lround(x0 + bw + 4)},
                     {"y", y + 11},
                     {"anchor", "start"},
                     {"cls", ""},
                     {"text", items[i].second}});
  }
  return {{"id", id}, {"caption", caption}, {"w", w},         {"h", h},           {"x0", x0},
          {"y0", h},  {"bars", bars},       {"texts", texts}, {"legend", nullptr}};
}

std::vector<std::pair<std::string, int>> top(const std::map<std::string, int>& m, std::size_t n) {
  std::vector<std::pair<std::string, int>> v(m.begin(), m.end());
  std::stable_sort(v.begin(), v.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  if (v.size() > n) v.resize(n);
  return v;
}

}  // namespace

double Durations::median() const {
  return quantile(minutes, 0.5);
}
double Durations::p90() const {
  return quantile(minutes, 0.9);
}

RegistryStats compute_stats(registry::Registry& registry, int days, const std::string& court) {
  RegistryStats s;
  days = std::clamp(days, 1, 366);
  const auto now =
      std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
  const auto offset = local_offset_minutes(now);
  s.since = format_date(local_date(now - std::chrono::hours(24) * (days - 1), offset));
  registry::ListQuery q;
  q.since = s.since;
  for (const auto& rec : registry.list(q)) {
    // The court: the registry's (numbered bundles), else the filing's as the report keeps it.
    std::string rcourt = rec.court;
    if (rcourt.empty() && rec.report.is_object() && rec.report.contains("filing") &&
        rec.report["filing"].is_object())
      rcourt = rec.report["filing"].value("court", std::string());
    if (!court.empty() && rcourt != court) continue;
    if (rcourt.empty()) rcourt = "—";
    const std::string received = day_of(rec.received_at);
    if (received >= s.since) {
      ++s.rows[{received, rcourt}].received;
      ++s.totals.received;
    }
    const json& report = rec.report;
    const bool by_clerk =
        report.is_object() && report.contains("decision") && report["decision"].is_object();
    if (rec.outcome == "review") {
      if (received >= s.since) {
        ++s.rows[{received, rcourt}].review;
        ++s.totals.review;
      }
    } else if (rec.outcome == "registered" || rec.outcome == "rejected") {
      const std::string decided_at =
          by_clerk ? report["decision"].value("at", rec.updated_at) : rec.updated_at;
      const std::string day = day_of(decided_at);
      if (day < s.since) continue;
      DayCourt& row = s.rows[{day, rcourt}];
      (rec.outcome == "registered" ? row.registered : row.rejected)++;
      (rec.outcome == "registered" ? s.totals.registered : s.totals.rejected)++;
      const auto minutes = minutes_between(rec.received_at, decided_at);
      if (by_clerk) {
        ClerkStats& c = s.clerks[report["decision"].value("by", std::string("?"))];
        (rec.outcome == "registered" ? c.registered : c.rejected)++;
        if (minutes) {
          c.time.minutes.push_back(*minutes);
          s.by_clerks.minutes.push_back(*minutes);
        }
      } else if (minutes) {
        s.automatic.minutes.push_back(*minutes);
      }
    }
    // Reasons: the findings that made the outcome (a clerk's rejection: the clerk's reasons;
    // review: what sent it to a clerk).
    if (!report.is_object()) continue;
    const std::string automatic =
        by_clerk ? report["decision"].value("automatic_outcome", std::string()) : rec.outcome;
    for (const auto& f : report.value("findings", json::array())) {
      if (!f.is_object()) continue;
      const std::string sev = f.value("severity", ""), code = f.value("code", "");
      if (rec.outcome == "rejected" && sev == "reject" &&
          (!by_clerk || f.value("stage", "") == "clerk"))
        ++s.reject_reasons[code];
      if (automatic == "review" && sev == "review") ++s.review_reasons[code];
    }
  }
  return s;
}

json stats_model(const RegistryStats& s, const std::string& lang) {
  json m;
  m["totals"] = {{"received", s.totals.received},
                 {"decided", s.totals.decided()},
                 {"registered", s.totals.registered},
                 {"rejected", s.totals.rejected},
                 {"review", s.totals.review}};
  json rows = json::array();
  std::map<std::string, DayCourt> per_day;
  for (const auto& [key, r] : s.rows) {
    rows.push_back({{"day", key.first},
                    {"court", key.second},
                    {"received", r.received},
                    {"decided", r.decided()},
                    {"registered", r.registered},
                    {"rejected", r.rejected},
                    {"review", r.review}});
    DayCourt& d = per_day[key.first];
    d.received += r.received;
    d.registered += r.registered;
    d.rejected += r.rejected;
    d.review += r.review;
  }
  m["rows"] = rows;
  // Every day of the window on the x axis, quiet days too.
  std::vector<std::string> days;
  std::vector<int> received, registered, rejected;
  if (const auto first = parse_date(s.since)) {
    const auto today = std::chrono::sys_days(local_date(
        std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now()),
        local_offset_minutes(
            std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now()))));
    for (auto d = std::chrono::sys_days(*first); d <= today; d += std::chrono::days(1)) {
      const std::string day = format_date(std::chrono::year_month_day(d));
      days.push_back(day);
      const DayCourt r = per_day.count(day) ? per_day[day] : DayCourt{};
      received.push_back(r.received);
      registered.push_back(r.registered);
      rejected.push_back(r.rejected);
    }
  }
  m["chart_days"] =
      bar_chart("chart-days", label(lang, "per_day"), days,
                {{"received", received}, {"registered", registered}, {"rejected", rejected}},
                {label(lang, "received"), label(lang, "outcome_registered"),
                 label(lang, "outcome_rejected")});
  m["chart_reject"] =
      hbar_chart("chart-reject", label(lang, "top_reject"), top(s.reject_reasons, 8), "rejected");
  m["chart_review"] =
      hbar_chart("chart-review", label(lang, "top_review"), top(s.review_reasons, 8), "review");
  std::map<std::string, int> per_clerk;
  json clerks = json::array();
  for (const auto& [login, c] : s.clerks) {
    per_clerk[login] = c.registered + c.rejected;
    clerks.push_back({{"login", login},
                      {"n", c.registered + c.rejected},
                      {"registered", c.registered},
                      {"rejected", c.rejected},
                      {"median", duration_text(c.time.median(), lang)}});
  }
  m["clerks"] = clerks;
  m["chart_clerks"] =
      hbar_chart("chart-clerks", label(lang, "clerks"), top(per_clerk, 12), "clerk");
  const auto time_row = [&](const std::string& who, const Durations& d) {
    return json{{"who", who},
                {"n", d.minutes.size()},
                {"median", d.minutes.empty() ? "—" : duration_text(d.median(), lang)},
                {"p90", d.minutes.empty() ? "—" : duration_text(d.p90(), lang)}};
  };
  m["times"] = json::array({time_row(label(lang, "automatic"), s.automatic),
                            time_row(label(lang, "by_clerk"), s.by_clerks)});
  return m;
}

}  // namespace sot::review
