#include "review/Views.hpp"

#include <map>
#include <stdexcept>

#include <kainjow/mustache.hpp>

namespace sot::embedded {
extern const std::string_view kUiLayout, kUiLogin, kUiMessage, kUiQueue, kUiBundle, kUiHold,
    kUiDecided, kUiBulk, kUiStats, kUiChart, kUiCss, kUiJs, kUiCatalogue;
}

namespace sot::review {

namespace mustache = kainjow::mustache;
using nlohmann::json;

namespace {

const std::map<std::string_view, std::string_view>& templates() {
  using namespace sot::embedded;
  static const std::map<std::string_view, std::string_view> t = {
      {"layout", kUiLayout}, {"login", kUiLogin}, {"message", kUiMessage}, {"queue", kUiQueue},
      {"bundle", kUiBundle}, {"hold", kUiHold},   {"decided", kUiDecided}, {"bulk", kUiBulk},
      {"stats", kUiStats},   {"chart", kUiChart}};
  return t;
}

std::string_view template_text(std::string_view name) {
  const auto it = templates().find(name);
  if (it == templates().end()) throw std::runtime_error("no template " + std::string(name));
  return it->second;
}

const json& catalogue() {
  static const json c = [] {
    json j = json::parse(sot::embedded::kUiCatalogue, nullptr, false);
    if (!j.is_object()) throw std::runtime_error("the UI catalogue is not valid JSON");
    return j;
  }();
  return c;
}

mustache::data to_data(const json& j) {
  switch (j.type()) {
    case json::value_t::object: {
      mustache::data d{mustache::data::type::object};
      for (const auto& [k, v] : j.items()) d.set(k, to_data(v));
      return d;
    }
    case json::value_t::array: {
      mustache::data l{mustache::data::type::list};
      for (const auto& v : j) l.push_back(to_data(v));
      return l;
    }
    case json::value_t::string:
      // An empty string is false, as an empty list is: {{#x}} shows nothing for it, and
      // {{x}} renders it (as any false) as nothing.
      if (j.get_ref<const std::string&>().empty()) return mustache::data(false);
      return mustache::data(j.get<std::string>());
    case json::value_t::boolean:
      return mustache::data(j.get<bool>());
    case json::value_t::null:
    case json::value_t::discarded:
      return mustache::data(false);
    default:
      return mustache::data(j.dump());
  }
}

}  // namespace

bool is_language(std::string_view lang) {
  for (const char* l : kLanguages)
    if (lang == l) return true;
  return false;
}

const json& labels(std::string_view lang) {
  const json& c = catalogue();
  const std::string l = is_language(lang) ? std::string(lang) : kLanguages[0];
  return c.at(l);
}

std::string label(std::string_view lang, const std::string& key) {
  const json& l = labels(lang);
  const auto it = l.find(key);
  return it != l.end() && it->is_string() ? it->get<std::string>() : key;
}

std::optional<std::string> evidence_phrase(std::string_view lang, const std::string& key,
                                           const std::string& value) {
  const json& e = catalogue()
                      .at("evidence")
                      .at(is_language(lang) ? std::string(lang) : std::string(kLanguages[0]));
  const auto it = e.find(key);
  if (it == e.end() || !it->is_string()) return std::nullopt;
  std::string s = it->get<std::string>();
  if (const auto at = s.find("{}"); at != std::string::npos) s.replace(at, 2, value);
  return s;
}

std::string value_name(std::string_view lang, const std::string& value) {
  const json& v = catalogue().at("values").at(is_language(lang) ? std::string(lang)
                                                                : std::string(kLanguages[0]));
  const auto it = v.find(value);
  return it != v.end() && it->is_string() ? it->get<std::string>() : value;
}

std::string render(std::string_view name, json model) {
  const std::string lang = model.value("lang", std::string(kLanguages[0]));
  model["lang"] = is_language(lang) ? lang : kLanguages[0];
  model["t"] = labels(lang);
  mustache::mustache tmpl{std::string(template_text(name))};
  if (!tmpl.is_valid())
    throw std::runtime_error("template " + std::string(name) + ": " + tmpl.error_message());
  mustache::data data = to_data(model);
  data.set("chart", mustache::partial([] { return std::string(template_text("chart")); }));
  std::string out = tmpl.render(data);
  if (!tmpl.is_valid())
    throw std::runtime_error("template " + std::string(name) + ": " + tmpl.error_message());
  return out;
}

std::vector<std::string_view> template_names() {
  std::vector<std::string_view> out;
  for (const auto& [name, text] : templates()) out.push_back(name);
  return out;
}

std::string_view template_source(std::string_view name) {
  return template_text(name);
}

std::optional<StaticFile> static_file(std::string_view name) {
  if (name == "app.css") return StaticFile{sot::embedded::kUiCss, "text/css; charset=utf-8"};
  if (name == "app.js") return StaticFile{sot::embedded::kUiJs, "text/javascript; charset=utf-8"};
  return std::nullopt;
}

}  // namespace sot::review
