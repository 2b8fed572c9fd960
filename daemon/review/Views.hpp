// The review UI's views: Mustache templates (kainjow), its style sheet and script, and the
// kk/ru catalogue of every label — files under daemon/review/ui/, compiled into the binary at
// build time so that the daemon needs no install step to serve them.
//
// A view is rendered from a JSON model; every {{value}} is HTML-escaped by the template
// engine, and the only unescaped insertions ({{{content}}}, {{{hold_form}}}) are the output of
// other templates. Labels come from the catalogue as `t.<key>` in the chosen language.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace sot::review {

// The languages of the UI, the first the default.
inline constexpr const char* kLanguages[] = {"ru", "kk"};
bool is_language(std::string_view lang);

// The catalogue's labels in `lang` (an unknown language gives the default's).
const nlohmann::json& labels(std::string_view lang);
std::string label(std::string_view lang, const std::string& key);
// An evidence phrase for a finding's detail key ("{}" replaced by the value); nullopt when the
// catalogue has none for the key.
std::optional<std::string> evidence_phrase(std::string_view lang, const std::string& key,
                                           const std::string& value);

// A value's name in `lang` (a filing kind, a signer's role): the catalogue's, else the value.
std::string value_name(std::string_view lang, const std::string& value);

// Renders the template `name` (ui/templates/NAME.mustache) with `model`; `model["t"]` is set to
// the labels of `model["lang"]`. Throws std::runtime_error for an unknown or broken template.
std::string render(std::string_view name, nlohmann::json model);

// The templates' names and sources (for tests: every label they use is in the catalogue).
std::vector<std::string_view> template_names();
std::string_view template_source(std::string_view name);

// A static file under /review/static/ (its bytes and content type), nullopt when none.
struct StaticFile {
  std::string_view body;
  const char* content_type;
};
std::optional<StaticFile> static_file(std::string_view name);

}  // namespace sot::review
