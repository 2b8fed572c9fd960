#include "review/BundlePage.hpp"

#include <algorithm>
#include <cmath>
#include <set>

#include "review/Security.hpp"
#include "review/Views.hpp"

namespace sot::review {

using nlohmann::json;

namespace {

std::string str(const json& j, const char* key) {
  const auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::string value_text(const json& v) {
  if (v.is_string()) {
    std::string s = v.get<std::string>();
    const bool hex = s.size() > 24 && std::all_of(s.begin(), s.end(), [](char c) {
                       return std::isxdigit(static_cast<unsigned char>(c));
                     });
    if (hex) s = s.substr(0, 12) + "…";
    return s;
  }
  if (v.is_number_float()) {
    const double d = v.get<double>();
    char buf[32];
    std::snprintf(buf, sizeof buf, std::fabs(d - std::round(d)) < 1e-9 ? "%.0f" : "%.1f", d);
    return buf;
  }
  if (v.is_array()) {
    std::string out;
    std::size_t n = 0;
    for (const auto& e : v) {
      if (++n > 5) {
        out += ", …";
        break;
      }
      out += (out.empty() ? "" : ", ") + value_text(e);
    }
    return out;
  }
  if (v.is_object()) {
    std::string out;
    for (const auto& [k, e] : v.items())
      if (!e.is_object() && !e.is_array())
        out += (out.empty() ? "" : ", ") + k + " " + value_text(e);
    return out;
  }
  if (v.is_null()) return "—";
  return v.dump();
}

// A document's page count as the report gives it (0 when it gives none that is sane).
int page_count(const json& doc) {
  const auto it = doc.is_object() ? doc.find("pages") : doc.end();
  if (it == doc.end() || !it->is_number_integer()) return 0;
  return static_cast<int>(std::clamp<long long>(it->get<long long>(), 0, 1'000'000));
}

std::string rule_basis(const rules::RuleSet& rules, const std::string& code,
                       const std::string& lang) {
  const rules::CodeRule* rule = rules.code(code);
  if (!rule) return "";
  return lang == "kk" ? rule->basis.kk : rule->basis.ru;
}

// The common name of a distinguished name ("CN=…,O=…").
std::string common_name(const std::string& dn) {
  const auto at = dn.find("CN=");
  if (at == std::string::npos) return dn;
  const auto end = dn.find(',', at);
  return dn.substr(at + 3, end == std::string::npos ? std::string::npos : end - at - 3);
}

json signature_card(const json& report, const std::string& lang) {
  const json sig = report.value("signature", json());
  std::set<std::string> codes;
  for (const auto& f : list_of(report, "findings"))
    if (f.is_object()) codes.insert(f.value("code", ""));
  const auto any = [&](std::initializer_list<const char*> list) {
    for (const char* c : list)
      if (codes.count(c)) return true;
    return false;
  };
  json card;
  json technical = sig;
  // The single signer repeats the summary: shown once.
  if (technical.is_object() && technical.contains("signers") && technical["signers"].is_array() &&
      technical["signers"].size() == 1)
    technical.erase("signers");
  card["technical"] =
      sig.is_null() ? "—" : technical.dump(1, ' ', false, json::error_handler_t::replace);
  if (!sig.is_object() || (str(sig, "signer_name").empty() && str(sig, "subject").empty()) ||
      codes.count("SIGNATURE_MISSING")) {
    card["sig"] = nullptr;
    return card;
  }
  json s;
  s["signer"] =
      str(sig, "signer_name").empty() ? common_name(str(sig, "subject")) : str(sig, "signer_name");
  s["iin"] = str(sig, "iin");
  s["bin"] = str(sig, "bin");
  s["organization"] = str(sig, "organization");
  s["role"] =
      value_name(lang, str(sig, "role").empty() ? str(sig, "subject_type") : str(sig, "role"));
  s["serial"] = str(sig, "certificate_serial");
  s["valid_from"] = str(sig, "valid_from").substr(0, 10);
  s["valid_to"] = str(sig, "valid_to").substr(0, 10);
  json checks = json::array();
  const json chain = list_of(sig, "chain");
  const bool chain_ok =
      !chain.empty() && !any({"SIGNATURE_INVALID", "CERT_UNTRUSTED", "CERT_KEY_USAGE",
                              "SIGNATURE_ALGORITHM_UNSUPPORTED"});
  std::string chain_text = label(lang, chain_ok ? "chain_ok" : "chain_bad");
  if (!chain.empty() && chain.back().is_string())
    chain_text += ": " + common_name(chain.back().get<std::string>()) + " (" +
                  std::to_string(chain.size()) + ")";
  checks.push_back({{"ok", chain_ok}, {"text", chain_text}});
  const json crls = list_of(sig, "crl_used");
  const bool crl_ok = !crls.empty() && !any({"CERT_REVOKED", "REVOCATION_UNKNOWN"});
  std::string crl_text = label(lang, crl_ok ? "crl_ok" : "crl_bad");
  if (!crls.empty() && crls[0].is_object())
    crl_text += ", CRL " + str(crls[0], "this_update").substr(0, 10);
  checks.push_back({{"ok", crl_ok}, {"text", crl_text}});
  const bool valid_ok = !any({"CERT_EXPIRED"});
  checks.push_back({{"ok", valid_ok},
                    {"text", label(lang, valid_ok ? "validity_ok" : "validity_bad") + " (" +
                                 str(sig, "validation_time").substr(0, 10) + ")"}});
  s["checks"] = checks;
  card["sig"] = s;
  return card;
}

std::string with_context(std::string href, const std::string& context) {
  if (context.empty()) return href;
  return href + (href.find('?') == std::string::npos ? "?" : "&") + context;
}

}  // namespace

bool has_page_images(const std::string& format) {
  return format == "pdf" || format == "jpeg" || format == "tiff";
}

bool has_text_preview(const std::string& format) {
  // What the document analysers read text from (analysis::analyze).
  return format == "docx" || format == "doc" || format == "xlsx" || format == "docm" ||
         format == "xlsm";
}

std::string evidence_text(const json& detail, const std::string& lang) {
  if (!detail.is_object()) return "";
  // The keys the catalogue has words for; the rest (the check's own bookkeeping) are in the
  // technical record. A detail with no such key is shown as it is, key by key.
  std::string phrased, plain;
  for (const auto& [key, v] : detail.items()) {
    if (key == "note" && (v.is_null() || (v.is_string() && v.get<std::string>().empty()))) continue;
    if (key == "sha256") continue;  // the same file's digest says nothing to a clerk
    const std::string value = value_text(v);
    if (value.empty()) continue;
    if (const auto p = evidence_phrase(lang, key, value)) {
      phrased += (phrased.empty() ? "" : "; ") + *p;
    } else {
      std::string k = key;
      std::replace(k.begin(), k.end(), '_', ' ');
      plain += (plain.empty() ? "" : "; ") + k + ": " + value;
    }
  }
  return phrased.empty() ? plain : phrased;
}

json bundle_model(const json& shown, const BundleView& v, const rules::RuleSet& rules,
                  const Decisions& decisions) {
  const std::string& lang = v.lang;
  const json report = shown["report"].is_object() ? shown["report"] : json::object();
  const json& filing = shown["filing"];
  const std::string base = "/review/b/" + url_encode(v.placed);
  json m;
  m["bundle"] = shown.value("bundle", v.placed);
  m["placed"] = v.placed;
  m["submission"] = str(report, "submission_id");
  m["filer"] = str(filing, "filer");
  m["filer_id"] = str(filing, "filer_id");
  m["kind"] = value_name(lang, str(filing, "kind"));
  m["court"] = (str(filing, "court_code") + " " + str(filing, "court"));
  const json& documents = list_of(report, "documents");
  const json& findings = list_of(report, "findings");

  // Documents by file name, for the findings' links.
  const auto doc_of = [&](const std::string& file) {
    for (std::size_t i = 0; i < documents.size(); ++i)
      if (str(documents[i], "file") == file) return static_cast<int>(i);
    return -1;
  };
  int selected = v.finding;
  if (selected < 0 || selected >= static_cast<int>(findings.size())) {
    selected = -1;
    for (std::size_t i = 0; i < findings.size() && selected < 0; ++i)
      if (findings[i].is_object() && doc_of(str(findings[i], "file")) >= 0)
        selected = static_cast<int>(i);
    if (selected < 0 && !findings.empty()) selected = 0;
  }
  const json* sel =
      selected >= 0 ? &object_at(findings, static_cast<std::size_t>(selected)) : nullptr;
  const int sel_doc = sel && sel->is_object() ? doc_of(str(*sel, "file")) : -1;
  const int sel_page =
      sel && field(*sel, "page").is_number_integer() ? field(*sel, "page").get<int>() : 0;
  int doc = v.doc >= 0 && v.doc < static_cast<int>(documents.size()) ? v.doc
            : sel_doc >= 0                                           ? sel_doc
                                                                     : (documents.empty() ? -1 : 0);
  int zoom = 80;
  for (int z : kZoomLevels)
    if (v.zoom == z) zoom = z;

  json list = json::array();
  for (std::size_t i = 0; i < findings.size(); ++i) {
    const json& f = findings[i];
    if (!f.is_object()) continue;
    const std::string file = str(f, "file");
    const int d = doc_of(file);
    const int p = field(f, "page").is_number_integer() ? field(f, "page").get<int>() : 0;
    const json msg = f.value("message", json::object());
    std::string where = file;
    if (p > 0)
      where += (where.empty() ? "" : ", ") + label(lang, "pages") + " " + std::to_string(p);
    std::string href = base + "?f=" + std::to_string(i);
    if (d >= 0) href += "&doc=" + std::to_string(d) + (p > 0 ? "&page=" + std::to_string(p) : "");
    if (v.zoom) href += "&zoom=" + std::to_string(zoom);
    const std::string sev = str(f, "severity");
    list.push_back(
        {{"index", i},
         {"code", str(f, "code")},
         {"severity", sev},
         {"severity_text", label(lang, "sev_" + sev)},
         {"message", str(msg, lang.c_str()).empty() ? str(msg, "ru") : str(msg, lang.c_str())},
         {"where", where},
         {"evidence", evidence_text(f.value("detail", json::object()), lang)},
         {"doc", d},
         {"page", p},
         {"href", with_context(href, v.context)},
         {"selected", static_cast<int>(i) == selected}});
  }
  m["findings"] = list;
  const json card = signature_card(report, lang);
  m["sig"] = card["sig"];
  m["technical"] = card["technical"];

  json docs = json::array();
  const std::string sel_file = sel && sel->is_object() ? str(*sel, "file") : "";
  for (std::size_t i = 0; i < documents.size(); ++i) {
    const json& d = object_at(documents, i);
    const std::string file = str(d, "file");
    const json titles = filing.value("titles", json::object());
    docs.push_back(
        {{"index", i},
         {"file", file},
         {"title", titles.is_object() ? titles.value(file, std::string()) : std::string()},
         {"format", str(d, "format")},
         {"pages", page_count(d)},
         {"href", with_context(base + "?doc=" + std::to_string(i), v.context)},
         {"selected", static_cast<int>(i) == doc},
         {"finding_file", !sel_file.empty() && file == sel_file}});
  }
  m["documents"] = docs;
  if (doc >= 0) {
    const json& d = object_at(documents, static_cast<std::size_t>(doc));
    const std::string format = str(d, "format");
    const int pages = std::max(1, page_count(d));
    int page = v.page > 0 ? v.page : (doc == sel_doc && sel_page > 0 ? sel_page : 1);
    page = std::clamp(page, 1, pages);
    json view;
    view["index"] = doc;
    view["file"] = str(d, "file");
    view["title"] = docs[static_cast<std::size_t>(doc)]["title"].get<std::string>().empty()
                        ? str(d, "file")
                        : str(d, "file") + " — " +
                              docs[static_cast<std::size_t>(doc)]["title"].get<std::string>();
    view["pages"] = pages;
    view["page"] = page;
    view["zoom"] = zoom;
    const bool images = v.previews && has_page_images(format);
    view["has_pages"] = images;
    view["pages_nav"] = images;
    view["no_preview"] = !images && !has_text_preview(format);
    if (images) {
      const std::string src = base + "/preview/" + std::to_string(doc) + "/";
      view["page_src_base"] = src;
      view["page_src"] = src + std::to_string(page) + "?dpi=" + std::to_string(zoom);
      const std::string here = base + "?doc=" + std::to_string(doc) +
                               (selected >= 0 ? "&f=" + std::to_string(selected) : "");
      json thumbs = json::array();
      for (int p = 1; p <= std::min(pages, 60); ++p)
        thumbs.push_back({{"page", p},
                          {"src", src + std::to_string(p) + "?dpi=20"},
                          {"href", with_context(here + "&page=" + std::to_string(p) +
                                                    "&zoom=" + std::to_string(zoom),
                                                v.context)},
                          {"selected", p == page}});
      view["thumbs"] = thumbs;
      int lower = zoom, higher = zoom;
      for (int z : kZoomLevels) {
        if (z < zoom) lower = z;
        if (z > zoom && higher == zoom) higher = z;
      }
      const std::string at = here + "&page=" + std::to_string(page);
      view["zoom_out"] = with_context(at + "&zoom=" + std::to_string(lower), v.context);
      view["zoom_in"] = with_context(at + "&zoom=" + std::to_string(higher), v.context);
      // The selected finding's region on this page, where it knows one (fractions of the page).
      json marks = json::array();
      if (sel && sel->is_object() && doc == sel_doc && page == std::max(1, sel_page)) {
        const json region = (*sel).value("detail", json::object()).value("region", json());
        const auto pct = [&](const char* k) {
          return region.is_object() && region.value(k, json()).is_number()
                     ? std::clamp(region[k].get<double>(), 0.0, 1.0) * 100
                     : -1.0;
        };
        if (pct("x") >= 0 && pct("y") >= 0 && pct("w") > 0 && pct("h") > 0)
          marks.push_back({{"x", pct("x")}, {"y", pct("y")}, {"w", pct("w")}, {"h", pct("h")}});
      }
      view["marks"] = marks;
    }
    m["doc"] = view;
  } else {
    m["doc"] = nullptr;
  }

  // Decision: the reasons the check found, ticked; the other rejection reasons below.
  json pre = json::array(), other = json::array();
  const auto found = Decisions::found_codes(report);
  for (const auto& c : found)
    if (rules.code(c)) pre.push_back({{"code", c}, {"basis", rule_basis(rules, c, lang)}});
  for (const auto& c : decisions.rejection_codes())
    if (std::find(found.begin(), found.end(), c) == found.end())
      other.push_back({{"code", c}, {"basis", rule_basis(rules, c, lang)}});
  m["preselected"] = pre;
  m["other_codes"] = other;
  m["action"] = base + "/decide";
  m["assign_action"] = base + "/assign";

  json audit = json::array();
  for (const auto& a : list_of(shown, "audit"))
    audit.push_back(
        {{"at", str(a, "at")},
         {"actor", str(a, "actor")},
         {"action", str(a, "action")},
         {"detail", a.value("detail", json()).is_object() ? evidence_text(field(a, "detail"), lang)
                                                          : std::string()}});
  for (const auto& t : list_of(shown, "transitions"))
    audit.push_back({{"at", str(t, "at")},
                     {"actor", "sot-intaked"},
                     {"action", str(t, "state")},
                     {"detail", ""}});
  m["audit"] = audit;
  return m;
}

}  // namespace sot::review
