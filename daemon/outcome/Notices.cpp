#include "outcome/Notices.hpp"

#include <cairo-pdf.h>
#include <cairo.h>
#include <pango/pangocairo.h>

#include <fstream>
#include <sstream>

#include "core/Finding.hpp"
#include "core/Report.hpp"
#include "outcome/Signer.hpp"
#include "rules/RuleSet.hpp"

namespace sot::outcome {

using json = nlohmann::json;

namespace {

std::string str(const json& j, const char* key) {
  if (!j.is_object() || !j.contains(key)) return "";
  const json& v = j.at(key);
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number()) return v.dump();
  return "";
}

}  // namespace

FilingInfo read_filing_info(const std::filesystem::path& bundle_dir) {
  FilingInfo info;
  std::ifstream in(bundle_dir / "manifest.json", std::ios::binary);
  if (!in) return info;
  std::ostringstream ss;
  ss << in.rdbuf();
  const json m = json::parse(ss.str(), nullptr, false);
  if (!m.is_object()) return info;
  if (m.contains("court")) {
    info.court = str(m["court"], "region");
    info.court_code = str(m["court"], "code");
  }
  info.kind = str(m, "kind");
  if (m.contains("filer")) {
    const json& f = m["filer"];
    info.filer = str(f, "name");
    info.filer_id = !str(f, "bin").empty() ? str(f, "bin") : str(f, "iin");
  }
  if (m.contains("documents") && m["documents"].is_array())
    for (const auto& d : m["documents"])
      if (!str(d, "file").empty()) info.titles[str(d, "file")] = str(d, "title");
  return info;
}

json make_notice(const json& report, const FilingInfo& info, const rules::RuleSet& rules) {
  json reasons = json::array();
  for (const auto& f : report.value("findings", json::array())) {
    if (f.value("severity", "") != "reject") continue;
    Finding finding{f.value("code", ""), f.value("stage", ""), std::nullopt, std::nullopt,
                    f.value("detail", json::object())};
    if (f.contains("file") && f["file"].is_string()) finding.file = f["file"].get<std::string>();
    if (f.contains("page") && f["page"].is_number_unsigned())
      finding.page = f["page"].get<std::uint32_t>();
    json r = {{"code", finding.code},
              {"file", f.value("file", json(nullptr))},
              {"page", f.value("page", json(nullptr))},
              {"message", f.value("message", json::object())}};
    if (const rules::CodeRule* rule = rules.code(finding.code)) {
      r["requirement"] = {{"kk", render_message(rule->basis.kk, finding)},
                          {"ru", render_message(rule->basis.ru, finding)}};
      r["action"] = {{"kk", render_message(rule->action.kk, finding)},
                     {"ru", render_message(rule->action.ru, finding)}};
    }
    // A clerk's own words with a reason they chose.
    if (finding.detail.is_object() && finding.detail.contains("note") &&
        finding.detail["note"].is_string() && !finding.detail["note"].get<std::string>().empty())
      r["note"] = finding.detail["note"];
    reasons.push_back(std::move(r));
  }
  return {{"bundle", report.value("bundle", "")},
          {"submission_id", report.value("submission_id", json(nullptr))},
          {"court", {{"name", info.court}, {"code", info.court_code}}},
          {"kind", info.kind},
          {"filer", {{"name", info.filer}, {"id", info.filer_id}}},
          {"date", report.value("processed_at", "")},
          {"rules_version", report.value("rules_version", "")},
          {"reasons", std::move(reasons)}};
}

json make_receipt(const json& report, const FilingInfo& info) {
  json docs = json::array();
  for (const auto& d : report.value("documents", json::array())) {
    const std::string file = d.value("file", "");
    const auto t = info.titles.find(file);
    docs.push_back({{"file", file},
                    {"title", t == info.titles.end() ? "" : t->second},
                    {"bytes", d.value("bytes", json(nullptr))},
                    {"pages", d.value("pages", json(nullptr))},
                    {"sha256", d.value("sha256", json(nullptr))}});
  }
  return {{"bundle", report.value("bundle", "")},
          {"submission_id", report.value("submission_id", json(nullptr))},
          {"registration_number", report.value("registration_number", json(nullptr))},
          {"court", {{"name", info.court}, {"code", info.court_code}}},
          {"kind", info.kind},
          {"filer", {{"name", info.filer}, {"id", info.filer_id}}},
          {"registered_at", report.value("processed_at", "")},
          {"documents", std::move(docs)}};
}

namespace {

cairo_status_t append(void* closure, const unsigned char* data, unsigned int len) {
  static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), len);
  return CAIRO_STATUS_SUCCESS;
}

