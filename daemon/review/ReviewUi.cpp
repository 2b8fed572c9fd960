#include "review/ReviewUi.hpp"

#include "retention/Retention.hpp"

#include <iostream>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>

#include "outcome/Notices.hpp"
#include "outcome/Resubmission.hpp"
#include "review/Decisions.hpp"
#include "review/Preview.hpp"
#include "review/Users.hpp"

namespace sot::review {

namespace fs = std::filesystem;
using http::html_escape;
using http::Response;
using nlohmann::json;

namespace {

constexpr auto kSessionLifetime = std::chrono::hours(8);
constexpr auto kSessionIdle = std::chrono::hours(1);
constexpr const char* kCookie = "sot_session";
constexpr const char* kLoginCookie = "sot_login";

std::string esc(const json& j) {
  if (j.is_string()) return html_escape(j.get<std::string>());
  if (j.is_null()) return "—";
  return html_escape(j.dump(-1, ' ', false, json::error_handler_t::replace));
}

std::string url(std::string_view s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

std::string age_text(double hours) {
  if (hours < 1) return std::to_string(static_cast<int>(hours * 60)) + " мин";
  if (hours < 48) return std::to_string(static_cast<int>(hours)) + " ч";
  return std::to_string(static_cast<int>(hours / 24)) + " дн";
}

// A POST from another origin is refused even with a valid cookie (SameSite covers modern
// browsers; this covers the rest).
bool same_origin(const http::Request& req) {
  const std::string site = req.header("sec-fetch-site");
  if (!site.empty() && site != "same-origin" && site != "none") return false;
  const std::string origin = req.header("origin");
  if (origin.empty() || origin == "null") return origin.empty();
  const std::string host = req.header("host");
  return origin == "http://" + host;
}

std::string cookie_header(const std::string& name, const std::string& value, long max_age) {
  return name + "=" + value +
         "; Path=/review; HttpOnly; SameSite=Strict; Max-Age=" + std::to_string(max_age);
}

Response forbidden(const std::string& why) {
  return Response::text(403, "forbidden: " + why + "\n");
}

// The pages' only style sheet (the Content-Security-Policy allows no inline style).
constexpr const char* kStyle =
    "body{font-family:'Liberation Sans',sans-serif;margin:0;color:#222}"
    "header{background:#1d3557;color:#fff;padding:8px 16px;display:flex;gap:16px;"
    "align-items:center}header a{color:#fff}main{padding:16px}"
    "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;"
    "text-align:left;vertical-align:top}th a{color:inherit}.reject{color:#a00}"
    ".review{color:#a60}.info{color:#555}.err{background:#fdd;padding:8px}"
    ".ok{background:#dfd;padding:8px}img.preview{border:1px solid #999;margin:4px}"
    "pre{white-space:pre-wrap;font-size:12px;background:#f6f6f6;padding:6px}"
    "fieldset{margin:12px 0}form.inline{margin:0}label.block{display:block}";

Response method_not_allowed(const char* allow) {
  Response r = Response::text(405, "method not allowed\n");
  r.headers.emplace_back("Allow", allow);
  return r;
}

std::vector<std::string> split_lines(const std::string& s) {
  std::vector<std::string> out;
  std::istringstream in(s);
  std::string line;
  while (std::getline(in, line))
    if (!line.empty()) out.push_back(line);
  return out;
}

}  // namespace

ReviewUi::ReviewUi(spool::Spool& spool, registry::Registry& registry, Context context)
    : spool_(spool), registry_(registry), context_(std::move(context)) {}

std::optional<ReviewUi::Session> ReviewUi::session_of(const http::Request& req) {
  const std::string token = req.cookie(kCookie);
  if (token.empty()) return std::nullopt;
  std::lock_guard lock(mutex_);
  const auto now = std::chrono::steady_clock::now();
  for (auto it = sessions_.begin(); it != sessions_.end();)  // drop the expired
    if (now - it->second.created > kSessionLifetime || now - it->second.last_seen > kSessionIdle)
      it = sessions_.erase(it);
    else
      ++it;
  const auto it = sessions_.find(token);
  if (it == sessions_.end()) return std::nullopt;
  // The users file decides on every request: removed, or given another role, the clerk's
  // session ends now, not when it expires. A file that cannot be read ends every session.
  bool still = false;
  try {
    const Config config = context_.config();
    if (!config.users_file.empty())
      for (const auto& u : load_users(config.users_file))
        still = still || (u.login == it->second.login && u.role == it->second.role);
  } catch (const std::exception& e) {
    std::cerr << "sot-intaked[-]: review: the users file cannot be read: " << e.what() << std::endl;
  }
  if (!still) {
    sessions_.erase(it);
    return std::nullopt;
  }
  it->second.last_seen = now;
  return it->second;
}

std::string ReviewUi::page(const std::string& title, const std::string& body,
                           const Session* s) const {
  std::string h = "<!doctype html><html lang=\"ru\"><head><meta charset=\"utf-8\"><title>" +
                  html_escape(title) +
                  " — sot-intake</title><link rel=\"stylesheet\" href=\"/review/app.css\">"
                  "</head><body><header><strong>sot-intake</strong>";
  if (s) {
    h += "<a href=\"/review\">Очередь / Кезек</a><span>" + html_escape(s->login) + " (" +
         html_escape(s->role) +
         ")</span><form method=\"post\" action=\"/review/logout\" class=\"inline\">"
         "<input type=\"hidden\" name=\"csrf\" value=\"" +
         s->csrf + "\"><button>Выйти</button></form>";
  }
  h += "</header><main><h1>" + html_escape(title) + "</h1>" + body + "</main></body></html>";
  return h;
}

Response ReviewUi::login_page(const std::string& error, int status) {
  const std::string token = random_token(16);
  std::string body;
  if (!error.empty()) body += "<p class=\"err\" id=\"error\">" + html_escape(error) + "</p>";
  body +=
      "<form method=\"post\" action=\"/review/login\"><input type=\"hidden\" name=\"csrf\" "
      "value=\"" +
      token +
      "\"><p><label>Логин <input name=\"login\" id=\"login\" autocomplete=\"username\" "
      "required></label></p><p><label>Пароль <input type=\"password\" name=\"password\" "
      "id=\"password\" autocomplete=\"current-password\" required></label></p>"
      "<p><button id=\"signin\">Войти / Кіру</button></p></form>";
  Response r = Response::html(status, page("Вход для сотрудников суда", body, nullptr));
  r.headers.emplace_back("Set-Cookie", cookie_header(kLoginCookie, token, 600));
  return r;
}

Response ReviewUi::login(const http::Request& req) {
  const auto form = req.form();
  const auto field = [&](const char* k) {
    const auto it = form.find(k);
    return it == form.end() ? std::string() : it->second;
  };
  // Login CSRF: the form's token must match the cookie set with the form.
  if (!same_origin(req) || !equal_secrets(field("csrf"), req.cookie(kLoginCookie)))
    return forbidden("the login form has expired or came from elsewhere");
  const std::string login = field("login");
  const auto now = std::chrono::steady_clock::now();
  // A name no login can be (a megabyte of it, say) is refused before any lookup or count.
  if (!is_valid_login(login)) return login_page("Неверный логин или пароль.", 401);
  if (const std::string why = throttle_.begin(login, req.peer, now); !why.empty()) {
    registry_.audit(login, "login-throttled", "", {{"client", req.peer}, {"why", why}});
    return login_page("Слишком много попыток; подождите минуту.", 429);
  }
  const Config config = context_.config();
  std::optional<User> user;
  std::string problem;
  if (config.users_file.empty()) {
    problem = "no users file is configured (http.users_file)";
  } else {
    try {
      user = authenticate(load_users(config.users_file), login, field("password"));
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
      return login_page("Вход сейчас невозможен; обратитесь к администратору.", 503);
    }
    return login_page("Неверный логин или пароль.", 401);
  }
  Session s{user->login, user->role, random_token(), now, now};
  const std::string token = random_token();
  {
    std::lock_guard lock(mutex_);
    sessions_[token] = s;
  }
  registry_.audit(user->login, "login", "", json::object());
  Response r = Response::redirect("/review");
  r.headers.emplace_back(
      "Set-Cookie",
      cookie_header(kCookie, token,
                    std::chrono::duration_cast<std::chrono::seconds>(kSessionLifetime).count()));
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
  if (req.path == "/review/app.css") {
    if (req.method != "GET") return method_not_allowed("GET, HEAD");
    Response r = Response::text(200, kStyle);
    r.content_type = "text/css; charset=utf-8";
    return r;
  }
  if (req.path == "/review/login") {
    if (req.method == "POST") return login(req);
    return login_page("");
  }
  const auto s = session_of(req);
  if (!s) {
    if (req.method == "GET") return Response::redirect("/review/login");
    return forbidden("no session");
  }
  if (req.method == "POST") {
    const auto form = req.form();
    const auto it = form.find("csrf");
    if (!same_origin(req) || it == form.end() || !equal_secrets(it->second, s->csrf))
      return forbidden("missing or wrong CSRF token");
  }
  if (req.path == "/review/logout" && req.method == "POST") {
    {
      std::lock_guard lock(mutex_);
      sessions_.erase(req.cookie(kCookie));
    }
    Response r = Response::redirect("/review/login");
    r.headers.emplace_back("Set-Cookie", cookie_header(kCookie, "", 0));
    return r;
  }
  if (req.path == "/review" || req.path == "/review/") return queue_page(req, *s);
  const std::string b = "/review/b/";
  if (req.path.rfind(b, 0) == 0) {
    std::string rest = req.path.substr(b.size());
    const auto slash = rest.find('/');
    const std::string placed = rest.substr(0, slash);
    const std::string tail = slash == std::string::npos ? "" : rest.substr(slash + 1);
    if (!spool::is_bundle_id(placed)) return Response::text(404, "not found\n");
    if (tail.empty() && req.method == "GET") return bundle_page(placed, *s);
    if (tail == "decide" && req.method == "POST") return decide(placed, req, *s);
    if (tail == "assign" && req.method == "POST") return assign(placed, req, *s);
    if (tail.rfind("preview/", 0) == 0 && req.method == "GET")
      return preview(placed, tail.substr(8));
    return Response::text(404, "not found\n");
  }
  if (req.path.rfind("/review/hold/", 0) == 0 && req.method == "POST")
    return hold(req.path.substr(13), req, *s);
  const std::string d = "/review/decided/";
  if (req.path.rfind(d, 0) == 0 && req.method == "GET") {
    std::string rest = req.path.substr(d.size());
    const auto p1 = rest.find('/');
    if (p1 == std::string::npos) return Response::text(404, "not found\n");
    const std::string outcome = rest.substr(0, p1);
    rest = rest.substr(p1 + 1);
    const auto p2 = rest.find('/');
    const std::string placed = rest.substr(0, p2);
    if ((outcome != "registered" && outcome != "rejected") || !spool::is_bundle_id(placed))
      return Response::text(404, "not found\n");
    if (p2 == std::string::npos) return decided_page(outcome, placed, *s);
    return decided_file(outcome, placed, rest.substr(p2 + 1));
  }
  return Response::text(404, "not found\n");
}

Response ReviewUi::queue_page(const http::Request& req, const Session& s) {
  const Config config = context_.config();
  const auto pipe = context_.pipeline();
  Decisions decisions(spool_, registry_, config, pipe->rules());
  auto items = decisions.queue();
  const auto q = [&](const char* k) {
    const auto it = req.query.find(k);
    return it == req.query.end() ? std::string() : it->second;
  };
  const std::string text = q("q"), court = q("court"), code = q("code"), mine = q("mine");
  const std::string sort = q("sort").empty() ? "age" : q("sort");
  const bool asc = q("order") == "asc";
  std::erase_if(items, [&](const ReviewItem& i) {
    if (!text.empty() &&
        (i.bundle + " " + i.submission_id + " " + i.filer).find(text) == std::string::npos)
      return true;
    if (!court.empty() && i.court.find(court) == std::string::npos) return true;
    if (!code.empty() && std::find(i.reasons.begin(), i.reasons.end(), code) == i.reasons.end())
      return true;
    if (mine == "1" && i.assignee != s.login) return true;
    return false;
  });
  std::stable_sort(items.begin(), items.end(), [&](const ReviewItem& a, const ReviewItem& b) {
    int c = 0;
    if (sort == "court")
      c = a.court.compare(b.court);
    else if (sort == "kind")
      c = a.kind.compare(b.kind);
    else if (sort == "bundle")
      c = a.bundle.compare(b.bundle);
    else
      c = a.age_hours < b.age_hours ? -1 : a.age_hours > b.age_hours ? 1 : 0;
    if (sort == "age") c = -c;  // oldest first by default
    return asc ? c > 0 : c < 0;
  });
  std::string body =
      "<form method=\"get\" action=\"/review\" id=\"filter\">"
      "<input name=\"q\" placeholder=\"пакет, обращение, заявитель\" value=\"" +
      html_escape(text) + "\"> <input name=\"court\" placeholder=\"суд\" value=\"" +
      html_escape(court) + "\"> <select name=\"code\"><option value=\"\">все причины</option>";
  for (const auto& [c, rule] : pipe->rules().codes)
    body +=
        "<option" + std::string(c == code ? " selected" : "") + ">" + html_escape(c) + "</option>";
  body += "</select> <label><input type=\"checkbox\" name=\"mine\" value=\"1\"" +
          std::string(mine == "1" ? " checked" : "") +
          "> мои</label> <input type=\"hidden\" name=\"sort\" value=\"" + html_escape(sort) +
          "\"><button>Фильтр</button></form><p>" + std::to_string(items.size()) +
          " на рассмотрении</p><table id=\"queue\"><tr>";
  const auto header = [&](const char* key, const char* label) {
    const std::string order = sort == key && !asc ? "asc" : "desc";
    return "<th><a href=\"/review?sort=" + std::string(key) + "&order=" + order +
           "&q=" + url(text) + "&court=" + url(court) + "&code=" + url(code) +
           (mine == "1" ? "&mine=1" : "") + "\">" + label + "</a></th>";
  };
  body += header("bundle", "Пакет") + "<th>Обращение</th>" + header("age", "Возраст") +
          header("court", "Суд") + header("kind", "Вид") +
          "<th>Заявитель</th><th>Причины</th><th>Исполнитель</th></tr>";
  for (const auto& i : items) {
    std::string reasons;
    for (const auto& r : i.reasons) reasons += (reasons.empty() ? "" : ", ") + html_escape(r);
    body += "<tr><td><a class=\"bundle\" href=\"/review/b/" + url(i.placed_as) + "\">" +
            html_escape(i.placed_as) + "</a></td><td>" + html_escape(i.submission_id) +
            "</td><td>" + age_text(i.age_hours) + "</td><td>" + html_escape(i.court) + "</td><td>" +
            html_escape(i.kind) + "</td><td>" + html_escape(i.filer) + "</td><td>" + reasons +
            "</td><td>" + html_escape(i.assignee) + "</td></tr>";
  }
  body += "</table>";
  return Response::html(200, page("Очередь на рассмотрение / Қарауға кезек", body, &s));
}

Response ReviewUi::bundle_page(const std::string& placed, const Session& s,
                               const std::string& error) {
  const Config config = context_.config();
  const auto pipe = context_.pipeline();
  Decisions decisions(spool_, registry_, config, pipe->rules());
  const auto shown = decisions.show(placed);
  if (!shown)
    return Response::html(
        404,
        page("Пакет не найден", "<p>Пакета «" + html_escape(placed) + "» нет в очереди.</p>", &s));
  const json& v = *shown;
  const json report = v["report"].is_object() ? v["report"] : json::object();
  std::string body;
  if (!error.empty()) body += "<p class=\"err\" id=\"error\">" + html_escape(error) + "</p>";
  const json& filing = v["filing"];
  body += "<table><tr><th>Пакет</th><td id=\"bundle\">" + esc(v["bundle"]) +
          "</td></tr><tr><th>Обращение</th><td>" + esc(report.value("submission_id", json())) +
          "</td></tr><tr><th>Суд</th><td>" + esc(filing["court_code"]) + " " +
          esc(filing["court"]) + "</td></tr><tr><th>Вид</th><td>" + esc(filing["kind"]) +
          "</td></tr><tr><th>Заявитель</th><td>" + esc(filing["filer"]) + " (" +
          esc(filing["filer_id"]) + ")</td></tr><tr><th>Проверен</th><td>" +
          esc(report.value("processed_at", json())) + "</td></tr><tr><th>Исполнитель</th><td>" +
          esc(v["assignee"]) + "</td></tr>";
  // Authority to file and the chain of resubmissions (spec §5), where the filing has them.
  if (report.contains("authority") && report["authority"].is_object()) {
    const json& a = report["authority"];
    body +=
        "<tr><th>Полномочия</th><td id=\"authority\">" + esc(a.value("capacity", json())) + ": " +
        (a.value("shown_by", json()) == "document" ? "документ " + esc(a.value("document", json()))
         : a.value("shown_by", json()) == "authority_ref"
             ? "эл. доверенность № " + esc(a.value("authority_ref", json()))
             : std::string("не подтверждены")) +
        "</td></tr>";
  }
  const json chain = outcome::resubmission_chain(registry_,
                                                 report.value("submission_id", json()).is_string()
                                                     ? report["submission_id"].get<std::string>()
                                                     : std::string(),
                                                 report);
  auto codes = [](const json& list) {
    std::string out;
    for (const auto& r : list) out += (out.empty() ? "" : ", ") + r.value("code", std::string());
    return out.empty() ? std::string("—") : out;
  };
  if (chain["resubmission_of"].is_object()) {
    const json& of = chain["resubmission_of"];
    body += "<tr><th>Повторная подача</th><td id=\"resubmission-of\">обращения " +
            esc(of["submission_id"]) + " (" + esc(of["status"]) + ")";
    if (of.contains("reasons_gone"))
      body += "; устранены: " + html_escape(codes(of["reasons_gone"])) +
              "; остались: " + html_escape(codes(of["reasons_remaining"]));
    if (of.value("within_cure_window", false))
      body += "; срок исчисляется с " + esc(of["deadline_counted_from"]);
    body += "</td></tr>";
  }
  if (!chain["resubmitted_as"].empty()) {
    std::string list;
    for (const auto& r : chain["resubmitted_as"])
      list += (list.empty() ? "" : ", ") + esc(r["submission_id"]) + " (" + esc(r["status"]) + ")";
    body += "<tr><th>Подано повторно</th><td id=\"resubmitted-as\">" + list + "</td></tr>";
  }
  body += "</table>";

  body +=
      "<h2>Замечания / Ескертулер</h2><table id=\"findings\"><tr><th>Код</th><th>Уровень</th>"
      "<th>Файл, стр.</th><th>Сообщение</th><th>Доказательства</th></tr>";
  for (const auto& f : report.value("findings", json::array())) {
    const std::string sev = f.value("severity", "");
    const json msg = f.value("message", json::object());
    body +=
        "<tr class=\"" + html_escape(sev) + "\"><td>" + esc(f.value("code", json())) + "</td><td>" +
        html_escape(sev) + "</td><td>" + esc(f.value("file", json())) +
        (f.value("page", json()).is_number() ? ", " + f["page"].dump() : "") + "</td><td>" +
        esc(msg.value("ru", json(""))) + "<br><small>" + esc(msg.value("kk", json(""))) +
        "</small></td><td><pre>" +
        html_escape(
            f.value("detail", json::object()).dump(1, ' ', false, json::error_handler_t::replace)) +
        "</pre></td></tr>";
  }
  body += "</table>";

  body += "<h2>Подпись / Қолтаңба</h2>";
  if (report.contains("signature"))
    body += "<pre id=\"signature\">" +
            html_escape(report["signature"].dump(1, ' ', false, json::error_handler_t::replace)) +
            "</pre>";
  else
    body += "<p>нет сведений</p>";

  body += "<h2>Документы / Құжаттар</h2>";
  int index = 0;
  for (const auto& d : report.value("documents", json::array())) {
    const std::string file = d.value("file", "");
    const json title = filing["titles"].value(file, json(""));
    body += "<h3>" + html_escape(file) + " — " + esc(title) + "</h3><p>" +
            esc(d.value("format", json())) + ", " + esc(d.value("pages", json())) + " стр., " +
            esc(d.value("bytes", json())) + " байт, SHA-256 <code>" +
            esc(d.value("sha256", json())) + "</code></p>";
    const json facts = d.value("page_facts", json::array());
    if (!facts.empty()) {
      body +=
          "<table><tr><th>Стр.</th><th>Тип</th><th>dpi</th><th>Цвет</th><th>Размер, мм</th>"
          "</tr>";
      for (const auto& p : facts)
        body += "<tr><td>" + esc(p.value("page", json())) + "</td><td>" +
                esc(p.value("kind", json())) + "</td><td>" + esc(p.value("dpi", json())) +
                "</td><td>" + esc(p.value("color_mode", json())) + "</td><td>" +
                esc(p.value("width_mm", json())) + "×" + esc(p.value("height_mm", json())) +
                "</td></tr>";
      body += "</table>";
    }
    const std::string format = d.value("format", "");
    if (!context_.self_exe.empty() && (format == "pdf" || format == "jpeg" || format == "tiff")) {
      const int pages = d.value("pages", json(1)).is_number() ? d["pages"].get<int>() : 1;
      for (int p = 1; p <= std::min(pages, 12); ++p)
        body += "<a href=\"/review/b/" + url(placed) + "/preview/" + std::to_string(index) + "/" +
                std::to_string(p) + "?dpi=" + std::to_string(kMaxPreviewDpi) +
                "\"><img class=\"preview\"" + (p > 2 ? " loading=\"lazy\"" : "") + " alt=\"стр. " +
                std::to_string(p) + "\" src=\"/review/b/" + url(placed) + "/preview/" +
                std::to_string(index) + "/" + std::to_string(p) + "\"></a>";
      if (pages > 12) body += "<p>… ещё " + std::to_string(pages - 12) + " стр.</p>";
    }
    ++index;
  }

  const std::string csrf = "<input type=\"hidden\" name=\"csrf\" value=\"" + s.csrf + "\">";
  const std::string action = "/review/b/" + url(placed) + "/decide";
  body += "<h2>Решение / Шешім</h2>";
  const std::string assignee = v["assignee"].is_string() ? v["assignee"].get<std::string>() : "";
  if (s.role != "lead" && !assignee.empty() && assignee != s.login) {
    body += "<p>Пакет назначен сотруднику " + html_escape(assignee) + ".</p>";
  } else {
    body += "<form method=\"post\" action=\"" + action + "\" id=\"register-form\">" + csrf +
            "<input type=\"hidden\" name=\"action\" value=\"register\"><label>Комментарий "
            "<input name=\"note\"></label> <button id=\"register\">Зарегистрировать / "
            "Тіркеу</button></form>";
    body += "<form method=\"post\" action=\"" + action +
            "\" id=\"reject-form\"><fieldset>"
            "<legend>Отказать / Бас тарту</legend>" +
            csrf + "<input type=\"hidden\" name=\"action\" value=\"reject\">";
    for (const auto& code : decisions.rejection_codes()) {
      const rules::CodeRule* rule = pipe->rules().code(code);
      body += "<label class=\"block\"><input type=\"checkbox\" name=\"codes\" value=\"" +
              html_escape(code) + "\"> <code>" + html_escape(code) + "</code> " +
              (rule ? html_escape(rule->basis.ru) : "") + "</label>";
    }
    body += "<p><label>Документ <select name=\"file\" id=\"file\"><option value=\"\">—</option>";
    for (const auto& doc : report.value("documents", json::array()))
      body += "<option>" + esc(doc.value("file", json(""))) + "</option>";
    body += "</select></label></p>";
    body +=
        "<p><label>Пояснение для заявителя<br><textarea name=\"note\" id=\"note\" rows=\"3\" "
        "cols=\"80\"></textarea></label></p><button id=\"reject\">Отказать</button>"
        "</fieldset></form>";
    body += "<form method=\"post\" action=\"" + action + "\" id=\"reprocess-form\">" + csrf +
            "<input type=\"hidden\" name=\"action\" value=\"reprocess\"><button "
            "id=\"reprocess\">Проверить заново</button></form>";
  }
  if (s.role == "lead") {
    body += "<form method=\"post\" action=\"/review/b/" + url(placed) +
            "/assign\" id=\"assign-form\">" + csrf +
            "<label>Назначить сотруднику <select name=\"clerk\"><option value=\"\">—</option>";
    try {
      for (const auto& u : load_users(config.users_file))
        body += "<option" + std::string(u.login == assignee ? " selected" : "") + ">" +
                html_escape(u.login) + "</option>";
    } catch (const std::exception&) {
    }
    body += "</select></label> <button id=\"assign\">Назначить</button></form>";
    body += hold_form(report.value("bundle", placed), "/review/b/" + url(placed), s);
  }

  body +=
      "<h2>Журнал / Журнал</h2><table id=\"audit\"><tr><th>Когда</th><th>Кто</th><th>Что</th>"
      "<th>Подробности</th></tr>";
  for (const auto& a : v["audit"])
    body += "<tr><td>" + esc(a["at"]) + "</td><td>" + esc(a["actor"]) + "</td><td>" +
            esc(a["action"]) + "</td><td>" + esc(a["detail"]) + "</td></tr>";
  for (const auto& t : v["transitions"])
    body += "<tr><td>" + esc(t["at"]) + "</td><td>sot-intaked</td><td>" + esc(t["state"]) +
            "</td><td></td></tr>";
  body += "</table>";
  return Response::html(200, page("Пакет " + placed, body, &s));
}

Response ReviewUi::preview(const std::string& placed, const std::string& rest) {
  const auto slash = rest.find('/');
  if (slash == std::string::npos || context_.self_exe.empty())
    return Response::text(404, "not found\n");
  int index = -1, page_no = -1;
  try {
    index = std::stoi(rest.substr(0, slash));
    page_no = std::stoi(rest.substr(slash + 1));
  } catch (const std::exception&) {
    return Response::text(404, "not found\n");
  }
  const fs::path dir = spool_.outcome_dir(Outcome::kReview) / placed;
  const auto report = spool_.report_at(dir);
  if (!report || index < 0 || page_no < 1) return Response::text(404, "not found\n");
  const json docs = report->value("documents", json::array());
  if (static_cast<std::size_t>(index) >= docs.size()) return Response::text(404, "not found\n");
  const std::string file = docs[static_cast<std::size_t>(index)].value("file", "");
  // The file as the report names it, and only a plain file inside the bundle's files/.
  const fs::path path = dir / "files" / fs::path(file);
  std::error_code ec;
  const auto canonical = fs::weakly_canonical(path, ec);
  const auto root = fs::weakly_canonical(dir / "files", ec);
  if (ec || file.empty() || canonical.string().rfind(root.string() + "/", 0) != 0 ||
      fs::is_symlink(path, ec) || !fs::is_regular_file(path, ec))
    return Response::text(404, "not found\n");
  std::string why;
  const auto png = render_preview(context_.self_exe, path, page_no, kPreviewDpi, &why);
  if (!png) return Response::text(422, "no preview: " + why + "\n");
  Response r{200, "image/png", *png, {}};
  return r;
}

Response ReviewUi::decide(const std::string& placed, const http::Request& req, const Session& s) {
  const auto form = req.form();
  const auto field = [&](const char* k) {
    const auto it = form.find(k);
    return it == form.end() ? std::string() : it->second;
  };
  const Config config = context_.config();
  const auto pipe = context_.pipeline();
  Decisions decisions(spool_, registry_, config, pipe->rules());
  if (const auto shown = decisions.show(placed); shown && s.role != "lead") {
    const std::string assignee =
        (*shown)["assignee"].is_string() ? (*shown)["assignee"].get<std::string>() : "";
    if (!assignee.empty() && assignee != s.login)
      return forbidden("this bundle is assigned to " + assignee);
  }
  Decision d{placed,        field("action"), s.login, split_lines(field("codes")),
             field("note"), field("file")};
  DecisionResult r;
  try {
    r = decisions.decide(d);
  } catch (const std::exception& e) {
    r.ok = false;
    r.error = std::string("the decision could not be stored: ") + e.what();
  }
  if (!r.ok && r.placed_as.empty()) return bundle_page(placed, s, r.error);
  if (r.outcome == "incoming") return Response::redirect("/review");
  return Response::redirect("/review/decided/" + r.outcome + "/" + url(r.placed_as));
}

Response ReviewUi::assign(const std::string& placed, const http::Request& req, const Session& s) {
  if (s.role != "lead") return forbidden("only a lead clerk assigns bundles");
  const auto form = req.form();
  const auto it = form.find("clerk");
  const std::string clerk = it == form.end() ? "" : it->second;
  if (!clerk.empty() && !is_valid_login(clerk)) return bundle_page(placed, s, "bad login");
  const auto report = spool_.report_at(spool_.outcome_dir(Outcome::kReview) / placed);
  if (!report) return Response::text(404, "not found\n");
  const std::string bundle = report->value("bundle", placed);
  registry_.set_assignee(bundle, clerk);
  registry_.audit(s.login, "assign", bundle, {{"clerk", clerk}});
  return Response::redirect("/review/b/" + url(placed));
}

std::string ReviewUi::hold_form(const std::string& bundle, const std::string& back,
                                const Session& s) {
  bool held = false;
  try {
    held = registry_.legal_hold(bundle);
  } catch (const std::exception&) {
    return "";
  }
  return "<form method=\"post\" action=\"/review/hold/" + url(bundle) +
         "\" id=\"hold-form\"><input type=\"hidden\" name=\"csrf\" value=\"" + s.csrf +
         "\"><input type=\"hidden\" name=\"back\" value=\"" + html_escape(back) +
         "\"><input type=\"hidden\" name=\"on\" value=\"" + (held ? "0" : "1") +
         "\"><span id=\"hold-state\">" +
         (held ? "На удержании (legal hold): файлы не удаляются / Сақтауда"
               : "Без удержания: файлы отказа удаляются по сроку хранения") +
         "</span> <label>Основание <input name=\"note\"></label> <button id=\"hold\">" +
         (held ? "Снять удержание" : "Поставить на удержание") + "</button></form>";
}

Response ReviewUi::hold(const std::string& bundle, const http::Request& req, const Session& s) {
  if (s.role != "lead") return forbidden("only a lead clerk puts a bundle on legal hold");
  if (!spool::is_bundle_id(bundle) || !registry_.find(bundle))
    return Response::text(404, "not found\n");
  const auto form = req.form();
  const auto field = [&](const char* k) {
    const auto it = form.find(k);
    return it == form.end() ? std::string() : it->second;
  };
  retention::set_hold(registry_, bundle, field("on") == "1", s.login, field("note"));
  const std::string back = field("back");
  // Back to the page it came from, inside the review UI only.
  return Response::redirect(back.rfind("/review/", 0) == 0 &&
                                    back.find_first_of("\r\n") == std::string::npos
                                ? back
                                : "/review");
}

Response ReviewUi::decided_page(const std::string& outcome, const std::string& placed,
                                const Session& s) {
  const fs::path dir = spool_.root() / outcome / placed / "result";
  const auto report = spool_.report_at(spool_.root() / outcome / placed);
  if (!report) return Response::text(404, "not found\n");
  std::string body = "<p class=\"ok\" id=\"outcome\">" +
                     std::string(outcome == "registered" ? "Зарегистрировано / Тіркелді"
                                                         : "Отказано / Бас тартылды") +
                     ": " + html_escape(placed) + "</p>";
  const char* doc = outcome == "registered" ? "receipt" : "notice";
  std::ifstream in(dir / (std::string(doc) + ".json"));
  if (in) {
    std::ostringstream ss;
    ss << in.rdbuf();
    const json j = json::parse(ss.str(), nullptr, false);
    if (outcome == "registered" && j.is_object())
      body += "<p>Номер: <strong id=\"number\">" + esc(j.value("registration_number", json())) +
              "</strong></p>";
    if (outcome == "rejected" && j.is_object()) {
      body += "<h2>Уведомление / Хабарлама</h2><ol id=\"notice\">";
      for (const auto& r : j.value("reasons", json::array())) {
        const json msg = r.value("message", json::object());
        body += "<li><strong>" + esc(msg.value("kk", json(""))) + "</strong><br>" +
                esc(msg.value("ru", json("")));
        if (r.contains("action"))
          body += "<br><em>" + esc(r["action"].value("kk", json(""))) + "<br>" +
                  esc(r["action"].value("ru", json(""))) + "</em>";
        if (r.contains("note")) body += "<br>» " + esc(r["note"]);
        body += "</li>";
      }
      body += "</ol>";
    }
    body += "<p><a id=\"document\" href=\"/review/decided/" + outcome + "/" + url(placed) + "/" +
            doc + ".pdf\">" + doc + ".pdf</a></p>";
  } else {
    body += "<p class=\"err\">" + std::string(doc) + " не создан; см. журнал демона.</p>";
  }
  if (s.role == "lead")
    body += hold_form(report->value("bundle", placed),
                      "/review/decided/" + outcome + "/" + url(placed), s);
  body += "<p><a href=\"/review\">← к очереди</a></p>";
  return Response::html(200, page("Решение принято / Шешім қабылданды", body, &s));
}

Response ReviewUi::decided_file(const std::string& outcome, const std::string& placed,
                                const std::string& file) {
  if (file != "notice.pdf" && file != "receipt.pdf") return Response::text(404, "not found\n");
  std::ifstream in(spool_.root() / outcome / placed / "result" / file, std::ios::binary);
  if (!in) return Response::text(404, "not found\n");
  std::ostringstream ss;
  ss << in.rdbuf();
  Response r{200, "application/pdf", ss.str(), {}};
  r.headers.emplace_back("Content-Disposition", "inline; filename=\"" + file + "\"");
  return r;
}

}  // namespace sot::review
