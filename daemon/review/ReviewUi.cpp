#include "review/ReviewUi.hpp"

#include <algorithm>
#include <fstream>
#include <iostream>
#include <sstream>

#include "outcome/Notices.hpp"
#include "outcome/Resubmission.hpp"
#include "retention/Retention.hpp"
#include "review/BundlePage.hpp"
#include "review/Decisions.hpp"
#include "review/Preview.hpp"
#include "review/Stats.hpp"
#include "review/Users.hpp"
#include "review/Views.hpp"

namespace sot::review {

namespace fs = std::filesystem;
using http::Response;
using nlohmann::json;

namespace {

constexpr int kPageSize = 50;

std::vector<std::string> split_lines(const std::string& s) {
  std::vector<std::string> out;
  std::istringstream in(s);
  std::string line;
  while (std::getline(in, line))
    if (!line.empty()) out.push_back(line);
  return out;
}

std::string param(const std::map<std::string, std::string>& m, const char* k) {
  const auto it = m.find(k);
  return it == m.end() ? std::string() : it->second;
}

int int_param(const std::map<std::string, std::string>& m, const char* k, int fallback) {
  const std::string v = param(m, k);
  if (v.empty() || v.size() > 6 || !std::all_of(v.begin(), v.end(), ::isdigit)) return fallback;
  return std::stoi(v);
}

std::string age_text(double hours, const std::string& lang) {
  if (hours < 1) return std::to_string(static_cast<int>(hours * 60)) + " " + label(lang, "minutes");
  return std::to_string(static_cast<int>(hours)) + " " + label(lang, "hours");
}

// Waiting time against the target: well within, nearly there, or past it.
std::string age_class(double hours, double target) {
  if (target <= 0) return "age-ok";
  if (hours >= target) return "age-late";
  if (hours >= target * 0.75) return "age-near";
  return "age-ok";
}

// The queue filter of a request, and the same as a query string to carry along.
QueueFilter filter_of(const http::Request& req, const Session& s) {
  QueueFilter f;
  f.text = param(req.query, "q");
  f.court = param(req.query, "court");
  f.code = param(req.query, "code");
  if (param(req.query, "mine") == "1") f.mine = s.login;
  const std::string sort = param(req.query, "sort");
  if (sort == "bundle" || sort == "court" || sort == "kind") f.sort = sort;
  f.asc = param(req.query, "order") == "asc";
  return f;
}

std::string filter_query(const QueueFilter& f) {
  std::string q;
  const auto add = [&](const char* k, const std::string& v) {
    if (!v.empty()) q += (q.empty() ? "" : "&") + std::string(k) + "=" + url_encode(v);
  };
  add("q", f.text);
  add("court", f.court);
  add("code", f.code);
  if (!f.mine.empty()) add("mine", "1");
  if (f.sort != "age") add("sort", f.sort);
  if (f.asc) add("order", "asc");
  return q;
}

std::string bundle_href(const std::string& placed, const std::string& context) {
  return "/review/b/" + url_encode(placed) + (context.empty() ? "" : "?" + context);
}

}  // namespace

ReviewUi::ReviewUi(spool::Spool& spool, registry::Registry& registry, Context context)
    : spool_(spool),
      registry_(registry),
      context_(std::move(context)),
      sessions_([this] { return context_.config().users_file; }),
      queue_(spool, registry) {}

std::string ReviewUi::page(const std::string& title, const std::string& content, const Session* s,
                           const std::string& lang, const std::string& back,
                           const std::string& main_class) const {
  json model;
  model["lang"] = lang;
  model["title"] = title;
  model["content"] = content;
  model["main_class"] = main_class;
  json languages = json::array();
  for (const char* l : kLanguages) languages.push_back({{"code", l}, {"current", lang == l}});
  model["languages"] = languages;
  if (s)
    model["user"] = {{"login", s->login},
                     {"role", s->role},
                     {"csrf", s->csrf},
                     {"back", back},
                     {"lead", s->role == "lead"}};
  else
    model["user"] = nullptr;
  return render("layout", model);
}

Response ReviewUi::message(int status, const std::string& heading, const std::string& text,
                           const Session& s) {
  const std::string content =
      render("message", {{"lang", s.lang}, {"heading", heading}, {"text", text}, {"error", true}});
  return Response::html(status, page(heading, content, &s, s.lang, "/review"));
}

Response ReviewUi::login_page(const http::Request& req, const std::string& error_key, int status) {
  std::string lang = param(req.query, "lang");
  if (!is_language(lang)) lang = req.cookie(kLangCookie);
  if (!is_language(lang)) lang = kLanguages[0];
  const std::string token = random_token(16);
  const std::string content =
      render("login", {{"lang", lang},
                       {"token", token},
                       {"error", error_key.empty() ? "" : label(lang, error_key)}});
  Response r = Response::html(status, page(label(lang, "login_title"), content, nullptr, lang, ""));
  r.headers.emplace_back("Set-Cookie", cookie_header(kLoginCookie, token, 600));
  if (!param(req.query, "lang").empty() && is_language(param(req.query, "lang")))
    r.headers.emplace_back("Set-Cookie", cookie_header(kLangCookie, lang, 3600L * 24 * 365));
  return r;
}

Response ReviewUi::login(const http::Request& req) {
  const auto form = req.form();
  // Login CSRF: the form's token must match the cookie set with the form.
  if (!same_origin(req) || !equal_secrets(param(form, "csrf"), req.cookie(kLoginCookie)))
    return forbidden("the login form has expired or came from elsewhere");
  const std::string login = param(form, "login");
  const auto now = std::chrono::steady_clock::now();
  // A name no login can be (a megabyte of it, say) is refused before any lookup or count.
  if (!is_valid_login(login)) return login_page(req, "login_wrong", 401);
  if (const std::string why = throttle_.begin(login, req.peer, now); !why.empty()) {
    registry_.audit(login, "login-throttled", "", {{"client", req.peer}, {"why", why}});
    return login_page(req, "login_throttled", 429);
  }
  const Config config = context_.config();
  std::optional<User> user;
  std::string problem;
  if (config.users_file.empty()) {
    problem = "no users file is configured (http.users_file)";
  } else {
    try {
      user = authenticate(load_users(config.users_file), login, param(form, "password"));
    } catch (const std::exception& e) {
      problem = e.what();
    }
  }
  throttle_.end(login, req.peer,
                user              ? LoginThrottle::Result::kSuccess
                : problem.empty() ? LoginThrottle::Result::kFailure
                                  : LoginThrottle::Result::kNotJudged,
                std::chrono::steady_clock::now());
  if (!user) {
    registry_.audit(login, "login-failed", "", {{"problem", problem}, {"client", req.peer}});
    if (!problem.empty()) {
      // For the operator; the visitor learns only that logging in cannot work now.
      std::cerr << "sot-intaked[-]: review: login impossible: " << problem << std::endl;
      return login_page(req, "login_impossible", 503);
    }
    return login_page(req, "login_wrong", 401);
  }
  // The clerk's language: as chosen before (the registry keeps it), else the login page's.
  std::string lang = registry_.preference(user->login, "language");
  if (!is_language(lang)) lang = req.cookie(kLangCookie);
  if (!is_language(lang)) lang = kLanguages[0];
  const std::string token =
      sessions_.open({user->login, user->role, random_token(), lang, now, now});
  registry_.audit(user->login, "login", "", json::object());
  Response r = Response::redirect("/review");
  r.headers.emplace_back("Set-Cookie", session_cookie(token));
  r.headers.emplace_back("Set-Cookie", cookie_header(kLoginCookie, "", 0));
  return r;
}

Response ReviewUi::serve(const http::Request& req) {
  // HEAD is a GET whose body the server drops; nothing here takes another method.
  if (req.method == "HEAD") {
    http::Request get = req;
    get.method = "GET";
    return serve(get);
  }
  if (req.method != "GET" && req.method != "POST") return method_not_allowed("GET, HEAD, POST");
  if (req.path == "/") {
    if (req.method != "GET") return method_not_allowed("GET, HEAD");
    return Response::redirect("/review");
  }
  const std::string static_prefix = "/review/static/";
  if (req.path.rfind(static_prefix, 0) == 0 || req.path == "/review/app.css") {
    if (req.method != "GET") return method_not_allowed("GET, HEAD");
    const auto file = static_file(req.path == "/review/app.css"
                                      ? std::string_view("app.css")
                                      : std::string_view(req.path).substr(static_prefix.size()));
    if (!file) return not_found();
    Response r{200, file->content_type, std::string(file->body), {}};
    r.headers.emplace_back("Cache-Control", "private, max-age=300");
    return r;
  }
  if (req.path == "/review/login") {
    if (req.method == "POST") return login(req);
    return login_page(req, "", 200);
  }
  const auto s = sessions_.find(req);
  if (!s) {
    if (req.method == "GET") return Response::redirect("/review/login");
    return forbidden("no session");
  }
  if (req.method == "POST" && !csrf_ok(req, *s)) return forbidden("missing or wrong CSRF token");
  try {
    return route(req, *s);
  } catch (const std::exception& e) {
    // An internal failure is the operator's, and the clerk is told so plainly.
    std::cerr << "sot-intaked[-]: review: " << req.method << " " << req.path << ": " << e.what()
              << std::endl;
    return Response::text(500, "internal error; see the daemon's log\n");
  }
}

Response ReviewUi::route(const http::Request& req, const Session& s) {
  if (req.path == "/review/logout" && req.method == "POST") {
    sessions_.close(req.cookie(kSessionCookie));
    Response r = Response::redirect("/review/login");
    r.headers.emplace_back("Set-Cookie", cookie_header(kSessionCookie, "", 0));
    return r;
  }
  if (req.path == "/review/lang" && req.method == "POST") return set_language(req, s);
  if (req.path == "/review" || req.path == "/review/") return queue_page(req, s);
  if (req.path == "/review/bulk") {
    if (req.method != "POST") return method_not_allowed("POST");
    return bulk(req, s);
  }
  if (req.path == "/review/stats") return stats_page(req, s);
  const std::string b = "/review/b/";
  if (req.path.rfind(b, 0) == 0) {
    std::string rest = req.path.substr(b.size());
    const auto slash = rest.find('/');
    const std::string placed = rest.substr(0, slash);
    if (!spool::is_bundle_id(placed)) return not_found();
    const std::string action = slash == std::string::npos ? "" : rest.substr(slash + 1);
    if (action.empty() && req.method == "GET") return bundle_page(placed, req, s);
    if (action.rfind("preview/", 0) == 0 && req.method == "GET")
      return preview(placed, action.substr(8), req);
    if (action == "decide" && req.method == "POST") return decide(placed, req, s);
    if (action == "assign" && req.method == "POST") return assign(placed, req, s);
    return not_found();
  }
  const std::string h = "/review/hold/";
  if (req.path.rfind(h, 0) == 0 && req.method == "POST")
    return hold(req.path.substr(h.size()), req, s);
  const std::string d = "/review/decided/";
  if (req.path.rfind(d, 0) == 0 && req.method == "GET") {
    std::string rest = req.path.substr(d.size());
    const auto p1 = rest.find('/');
    if (p1 == std::string::npos) return not_found();
    const std::string outcome = rest.substr(0, p1);
    rest = rest.substr(p1 + 1);
    const auto p2 = rest.find('/');
    const std::string placed = rest.substr(0, p2);
    if ((outcome != "registered" && outcome != "rejected") || !spool::is_bundle_id(placed))
      return not_found();
    if (p2 == std::string::npos) return decided_page(outcome, placed, req, s);
    return decided_file(outcome, placed, rest.substr(p2 + 1));
  }
  return not_found();
}

Response ReviewUi::set_language(const http::Request& req, const Session& s) {
  const auto form = req.form();
  const std::string lang = param(form, "lang");
  if (!is_language(lang)) return Response::text(400, "unknown language\n");
  registry_.set_preference(s.login, "language", lang);
  sessions_.set_language(req.cookie(kSessionCookie), lang);
  Response r = Response::redirect(local_target(param(form, "back")));
  r.headers.emplace_back("Set-Cookie", cookie_header(kLangCookie, lang, 3600L * 24 * 365));
  return r;
}

Response ReviewUi::queue_page(const http::Request& req, const Session& s) {
  const Config config = context_.config();
  const auto pipe = context_.pipeline();
  const QueueFilter f = filter_of(req, s);
  const std::string context = filter_query(f);
  const auto all = queue_.items();
  auto items = apply_filter(all, f);
  const std::string& lang = s.lang;
  json m;
  m["lang"] = lang;
  m["q"] = f.text;
  m["court"] = f.court;
  m["mine"] = !f.mine.empty();
  m["sort"] = f.sort;
  m["order"] = f.asc ? "asc" : "desc";
  m["lead"] = s.role == "lead";
  m["csrf"] = s.csrf;
  m["target_hours"] = config.review_target_hours;
  m["total"] = items.size();
  json codes = json::array();
  for (const auto& [c, rule] : pipe->rules().codes)
    codes.push_back({{"code", std::string(c)}, {"selected", c == f.code}});
  m["codes"] = codes;
  // Counts over the whole queue, each a link to its filter.
  std::map<std::string, int> by_reason, by_court;
  for (const auto& i : all) {
    for (const auto& r : i.reasons) ++by_reason[r];
    ++by_court[i.court.empty() ? "—" : i.court];
  }
  const auto chips = [&](const std::map<std::string, int>& counts, const char* key) {
    std::vector<std::pair<std::string, int>> v(counts.begin(), counts.end());
    std::stable_sort(v.begin(), v.end(),
                     [](const auto& a, const auto& b) { return a.second > b.second; });
    json out = json::array();
    for (const auto& [name, n] : v)
      out.push_back({{"name", name},
                     {"n", n},
                     {"href", "/review?" + std::string(key) + "=" + url_encode(name)}});
    return out;
  };
  m["by_reason"] = chips(by_reason, "code");
  m["by_court"] = chips(by_court, "court");
  // Bulk reasons: what the queue's bundles were found with first, then every rejection code;
  // each bundle's decision checks that the reason is one for it.
  json rcodes = json::array();
  Decisions decisions(spool_, registry_, config, pipe->rules());
  std::vector<std::string> reason_codes;
  for (const auto& [c, n] : by_reason)
    if (pipe->rules().code(c) && !is_court_side(c)) reason_codes.push_back(c);
  for (const auto& c : decisions.rejection_codes())
    if (std::find(reason_codes.begin(), reason_codes.end(), c) == reason_codes.end())
      reason_codes.push_back(c);
  for (const auto& c : reason_codes) {
    const rules::CodeRule* rule = pipe->rules().code(c);
    rcodes.push_back(
        {{"code", c}, {"basis", rule ? (lang == "kk" ? rule->basis.kk : rule->basis.ru) : ""}});
  }
  m["reject_codes"] = rcodes;
  // Sortable headers keep the filter.
  json headers = json::array();
  const auto header = [&](const char* key, const char* label_key) {
    json h{{"label", label(lang, label_key)}};
    if (key) {
      QueueFilter g = f;
      g.sort = key;
      g.asc = f.sort == key ? !f.asc : false;
      h["href"] = "/review?" + filter_query(g);
      if (f.sort == key) h["arrow"] = f.asc ? "▲" : "▼";
    } else {
      h["href"] = nullptr;
    }
    headers.push_back(h);
  };
  header("bundle", "bundle");
  header(nullptr, "submission");
  header("age", "age");
  header("court", "court");
  header("kind", "kind");
  header(nullptr, "filer");
  header(nullptr, "reasons");
  header(nullptr, "assignee");
  m["headers"] = headers;
  // One page of the list.
  const int pages = std::max(1, static_cast<int>((items.size() + kPageSize - 1) / kPageSize));
  const int page_no = std::clamp(int_param(req.query, "page", 1), 1, pages);
  json rows = json::array();
  const std::size_t from = static_cast<std::size_t>(page_no - 1) * kPageSize;
  for (std::size_t k = from; k < std::min(items.size(), from + kPageSize); ++k) {
    const ReviewItem& i = items[k];
    std::string reasons;
    for (const auto& r : i.reasons) reasons += (reasons.empty() ? "" : ", ") + r;
    rows.push_back({{"placed", i.placed_as},
                    {"href", bundle_href(i.placed_as, context)},
                    {"submission", i.submission_id},
                    {"age", age_text(i.age_hours, lang)},
                    {"age_class", age_class(i.age_hours, config.review_target_hours)},
                    {"court", i.court},
                    {"kind", value_name(lang, i.kind)},
                    {"filer", i.filer},
                    {"reasons", reasons},
                    {"assignee", i.assignee}});
  }
  m["items"] = rows;
  m["page"] = page_no;
  m["pages"] = pages;
  const std::string page_base = "/review?" + context + (context.empty() ? "" : "&") + "page=";
  m["prev"] = page_no > 1 ? json(page_base + std::to_string(page_no - 1)) : json(nullptr);
  m["next"] = page_no < pages ? json(page_base + std::to_string(page_no + 1)) : json(nullptr);
  const std::string back = "/review" + (context.empty() ? "" : "?" + context);
  return Response::html(200, page(label(lang, "queue_title"), render("queue", m), &s, lang, back));
}

Response ReviewUi::bulk(const http::Request& req, const Session& s) {
  if (s.role != "lead") return forbidden("only a lead clerk decides several bundles at once");
  const auto form = req.form();
  const auto bundles = split_lines(param(form, "b"));
  const std::string action = param(form, "action");
  const auto codes = split_lines(param(form, "codes"));
  const std::string& lang = s.lang;
  if (bundles.empty()) return message(400, label(lang, "bulk_result"), label(lang, "bulk_none"), s);
  if ((action != "register" && action != "reject") || (action == "reject" && codes.size() != 1) ||
      (action == "register" && !codes.empty()))
    return message(400, label(lang, "bulk_result"), label(lang, "bulk_one_reason"), s);
  const Config config = context_.config();
  const auto pipe = context_.pipeline();
  Decisions decisions(spool_, registry_, config, pipe->rules());
  json results = json::array();
  // Each bundle is one decision of its own: claimed, committed and audited on its own, so one
  // that another clerk took meanwhile is reported and the others go on.
  for (const auto& placed : bundles) {
    DecisionResult r;
    try {
      r = decisions.decide({placed, action, s.login, codes, param(form, "note"), ""});
    } catch (const std::exception& e) {
      r.ok = false;
      r.error = std::string("the decision could not be stored: ") + e.what();
    }
    if (r.ok && context_.decided) context_.decided(action);
    if (r.ok)
      registry_.audit(s.login, "bulk-" + action, placed,
                      {{"placed_as", placed}, {"codes", codes}, {"of", bundles.size()}});
    results.push_back(
        {{"placed", placed},
         {"ok", r.ok},
         {"outcome", r.ok ? label(lang, r.outcome) : ""},
         {"number", r.registration_number.empty() ? r.placed_as : r.registration_number},
         {"href", r.ok ? json("/review/decided/" + r.outcome + "/" + url_encode(r.placed_as))
                       : json(nullptr)},
         {"error", r.error}});
  }
  return Response::html(
      200, page(label(lang, "bulk_result"), render("bulk", {{"lang", lang}, {"results", results}}),
                &s, lang, "/review"));
}

Response ReviewUi::bundle_page(const std::string& placed, const http::Request& req,
                               const Session& s, const std::string& error) {
  const Config config = context_.config();
  const auto pipe = context_.pipeline();
  Decisions decisions(spool_, registry_, config, pipe->rules());
  const std::string& lang = s.lang;
  const auto shown = decisions.show(placed);
  if (!shown) return message(404, label(lang, "not_found"), label(lang, "not_in_queue"), s);
  const QueueFilter f = filter_of(req, s);
  const std::string context = filter_query(f);
  BundleView view;
  view.lang = lang;
  view.placed = placed;
  view.context = context;
  view.finding = int_param(req.query, "f", -1);
  view.doc = int_param(req.query, "doc", -1);
  view.page = int_param(req.query, "page", 0);
  view.zoom = int_param(req.query, "zoom", 0);
  view.previews = !context_.self_exe.empty();
  json m = bundle_model(*shown, view, pipe->rules(), decisions);
  m["lang"] = lang;
  m["csrf"] = s.csrf;
  m["lead"] = s.role == "lead";
  m["error"] = error;
  const json& report = (*shown)["report"];
  // Received and waiting since.
  std::string received = report.is_object() ? report.value("processed_at", "") : "";
  if (const auto rec = registry_.find((*shown).value("bundle", placed));
      rec && !rec->received_at.empty())
    received = rec->received_at;
  const double age = hours_since(received);
  m["submitted"] = received.substr(0, 16);
  m["age"] = age_text(age, lang);
  m["age_class"] = age_class(age, config.review_target_hours);
  const std::string assignee =
      (*shown)["assignee"].is_string() ? (*shown)["assignee"].get<std::string>() : "";
  m["assignee"] = assignee;
  const bool elsewhere = s.role != "lead" && !assignee.empty() && assignee != s.login;
  m["assigned_elsewhere"] = elsewhere ? json(assignee) : json(nullptr);
  m["can_decide"] = !elsewhere;
  // Authority and resubmissions (spec §5), where the filing has them.
  if (report.is_object() && report.contains("authority") && report["authority"].is_object()) {
    const json& a = report["authority"];
    const std::string shown_by = a.value("shown_by", "");
    m["authority"] =
        value_name(lang, a.value("capacity", std::string())) + ": " +
        (shown_by == "document"
             ? label(lang, "authority_document") + " " + a.value("document", std::string())
         : shown_by == "authority_ref"
             ? label(lang, "authority_ref") + " " + a.value("authority_ref", std::string())
             : label(lang, "authority_none"));
  }
  const json chain = outcome::resubmission_chain(
      registry_,
      field(report, "submission_id").is_string() ? field(report, "submission_id").get<std::string>()
                                                 : std::string(),
      report);
  const auto codes = [](const json& list) {
    std::string out;
    for (const auto& r : list) out += (out.empty() ? "" : ", ") + r.value("code", std::string());
    return out.empty() ? std::string("—") : out;
  };
  if (chain["resubmission_of"].is_object()) {
    const json& of = chain["resubmission_of"];
    std::string text =
        of.value("submission_id", std::string()) + " (" + of.value("status", std::string()) + ")";
    if (of.contains("reasons_gone"))
      text += "; " + label(lang, "cured") + ": " + codes(of["reasons_gone"]) + "; " +
              label(lang, "remaining") + ": " + codes(of["reasons_remaining"]);
    m["resubmission_of"] = text;
  }
  if (chain["resubmitted_as"].is_array() && !chain["resubmitted_as"].empty()) {
    std::string list;
    for (const auto& r : chain["resubmitted_as"])
      list += (list.empty() ? "" : ", ") + r.value("submission_id", std::string()) + " (" +
              r.value("status", std::string()) + ")";
    m["resubmitted_as"] = list;
  }
  // Office documents: their text, read by the sandboxed helper.
  if (m["doc"].is_object() && !context_.self_exe.empty()) {
    const int doc = m["doc"]["index"].get<int>();
    const json& d = object_at(list_of(report, "documents"), static_cast<std::size_t>(doc));
    const std::string format = d.value("format", "");
    if (has_text_preview(format)) {
      std::string why;
      const fs::path path =
          spool_.outcome_dir(Outcome::kReview) / placed / "files" / d.value("file", "");
      std::error_code ec;
      const auto root =
          fs::weakly_canonical(spool_.outcome_dir(Outcome::kReview) / placed / "files", ec);
      const auto canonical = fs::weakly_canonical(path, ec);
      std::optional<std::string> text;
      if (!ec && canonical.string().rfind(root.string() + "/", 0) == 0 &&
          !fs::is_symlink(path, ec) && fs::is_regular_file(path, ec))
        text = preview_text(context_.self_exe, path, format, &why);
      if (text && !text->empty())
        m["doc"]["text"] = *text;
      else
        m["doc"]["no_preview"] = true, m["doc"]["why"] = why;
    }
  }
  // Where this bundle stands in the clerk's filtered queue: previous, next, and where a decision
  // leads (the next bundle, or the one before when this is the last).
  const auto items = apply_filter(queue_.items(), f);
  int at = -1;
  for (std::size_t i = 0; i < items.size(); ++i)
    if (items[i].placed_as == placed) at = static_cast<int>(i);
  m["count"] = items.size();
  m["position"] = at + 1;
  const auto href_at = [&](int i) {
    return i >= 0 && i < static_cast<int>(items.size()) && at >= 0
               ? bundle_href(items[static_cast<std::size_t>(i)].placed_as, context)
               : std::string();
  };
  const std::string prev = href_at(at - 1), next = href_at(at + 1);
  m["prev"] = prev;
  m["next"] = next;
  m["next_after"] = next.empty() ? prev : next;
  // Flash: the decision just taken on the previous bundle.
  const std::string done = param(req.query, "done");
  if (const auto slash = done.find('/'); slash != std::string::npos) {
    const std::string outcome = done.substr(0, slash), name = done.substr(slash + 1);
    if ((outcome == "registered" || outcome == "rejected") && spool::is_bundle_id(name))
      m["flash"] = {{"text", label(lang, "done_" + outcome) + ": " + name},
                    {"href", "/review/decided/" + outcome + "/" + url_encode(name)}};
  }
  // Assign (lead).
  if (s.role == "lead") {
    json clerks = json::array({{{"login", ""}, {"selected", assignee.empty()}}});
    try {
      for (const auto& u : load_users(config.users_file))
        clerks.push_back({{"login", u.login}, {"selected", u.login == assignee}});
    } catch (const std::exception&) {
    }
    m["clerks"] = clerks;
    m["hold_form"] = hold_form((*shown).value("bundle", placed), bundle_href(placed, context), s);
  }
  std::string content = render("bundle", m);
  return Response::html(error.empty() ? 200 : 409,
                        page(label(lang, "bundle") + " " + placed, content, &s, lang,
                             bundle_href(placed, context), "full"));
}

Response ReviewUi::preview(const std::string& placed, const std::string& rest,
                           const http::Request& req) {
  const auto slash = rest.find('/');
  if (slash == std::string::npos || context_.self_exe.empty()) return not_found();
  int index = -1, page_no = -1;
  try {
    index = std::stoi(rest.substr(0, slash));
    page_no = std::stoi(rest.substr(slash + 1));
  } catch (const std::exception&) {
    return not_found();
  }
  const fs::path dir = spool_.outcome_dir(Outcome::kReview) / placed;
  const auto report = spool_.report_at(dir);
  if (!report || index < 0 || page_no < 1) return not_found();
  const json& docs = list_of(*report, "documents");
  if (static_cast<std::size_t>(index) >= docs.size()) return not_found();
  const std::string file = object_at(docs, static_cast<std::size_t>(index)).value("file", "");
  // The file as the report names it, and only a plain file inside the bundle's files/.
  const fs::path path = dir / "files" / fs::path(file);
  std::error_code ec;
  const auto canonical = fs::weakly_canonical(path, ec);
  const auto root = fs::weakly_canonical(dir / "files", ec);
  if (ec || file.empty() || canonical.string().rfind(root.string() + "/", 0) != 0 ||
      fs::is_symlink(path, ec) || !fs::is_regular_file(path, ec))
    return not_found();
  const int dpi = std::clamp(int_param(req.query, "dpi", kPreviewDpi), 20, kMaxPreviewDpi);
  std::string why;
  const auto png = render_preview(context_.self_exe, path, page_no, dpi, &why);
  if (!png) return Response::text(422, "no preview: " + why + "\n");
  Response r{200, "image/png", *png, {}};
  r.headers.emplace_back("Cache-Control", "private, max-age=600");
  return r;
}

Response ReviewUi::decide(const std::string& placed, const http::Request& req, const Session& s) {
  const auto form = req.form();
  const Config config = context_.config();
  const auto pipe = context_.pipeline();
  Decisions decisions(spool_, registry_, config, pipe->rules());
  if (const auto shown = decisions.show(placed); shown && s.role != "lead") {
    const std::string assignee =
        (*shown)["assignee"].is_string() ? (*shown)["assignee"].get<std::string>() : "";
    if (!assignee.empty() && assignee != s.login)
      return forbidden("this bundle is assigned to " + assignee);
  }
  Decision d{placed,
             param(form, "action"),
             s.login,
             split_lines(param(form, "codes")),
             param(form, "note"),
             param(form, "file")};
  DecisionResult r;
  try {
    r = decisions.decide(d);
  } catch (const std::exception& e) {
    r.ok = false;
    r.error = std::string("the decision could not be stored: ") + e.what();
  }
  if (!r.ok && r.placed_as.empty()) return bundle_page(placed, req, s, r.error);
  if (r.ok && context_.decided) context_.decided(d.action);
  // On to the next bundle of the clerk's filter, if it is still waiting; else the decision.
  const std::string next = param(form, "next");
  const std::string prefix = "/review/b/";
  if (next.rfind(prefix, 0) == 0 && local_target(next) == next) {
    const std::string name = next.substr(prefix.size(), next.find('?') - prefix.size());
    std::error_code ec;
    if (spool::is_bundle_id(name) && name != placed &&
        fs::is_directory(spool_.outcome_dir(Outcome::kReview) / name, ec)) {
      if (r.outcome == "incoming") return Response::redirect(next);
      return Response::redirect(next + (next.find('?') == std::string::npos ? "?" : "&") +
                                "done=" + r.outcome + "/" + url_encode(r.placed_as));
    }
  }
  if (r.outcome == "incoming") return Response::redirect("/review");
  return Response::redirect("/review/decided/" + r.outcome + "/" + url_encode(r.placed_as));
}

Response ReviewUi::assign(const std::string& placed, const http::Request& req, const Session& s) {
  if (s.role != "lead") return forbidden("only a lead clerk assigns bundles");
  const auto form = req.form();
  const std::string clerk = param(form, "clerk");
  if (!clerk.empty() && !is_valid_login(clerk)) return bundle_page(placed, req, s, "bad login");
  const auto report = spool_.report_at(spool_.outcome_dir(Outcome::kReview) / placed);
  if (!report) return not_found();
  const std::string bundle = report->value("bundle", placed);
  registry_.set_assignee(bundle, clerk);
  registry_.audit(s.login, "assign", bundle, {{"clerk", clerk}});
  return Response::redirect("/review/b/" + url_encode(placed));
}

std::string ReviewUi::hold_form(const std::string& bundle, const std::string& back,
                                const Session& s) {
  bool held = false;
  try {
    held = registry_.legal_hold(bundle);
  } catch (const std::exception&) {
    return "";
  }
  return render("hold", {{"lang", s.lang},
                         {"action", "/review/hold/" + url_encode(bundle)},
                         {"csrf", s.csrf},
                         {"back", back},
                         {"on", held ? "0" : "1"},
                         {"state", label(s.lang, held ? "hold_on" : "hold_off")},
                         {"button", label(s.lang, held ? "hold_clear" : "hold_set")}});
}

Response ReviewUi::hold(const std::string& bundle, const http::Request& req, const Session& s) {
  if (s.role != "lead") return forbidden("only a lead clerk puts a bundle on legal hold");
  if (!spool::is_bundle_id(bundle) || !registry_.find(bundle)) return not_found();
  const auto form = req.form();
  retention::set_hold(registry_, bundle, param(form, "on") == "1", s.login, param(form, "note"));
  return Response::redirect(local_target(param(form, "back")));
}

Response ReviewUi::decided_page(const std::string& outcome, const std::string& placed,
                                const http::Request& req, const Session& s) {
  const fs::path dir = spool_.root() / outcome / placed / "result";
  const auto report = spool_.report_at(spool_.root() / outcome / placed);
  if (!report) return not_found();
  const std::string& lang = s.lang;
  json m;
  m["lang"] = lang;
  m["placed"] = placed;
  m["outcome_text"] = label(lang, outcome);
  const char* doc = outcome == "registered" ? "receipt" : "notice";
  std::ifstream in(dir / (std::string(doc) + ".json"));
  if (in) {
    std::ostringstream ss;
    ss << in.rdbuf();
    const json j = json::parse(ss.str(), nullptr, false);
    if (outcome == "registered" && j.is_object())
      m["number"] = j.value("registration_number", std::string());
    if (outcome == "rejected" && j.is_object()) {
      json reasons = json::array();
      for (const auto& r : list_of(j, "reasons")) {
        const json msg = r.value("message", json::object());
        const json act = r.value("action", json::object());
        reasons.push_back(
            {{"kk", msg.value("kk", std::string())},
             {"ru", msg.value("ru", std::string())},
             {"action_kk", act.value("kk", std::string())},
             {"action_ru", act.value("ru", std::string())},
             {"note", field(r, "note").is_string() ? field(r, "note").get<std::string>() : ""}});
      }
      m["has_notice"] = true;
      m["reasons"] = reasons;
    }
    m["document"] = {
        {"href", "/review/decided/" + outcome + "/" + url_encode(placed) + "/" + doc + ".pdf"},
        {"name", std::string(doc) + ".pdf"}};
  } else {
    m["missing"] = std::string(doc);
  }
  if (s.role == "lead")
    m["hold_form"] = hold_form(report->value("bundle", placed),
                               "/review/decided/" + outcome + "/" + url_encode(placed), s);
  const auto items = apply_filter(queue_.items(), filter_of(req, s));
  if (!items.empty())
    m["next"] = bundle_href(items.front().placed_as, filter_query(filter_of(req, s)));
  return Response::html(200, page(label(lang, "decided"), render("decided", m), &s, lang,
                                  "/review/decided/" + outcome + "/" + url_encode(placed)));
}

Response ReviewUi::decided_file(const std::string& outcome, const std::string& placed,
                                const std::string& file) {
  if (file != "notice.pdf" && file != "receipt.pdf") return not_found();
  std::ifstream in(spool_.root() / outcome / placed / "result" / file, std::ios::binary);
  if (!in) return not_found();
  std::ostringstream ss;
  ss << in.rdbuf();
  Response r{200, "application/pdf", ss.str(), {}};
  r.headers.emplace_back("Content-Disposition", "inline; filename=\"" + file + "\"");
  return r;
}

Response ReviewUi::stats_page(const http::Request& req, const Session& s) {
  if (s.role != "lead") return forbidden("the registry's figures are for lead clerks");
  const int days = std::clamp(int_param(req.query, "days", 14), 1, 366);
  const std::string court = param(req.query, "court");
  const RegistryStats stats = compute_stats(registry_, days, court);
  json m = stats_model(stats, s.lang);
  m["lang"] = s.lang;
  m["days"] = days;
  m["court"] = court;
  return Response::html(200, page(label(s.lang, "stats_title"), render("stats", m), &s, s.lang,
                                  "/review/stats?days=" + std::to_string(days)));
}

}  // namespace sot::review