// A flowing A4 document: paragraphs of pango markup-free text, new pages as needed.
class PdfWriter {
 public:
  PdfWriter() {
    surface_ = cairo_pdf_surface_create_for_stream(append, &out_, kWidth, kHeight);
    cr_ = cairo_create(surface_);
    layout_ = pango_cairo_create_layout(cr_);
    pango_layout_set_wrap(layout_, PANGO_WRAP_WORD_CHAR);
    y_ = kMargin;
  }
  ~PdfWriter() {
    g_object_unref(layout_);
    cairo_destroy(cr_);
    cairo_surface_destroy(surface_);
  }
  PdfWriter(const PdfWriter&) = delete;
  PdfWriter& operator=(const PdfWriter&) = delete;

  void text(const std::string& t, double size, bool bold = false, double indent = 0,
            bool centred = false, double gray = 0) {
    PangoFontDescription* fd = pango_font_description_from_string("Liberation Serif");
    pango_font_description_set_absolute_size(fd, size * PANGO_SCALE);  // cairo units: pt
    if (bold) pango_font_description_set_weight(fd, PANGO_WEIGHT_BOLD);
    pango_layout_set_font_description(layout_, fd);
    pango_font_description_free(fd);
    pango_layout_set_width(layout_,
                           static_cast<int>((kWidth - 2 * kMargin - indent) * PANGO_SCALE));
    pango_layout_set_alignment(layout_, centred ? PANGO_ALIGN_CENTER : PANGO_ALIGN_LEFT);
    pango_layout_set_text(layout_, t.c_str(), -1);
    int w = 0, h = 0;
    pango_layout_get_size(layout_, &w, &h);
    const double height = static_cast<double>(h) / PANGO_SCALE;
    if (y_ + height > kHeight - kMargin && y_ > kMargin) new_page();
    cairo_set_source_rgb(cr_, gray, gray, gray);
    cairo_move_to(cr_, kMargin + indent, y_);
    pango_cairo_show_layout(cr_, layout_);
    y_ += height + size * 0.35;
  }
  void space(double pt) { y_ += pt; }
  void rule() {
    if (y_ + 6 > kHeight - kMargin) new_page();
    cairo_set_source_rgb(cr_, 0.5, 0.5, 0.5);
    cairo_set_line_width(cr_, 0.5);
    cairo_move_to(cr_, kMargin, y_ + 2);
    cairo_line_to(cr_, kWidth - kMargin, y_ + 2);
    cairo_stroke(cr_);
    y_ += 8;
  }
  // The PDF; the writer is done with after this.
  std::string finish() {
    cairo_show_page(cr_);
    cairo_surface_finish(surface_);  // writes the rest of the file into out_
    return std::move(out_);
  }

 private:
  void new_page() {
    cairo_show_page(cr_);
    y_ = kMargin;
  }
  static constexpr double kWidth = 595.28, kHeight = 841.89, kMargin = 56;
  std::string out_;
  cairo_surface_t* surface_ = nullptr;
  cairo_t* cr_ = nullptr;
  PangoLayout* layout_ = nullptr;
  double y_ = 0;
};

const rules::LocalText& label(const rules::RuleSet& rules, const char* key) {
  static const rules::LocalText none{"", ""};
  auto it = rules.notice_texts.find(key);
  return it == rules.notice_texts.end() ? none : it->second;
}

std::string both(const rules::LocalText& t) {
  return t.kk + " / " + t.ru;
}

std::string value_or_dash(const json& j) {
  if (j.is_string() && !j.get<std::string>().empty()) return j.get<std::string>();
  if (j.is_number()) return j.dump();
  return "—";
}

void header(PdfWriter& w, const json& rec, const rules::RuleSet& rules, const char* title_key) {
  const auto& title = label(rules, title_key);
  w.text(title.kk, 15, true, 0, true);
  w.text(title.ru, 13, true, 0, true);
  w.space(6);
  w.rule();
  const json court = rec.value("court", json::object());
  std::string court_text = value_or_dash(court.value("name", json("")));
  if (!court.value("code", std::string()).empty())
    court_text += " (" + court["code"].get<std::string>() + ")";
  const json filer = rec.value("filer", json::object());
  std::string filer_text = value_or_dash(filer.value("name", json("")));
  if (!filer.value("id", std::string()).empty())
    filer_text += ", " + filer["id"].get<std::string>();
  w.text(both(label(rules, "court")) + ": " + court_text, 11);
  w.text(both(label(rules, "submission_id")) + ": " +
             value_or_dash(rec.value("submission_id", json(nullptr))),
         11);
  w.text(both(label(rules, "bundle")) + ": " + value_or_dash(rec.value("bundle", json(""))), 11);
  w.text(both(label(rules, "filer")) + ": " + filer_text, 11);
  w.text(both(label(rules, "kind")) + ": " + value_or_dash(rec.value("kind", json(""))), 11);
}

}  // namespace

