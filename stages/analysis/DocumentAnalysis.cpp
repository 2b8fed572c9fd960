#include "analysis/DocumentAnalysis.hpp"

#include <cmath>

namespace sot::analysis {

using nlohmann::json;

const std::vector<Sheet>& standard_sheets() {
  static const std::vector<Sheet> sheets = {{"A3", 297, 420},
                                            {"A4", 210, 297},
                                            {"A5", 148, 210},
                                            {"Letter", 215.9, 279.4},
                                            {"Legal", 215.9, 355.6}};
  return sheets;
}

std::pair<const Sheet*, double> nearest_sheet(double w, double h) {
  const Sheet* best = nullptr;
  double best_err = 1e9;
  for (const auto& s : standard_sheets())
    for (bool flip : {false, true}) {
      const double sw = flip ? s.height_mm : s.width_mm;
      const double sh = flip ? s.width_mm : s.height_mm;
      const double err = std::max(std::abs(w - sw) / sw, std::abs(h - sh) / sh);
      if (err < best_err) {
        best_err = err;
        best = &s;
      }
    }
  return {best, best_err};
}

const Sheet* sheet_by_aspect(int width_px, int height_px, bool* landscape) {
  if (width_px <= 0 || height_px <= 0) return nullptr;
  const double aspect = static_cast<double>(width_px) / height_px;
  // A-series sheets first (they are what Kazakhstan uses): one within 10 % of the aspect is
  // taken before a closer US size (a 4:3 frame is an A4 page photographed, not a Letter one).
  const Sheet* best = nullptr;
  double best_err = 1e9;
  for (bool a_series : {true, false}) {
    for (const auto& s : standard_sheets()) {
      if ((s.name[0] == 'A') != a_series) continue;
      for (bool flip : {false, true}) {
        const double a = flip ? s.height_mm / s.width_mm : s.width_mm / s.height_mm;
        const double err = std::abs(aspect - a) / a;
        if (err < best_err) {
          best_err = err;
          best = &s;
          *landscape = flip;
        }
      }
    }
    if (best && best_err <= 0.10) break;
  }
  return best;
}

void infer_density(int width_px, int height_px, PageFacts& page, double* dpi_x, double* dpi_y) {
  bool landscape = false;
  const Sheet* s = sheet_by_aspect(width_px, height_px, &landscape);
  if (!s) return;
  *dpi_x = width_px / ((landscape ? s->height_mm : s->width_mm) / 25.4);
  *dpi_y = height_px / ((landscape ? s->width_mm : s->height_mm) / 25.4);
  page.density_source = "inferred";
  page.resolution_source = "inferred";
  page.assumed_sheet = s->name;
}

AnalysisFacts analyze(std::string_view data, std::string_view format,
                      const AnalysisLimits& limits) {
  if (format == "pdf") return analyze_pdf(data, limits);
  if (format == "jpeg") return analyze_jpeg(data, limits);
  if (format == "tiff") return analyze_tiff(data, limits);
  if (format == "docx" || format == "xlsx" || format == "docm" || format == "xlsm" ||
      format == "dotx" || format == "dotm" || format == "xltx" || format == "xltm")
    return analyze_ooxml(data, format, limits);
  if (format == "doc") return analyze_doc(data, limits);
  AnalysisFacts f;
  f.format = std::string(format);
  return f;
}

namespace {
json opt(const std::optional<std::string>& s) {
  return s ? json(*s) : json(nullptr);
}
std::optional<std::string> opt_str(const json& j, const char* k) {
  if (!j.contains(k) || j[k].is_null()) return std::nullopt;
  return j[k].get<std::string>();
}
}  // namespace

json to_json(const AnalysisFacts& f) {
  json pages = json::array();
  for (const auto& p : f.page_facts) {
    json images = json::array();
    for (const auto& i : p.images)
      images.push_back({{"width_px", i.width_px},
                        {"height_px", i.height_px},
                        {"placed_width_mm", i.placed_width_mm},
                        {"placed_height_mm", i.placed_height_mm},
                        {"dpi_x", i.dpi_x},
                        {"dpi_y", i.dpi_y},
                        {"color", i.color},
                        {"bits_per_component", i.bits_per_component},
                        {"coverage", i.coverage}});
    pages.push_back({{"number", p.number},
                     {"width_mm", p.width_mm},
                     {"height_mm", p.height_mm},
                     {"rotation", p.rotation},
                     {"text_chars", p.text_chars},
                     {"visible_text_chars", p.visible_text_chars},
                     {"text", p.text},
                     {"images", images},
                     {"is_scan", p.is_scan},
                     {"dpi", p.dpi ? json(*p.dpi) : json(nullptr)},
                     {"color_mode", p.color_mode},
                     {"color_content", p.color_content ? json(*p.color_content) : json(nullptr)},
                     {"density_source", p.density_source},
                     {"assumed_sheet", p.assumed_sheet},
                     {"resolution_source", p.resolution_source},
                     {"photo", p.photo},
                     {"orientation", p.orientation}});
  }
  json active = json::array();
  for (const auto& a : f.active) active.push_back({{"kind", a.kind}, {"where", a.where}});
  json fonts = json::array();
  for (const auto& u : f.fonts)
    fonts.push_back({{"font", u.font}, {"size_pt", u.size_pt}, {"chars", u.chars}});
  return {{"format", f.format},    {"analysed", f.analysed},   {"corrupt", opt(f.corrupt)},
          {"limit", opt(f.limit)}, {"encrypted", f.encrypted}, {"restricted", f.restricted},
          {"active", active},      {"pages", f.pages},         {"page_facts", pages},
          {"text", f.text},        {"fonts", fonts},           {"notes", f.notes}};
}

AnalysisFacts facts_from_json(const json& j) {
  AnalysisFacts f;
  f.format = j.at("format").get<std::string>();
  f.analysed = j.at("analysed").get<bool>();
  f.corrupt = opt_str(j, "corrupt");
  f.limit = opt_str(j, "limit");
  f.encrypted = j.at("encrypted").get<bool>();
  f.restricted = j.at("restricted").get<bool>();
  for (const auto& a : j.at("active"))
    f.active.push_back({a.at("kind").get<std::string>(), a.at("where").get<std::string>()});
  f.pages = j.at("pages").get<int>();
  for (const auto& p : j.at("page_facts")) {
    PageFacts pf;
    pf.number = p.at("number").get<int>();
    pf.width_mm = p.at("width_mm").get<double>();
    pf.height_mm = p.at("height_mm").get<double>();
    pf.rotation = p.at("rotation").get<int>();
    pf.text_chars = p.at("text_chars").get<int>();
    pf.visible_text_chars = p.at("visible_text_chars").get<int>();
    pf.text = p.at("text").get<std::string>();
    for (const auto& i : p.at("images"))
      pf.images.push_back({i.at("width_px").get<int>(), i.at("height_px").get<int>(),
                           i.at("placed_width_mm").get<double>(),
                           i.at("placed_height_mm").get<double>(), i.at("dpi_x").get<double>(),
                           i.at("dpi_y").get<double>(), i.at("color").get<std::string>(),
                           i.at("bits_per_component").get<int>(), i.at("coverage").get<double>()});
    pf.is_scan = p.at("is_scan").get<bool>();
    if (!p.at("dpi").is_null()) pf.dpi = p.at("dpi").get<double>();
    pf.color_mode = p.at("color_mode").get<std::string>();
    if (!p.at("color_content").is_null()) pf.color_content = p.at("color_content").get<bool>();
    pf.density_source = p.at("density_source").get<std::string>();
    pf.assumed_sheet = p.at("assumed_sheet").get<std::string>();
    pf.resolution_source = p.at("resolution_source").get<std::string>();
    pf.photo = p.at("photo").get<bool>();
    pf.orientation = p.at("orientation").get<int>();
    f.page_facts.push_back(std::move(pf));
  }
  f.text = j.at("text").get<std::string>();
  for (const auto& u : j.at("fonts"))
    f.fonts.push_back({u.at("font").get<std::string>(), u.at("size_pt").get<double>(),
                       u.at("chars").get<std::uint64_t>()});
  f.notes = j.at("notes");
  return f;
}

}  // namespace sot::analysis
