// sot-bench-reasons: how right the content-based reasons are, on generated documents.
//
//   kinds        the document-kind recogniser on the kind calibration set (text PDFs made
//                with cairo/pango, read back with the product's PDF analysis): the confusion
//                matrix by kind and the accuracy by layout variant; then the title check —
//                every legitimate title of each document (false TITLE_MISMATCH must be 0) and
//                every other kind's titles (swaps: how many are found).
//   text-format  TEXT_FORMAT on one-page text PDFs in several fonts and sizes.
//
// Usage: sot-bench-reasons [kinds|text-format]  (both without an argument)
//        sot-bench-reasons explain NAME          (one calibration document's reading)
#include <chrono>
#include <cstdio>
#include <iostream>
#include <map>
#include <set>

#include "analysis/DocumentAnalysis.hpp"
#include "document/TextFormatStage.hpp"
#include "generator/DocumentKinds.hpp"
#include "generator/Documents.hpp"
#include "readability/DocumentKind.hpp"
#include "rules/RuleSet.hpp"

using namespace sot;

namespace {

std::string first_pages_text(const std::string& pdf) {
  const auto facts = analysis::analyze(pdf, "pdf");
  std::string text;
  for (const auto& p : facts.page_facts)
    if (p.number <= 2) text += p.text + "\n";
  return text;
}

void kinds(const rules::RuleSet& rs) {
  const auto set = samples::kind_calibration_set();
  std::vector<std::string> texts;
  for (const auto& s : set)
    texts.push_back(first_pages_text(samples::make_pdf(s.heading, s.paragraphs)));

  std::vector<std::string> kind_order;
  for (const auto& s : set)
    if (std::find(kind_order.begin(), kind_order.end(), s.kind) == kind_order.end())
      kind_order.push_back(s.kind);
  std::map<std::string, std::map<std::string, int>> matrix;  // true → recognised → count
  std::map<std::string, std::pair<int, int>> by_variant;     // right, total
  std::set<std::string> columns(kind_order.begin(), kind_order.end());
  std::vector<double> us;
  std::vector<std::string> wrong;
  for (size_t i = 0; i < set.size(); ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    const auto r = readability::recognise_kind(texts[i], rs.readability);
    us.push_back(
        std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count());
    const std::string got = r.kind.empty() ? "none" : r.kind;
    columns.insert(got);
    ++matrix[set[i].kind][got];
    auto& v = by_variant[set[i].variant];
    ++v.second;
    if (got == set[i].kind) ++v.first;
    if (got != set[i].kind && got != "none")
      wrong.push_back(set[i].name + " → " + got + " (" + r.confidence + ")");
  }
  std::vector<std::string> cols(kind_order);
  for (const auto& c : columns)
    if (std::find(cols.begin(), cols.end(), c) == cols.end()) cols.push_back(c);

  std::printf("document kinds: %zu documents (%zu kinds × kk/ru × 5 layouts)\n\n", set.size(),
              kind_order.size());
  std::printf("| true \\ recognised |");
  for (const auto& c : cols) std::printf(" %s |", c.c_str());
  std::printf("\n|---|");
  for (size_t i = 0; i < cols.size(); ++i) std::printf("---|");
  std::printf("\n");
  for (const auto& k : kind_order) {
    std::printf("| %s |", k.c_str());
    for (const auto& c : cols) {
      const int n = matrix[k][c];
      std::printf(n ? (c == k ? " **%d** |" : " %d |") : " |", n);
    }
    std::printf("\n");
  }
  std::printf("\n| layout | recognised right |\n|---|---|\n");
  for (const auto& [v, rt] : by_variant)
    std::printf("| %s | %d / %d |\n", v.c_str(), rt.first, rt.second);
  for (const auto& w : wrong) std::printf("WRONG KIND: %s\n", w.c_str());
  std::sort(us.begin(), us.end());
  std::printf("\nrecognition: median %.0f µs per document\n", us[us.size() / 2]);

  // The title check: legitimate titles, then swaps.
  int legit = 0, false_mismatch = 0, swaps = 0, found = 0, by_kind = 0;
  std::map<std::string, std::pair<int, int>> swap_by_variant;
  for (size_t i = 0; i < set.size(); ++i) {
    for (const auto& title : set[i].titles) {
      ++legit;
      const auto c = readability::check_title(title, texts[i], rs.readability);
      if (c.mismatch) {
        ++false_mismatch;
        std::printf("FALSE MISMATCH: %s titled «%s» (declared %s, recognised %s)\n",
                    set[i].name.c_str(), title.c_str(), c.declared.c_str(),
                    c.recognised.kind.c_str());
      }
    }
    for (const auto& other : set) {
      if (other.language != set[i].language || other.variant != "heading") continue;
      if (readability::same_kind(other.kind, set[i].kind, rs.readability)) continue;
      const std::string& title = other.titles.front();
      ++swaps;
      auto& v = swap_by_variant[set[i].variant];
      ++v.second;
      const auto c = readability::check_title(title, texts[i], rs.readability);
      if (c.mismatch) {
        ++found;
        ++v.first;
        if (c.basis == "kind") ++by_kind;
      }
    }
  }
  std::printf("\ntitle check: %d legitimate titles → %d false TITLE_MISMATCH\n", legit,
              false_mismatch);
  std::printf(
      "swapped titles (another kind's title, same language): %d → %d found (%.1f %%), "
      "%d of them by kind\n",
      swaps, found, 100.0 * found / std::max(1, swaps), by_kind);
  std::printf("\n| layout | swaps found |\n|---|---|\n");
  for (const auto& [v, rt] : swap_by_variant)
    std::printf("| %s | %d / %d |\n", v.c_str(), rt.first, rt.second);
}

std::string base14_pdf(const std::string& font, double size) {
  std::string text;
  for (int i = 0; i < 30; ++i)
    text += "BT /F1 " + std::to_string(size) + " Tf 60 " + std::to_string(780 - 22 * i) +
            " Td (The claimant asks the court to recover the loan under the contract.) Tj ET ";
  return "%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
         "2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n"
         "3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
         "/Resources << /Font << /F1 5 0 R >> >> >> endobj\n"
         "4 0 obj << /Length " +
         std::to_string(text.size()) + " >> stream\n" + text +
         "\nendstream endobj\n"
         "5 0 obj << /Type /Font /Subtype /Type1 /BaseFont /" +
         font + " >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";
}

void text_format(const rules::RuleSet& rs) {
  const std::vector<std::string> body = {
      "Жоғарыда баяндалғанның негізінде сотыңыздан жауапкерден 1 500 000 теңге негізгі қарызды "
      "өндіріп беруді сұраймын.",
      "На основании изложенного прошу суд взыскать с ответчика сумму основного долга."};
  std::printf("TEXT_FORMAT on one-page text PDFs (rules: %s %.0f pt; equivalents accepted)\n\n",
              rs.text_format.font.c_str(), rs.text_format.size_pt);
  std::printf("| font (as drawn) | size | font in the PDF | effective size | TEXT_FORMAT |\n");
  std::printf("|---|---|---|---|---|\n");
  auto row = [&](const std::string& label, double size, const std::string& pdf) {
    const auto a = analysis::analyze(pdf, "pdf");
    const auto issue = document::text_format_issue(a.fonts, rs.text_format);
    std::printf("| %s | %.0f | %s | %.1f | %s |\n", label.c_str(), size,
                a.fonts.empty() ? "-" : a.fonts[0].font.c_str(),
                a.fonts.empty() ? 0.0 : a.fonts[0].size_pt, issue ? "yes" : "no");
  };
  for (const char* font :
       {"Liberation Serif", "DejaVu Serif", "Liberation Sans", "DejaVu Sans", "Liberation Mono"})
    for (double size : {11.0, 12.0, 14.0, 16.0})
      row(font, size, samples::make_pdf_font(font, size, "ТАЛАП АРЫЗ", body));
  for (const char* font : {"Times-Roman", "TimesNewRomanPSMT", "Helvetica"})
    for (double size : {12.0, 14.0})
      row(std::string(font) + " (not embedded)", size, base14_pdf(font, size));
}

}  // namespace

int main(int argc, char** argv) {
  const rules::RuleSet rs = rules::shipped_rules();
  const std::string what = argc > 1 ? argv[1] : "";
  if (what == "explain" && argc > 2) {  // one calibration document: its text and its reading
    for (const auto& k : samples::kind_calibration_set())
      if (k.name == argv[2]) {
        const auto text = first_pages_text(samples::make_pdf(k.heading, k.paragraphs));
        std::printf("%s\n%s\n", text.c_str(),
                    readability::recognise_kind(text, rs.readability).to_json().dump(1).c_str());
      }
    return 0;
  }
  if (what.empty() || what == "kinds") kinds(rs);
  if (what.empty()) std::printf("\n");
  if (what.empty() || what == "text-format") text_format(rs);
  return 0;
}