std::string render_notice_pdf(const json& notice, const rules::RuleSet& rules) {
  PdfWriter w;
  header(w, notice, rules, "notice_title");
  w.text(both(label(rules, "date")) + ": " + value_or_dash(notice.value("date", json(""))), 11);
  w.rule();
  int n = 0;
  for (const auto& r : notice.value("reasons", json::array())) {
    ++n;
    const json msg = r.value("message", json::object());
    w.text(std::to_string(n) + ". " + msg.value("kk", r.value("code", "")), 12, true);
    w.text(msg.value("ru", ""), 11, false, 14, false, 0.15);
    std::string where;
    if (r.contains("file") && r["file"].is_string())
      where = "«" + r["file"].get<std::string>() + "»";
    if (r.contains("page") && r["page"].is_number()) {
      const auto& p = label(rules, "page");
      where += (where.empty() ? "" : ", ") + p.kk + "/" + p.ru + " " + r["page"].dump();
    }
    if (!where.empty()) w.text(both(label(rules, "where")) + ": " + where, 10.5, false, 14);
    if (r.contains("requirement")) {
      w.text(both(label(rules, "requirement")) + ":", 10.5, true, 14);
      w.text(r["requirement"].value("kk", ""), 10.5, false, 28);
      w.text(r["requirement"].value("ru", ""), 10.5, false, 28, false, 0.15);
    }
    if (r.contains("action")) {
      w.text(both(label(rules, "what_to_do")) + ":", 10.5, true, 14);
      w.text(r["action"].value("kk", ""), 10.5, false, 28);
      w.text(r["action"].value("ru", ""), 10.5, false, 28, false, 0.15);
    }
    if (r.contains("note") && r["note"].is_string())
      w.text("» " + r["note"].get<std::string>(), 10.5, false, 14);
    w.space(6);
  }
  w.rule();
  const auto& closing = label(rules, "closing");
  w.text(closing.kk, 11);
  w.text(closing.ru, 11, false, 0, false, 0.15);
  w.space(10);
  w.text(both(label(rules, "generated")) + " · sot-intake · " +
             notice.value("rules_version", std::string()),
         8, false, 0, false, 0.4);
  return w.finish();
}

std::string render_receipt_pdf(const json& receipt, const rules::RuleSet& rules) {
  PdfWriter w;
  header(w, receipt, rules, "receipt_title");
  w.text(both(label(rules, "registration_number")) + ": " +
             value_or_dash(receipt.value("registration_number", json(nullptr))),
         13, true);
  w.text(both(label(rules, "registered_at")) + ": " +
             value_or_dash(receipt.value("registered_at", json(""))),
         11);
  w.rule();
  w.text(both(label(rules, "documents")) + ":", 12, true);
  int n = 0;
  for (const auto& d : receipt.value("documents", json::array())) {
    ++n;
    std::string line = std::to_string(n) + ". «" + d.value("file", "") + "»";
    if (!d.value("title", std::string()).empty()) line += " — " + d["title"].get<std::string>();
    if (d.contains("pages") && d["pages"].is_number())
      line +=
          ", " + d["pages"].dump() + " " + label(rules, "page").kk + "/" + label(rules, "page").ru;
    w.text(line, 11);
    w.text(both(label(rules, "sha256")) + ": " + value_or_dash(d.value("sha256", json(nullptr))),
           8.5, false, 14, false, 0.25);
  }
  w.rule();
  const auto& closing = label(rules, "receipt_closing");
  w.text(closing.kk, 11);
  w.text(closing.ru, 11, false, 0, false, 0.15);
  w.space(10);
  w.text(both(label(rules, "generated")) + " · sot-intake", 8, false, 0, false, 0.4);
  return w.finish();
}

std::vector<std::pair<std::string, std::string>> outcome_documents(
    const json& report, const std::filesystem::path& bundle_dir, const rules::RuleSet& rules,
    const OutcomeSigner* signer) {
  auto docs = outcome_documents(report, bundle_dir, rules);
  if (!signer) return docs;
  const std::size_t n = docs.size();
  for (std::size_t i = 0; i < n; ++i)
    docs.emplace_back(docs[i].first + ".p7s", signer->sign(docs[i].second));
  return docs;
}

std::vector<std::pair<std::string, std::string>> outcome_documents(
    const json& report, const std::filesystem::path& bundle_dir, const rules::RuleSet& rules) {
  const std::string outcome = report.value("outcome", "");
  if (outcome != "rejected" && outcome != "registered") return {};
  const auto dump = [](const json& j) {
    return j.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
  };
  const auto info = read_filing_info(bundle_dir);
  if (outcome == "rejected") {
    const json notice = make_notice(report, info, rules);
    return {{"notice.json", dump(notice)}, {"notice.pdf", render_notice_pdf(notice, rules)}};
  }
  const json receipt = make_receipt(report, info);
  return {{"receipt.json", dump(receipt)}, {"receipt.pdf", render_receipt_pdf(receipt, rules)}};
}

}  // namespace sot::outcome
