// Readability: calibration and speed.
//
//   sot-bench-readability calibrate        the labelled set (samples/generator/Calibration):
//                                          every page's reading, the confusion matrix of
//                                          label × verdict, the thresholds in use
//   sot-bench-readability speed [PAGES]    pages/s of the readability decision on scanned
//                                          pages with one thread and with every core; seconds
//                                          per OCR'd page against the `tesseract` CLI on the
//                                          same page image; a 20-page scanned PDF end to end
//   sot-bench-readability pages DIR        writes the labelled pages to DIR as JPEG files
//
// The rules are the shipped ones (rules/rules.toml) unless SOT_RULES names another file.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "BenchUtil.hpp"
#include "analysis/DocumentAnalysis.hpp"
#include "generator/Calibration.hpp"
#include "generator/Documents.hpp"
#include "readability/Ocr.hpp"
#include "readability/ReadabilityStage.hpp"
#include "rules/RuleSet.hpp"

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using namespace sot;

rules::RuleSet load() {
  const char* path = std::getenv("SOT_RULES");
  return path ? rules::load_rules_file(path) : rules::shipped_rules();
}

double ms_since(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

int calibrate_set(const char* title, const std::vector<samples::PageSpec>& set, bool real_world);

int calibrate() {
  const int generated = calibrate_set("generated set", samples::calibration_set(), false);
  std::printf("\n");
  const int real = calibrate_set("real-world set", samples::real_world_set(), true);
  std::printf("\n");
  const int layouts = calibrate_set("layout set", samples::layout_set(), false);
  return generated == 0 && real == 0 && layouts == 0 ? 0 : 1;
}

// Whether the pipeline would reject the page: its verdict, or a known low resolution that
// does not read clearly (a guessed one never rejects).
bool rejects(const analysis::PageFacts& f, const std::string& verdict, long min_dpi) {
  if (verdict == "unreadable" || verdict == "blank") return true;
  const bool known = f.resolution_source == "declared";
  return known && f.dpi && *f.dpi < static_cast<double>(min_dpi) && verdict != "readable";
}

int calibrate_set(const char* title, const std::vector<samples::PageSpec>& set, bool real_world) {
  const auto rs = load();
  const auto& rr = rs.readability;
  const std::vector<std::string> classes = {"readable", "doubtful", "unreadable", "blank"};
  std::map<std::string, std::map<std::string, int>> matrix;
  int rejected_clean = 0, rejected_readable = 0, missed_unreadable = 0;
  std::vector<std::string> doubtful;
  std::printf("%s\n%-28s %-10s %-10s %5s %5s %5s %5s %4s %5s %5s %5s %-8s %4s %7s\n", title, "page",
              "label", "verdict", "words", "conf", "share", "marks", "ctr", "edge", "grain",
              "glyph", "dpi-src", "dpi", "ms");
  for (const auto& spec : set) {
    const std::string jpeg = samples::make_page_scan(spec);
    const auto t0 = Clock::now();
    const auto facts = analysis::analyze(jpeg, "jpeg");
    std::string failure;
    const auto pages = readability::read_document(jpeg, facts, rr, &failure);
    const double ms = ms_since(t0);
    const auto& p = pages.at(0);
    const std::string v = readability::to_string(p.verdict);
    ++matrix[spec.label][v];
    const auto& f = facts.page_facts.at(0);
    const bool rejected = rejects(f, v, rs.scan.min_dpi);
    if (spec.name.rfind("clean-", 0) == 0 && rejected) ++rejected_clean;
    if (spec.label == "readable" && rejected) ++rejected_readable;
    if (spec.label == "unreadable" && !rejected) ++missed_unreadable;
    if (v == "doubtful") doubtful.push_back(spec.name + " (" + p.note + ")");
    std::printf(
        "%-28s %-10s %-10s %5d %5.0f %5.2f %5d %4d %5.2f %5.0f %5.1f %-8s %4.0f %7.0f%s%s%s\n",
        spec.name.c_str(), spec.label.c_str(), v.c_str(), p.ocr ? p.ocr->words : 0,
        p.ocr ? p.ocr->mean_confidence : 0, p.ocr ? p.ocr->confident_share : 0,
        p.ink ? p.ink->marks : 0, p.ink ? p.ink->contrast : 0, p.ink ? p.ink->edge_share : 0,
        p.ink ? p.ink->fine_noise : 0, p.ink ? p.ink->glyph_mm : 0, f.resolution_source.c_str(),
        f.dpi.value_or(0), ms, p.rotated ? " turned" : "", p.inverted ? " inverted" : "",
        failure.empty() ? "" : " FAILED");
  }
  std::printf("\nconfusion matrix (rows: label, columns: verdict)\n%-12s", "");
  const std::vector<std::string> cols = {"readable", "doubtful", "unreadable",
                                         "blank",    "sparse",   "failed"};
  for (const auto& c : cols) std::printf("%11s", c.c_str());
  std::printf("\n");
  int right = 0, total = 0;
  for (const auto& l : classes) {
    std::printf("%-12s", l.c_str());
    for (const auto& c : cols) {
      const int n = matrix[l][c];
      std::printf("%11d", n);
      total += n;
      if (l == c) right += n;
    }
    std::printf("\n");
  }
  std::printf(
      "\n%d of %d pages as labelled; clean 200-300 dpi scans rejected: %d; readable "
      "pages rejected: %d; unreadable pages not rejected: %d\n",
      right, total, rejected_clean, rejected_readable, missed_unreadable);
  for (const auto& d : doubtful) std::printf("doubtful: %s\n", d.c_str());
  std::printf(
      "thresholds (rules [readability]): word_confidence %ld; readable mean >= %.0f and share >= "
      "%.2f; unreadable mean < %.0f or share < %.2f; min_words %ld; blank ink <= %.4f and marks "
      "<= %ld; sparse marks < %ld\n",
      rr.word_confidence, rr.readable_mean_confidence, rr.readable_confident_share,
      rr.unreadable_mean_confidence, rr.unreadable_confident_share, rr.min_words, rr.blank_max_ink,
      rr.blank_max_marks, rr.sparse_max_marks);
  (void)real_world;
  return rejected_clean == 0 && rejected_readable == 0 ? 0 : 1;
}

int speed(int pages);

}  // namespace

int main(int argc, char** argv) {
  readability::limit_ocr_threads(argv);
  const std::string mode = argc > 1 ? argv[1] : "calibrate";
  if (mode == "calibrate") return calibrate();
  if (mode == "speed") return speed(argc > 2 ? std::max(2, std::atoi(argv[2])) : 8);
  if (mode == "pages" && argc == 3) {  // the labelled pages as JPEG files, to look at or compare
    fs::create_directories(argv[2]);
    for (const auto& set :
         {samples::calibration_set(), samples::real_world_set(), samples::layout_set()})
      for (const auto& spec : set)
        std::ofstream(fs::path(argv[2]) / (spec.label + "--" + spec.name + ".jpg"),
                      std::ios::binary)
            << samples::make_page_scan(spec);
    return 0;
  }
  std::fprintf(stderr, "usage: sot-bench-readability calibrate | speed [PAGES] | pages DIR\n");
  return 2;
}

namespace {

int speed(int n) {
  const auto rs = load();
  const auto& rr = rs.readability;
  const fs::path dir =
      fs::temp_directory_path() / ("sot-bench-readability-" + std::to_string(getpid()));
  fs::create_directories(dir);
  // Clean dense pages at 300 dpi, Kazakh and Russian, as a scanner delivers them.
  std::vector<std::string> jpegs;
  std::vector<fs::path> files;
  const auto set = samples::calibration_set();
  for (int i = 0; i < n; ++i) {
    samples::PageSpec s;
    for (const auto& c : set)
      if (c.name == (i % 2 ? "clean-ru-300-sans-11-table" : "clean-kk-300-serif-14")) s = c;
    s.name += "-" + std::to_string(i);
    jpegs.push_back(samples::make_page_scan(s));
    files.push_back(dir / ("page" + std::to_string(i) + ".jpg"));
    std::ofstream(files.back(), std::ios::binary) << jpegs.back();
  }
  auto decide = [&](const std::string& jpeg) {
    const auto facts = analysis::analyze(jpeg, "jpeg");
    std::string failure;
    return readability::read_document(jpeg, facts, rr, &failure).at(0).verdict;
  };
  decide(jpegs[0]);  // the engine's start-up, paid once per worker (thread)

  std::vector<double> ours;
  const auto t1 = Clock::now();
  for (const auto& j : jpegs) {
    const auto t0 = Clock::now();
    decide(j);
    ours.push_back(ms_since(t0));
  }
  const double one_s = ms_since(t1) / 1000;
  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  const auto t2 = Clock::now();
  {
    std::vector<std::thread> threads;
    for (unsigned c = 0; c < cores; ++c)
      threads.emplace_back([&, c] {
        for (size_t i = c; i < jpegs.size(); i += cores) decide(jpegs[i]);
      });
    for (auto& t : threads) t.join();
  }
  const double all_s = ms_since(t2) / 1000;
  std::printf("readability decision on %d scanned A4 pages at 300 dpi (dense text, OCR'd):\n", n);
  std::printf("  1 worker:   %.2f pages/s (median %.0f ms per page)\n", n / one_s,
              bench::median(ours));
  std::printf(
      "  %u workers:  %.2f pages/s (engine start-up paid once per worker; cold start "
      "included)\n",
      cores, n / all_s);

  std::vector<double> cli;
  const bool have_cli = bench::run_quiet({"tesseract", "--version"}) >= 0;
  if (have_cli) {
    for (const auto& f : files) {
      const auto t0 = Clock::now();
      bench::run_quiet({"tesseract", f.string(), "-", "-l", rr.ocr_languages});
      cli.push_back(ms_since(t0));
    }
    std::printf(
        "  tesseract CLI (-l %s, OMP_THREAD_LIMIT=%s) on the same JPEGs: median %.0f ms per "
        "page\n  ratio (CLI / ours, per page): %.2f\n",
        rr.ocr_languages.c_str(), std::getenv("OMP_THREAD_LIMIT"), bench::median(cli),
        bench::median(cli) / bench::median(ours));
  } else {
    std::printf("  tesseract CLI not installed: no comparison\n");
  }

  // A 20-page scanned PDF, end to end (analysis + readability) on one core: every page gets
  // the ink check, the sample is OCR'd.
  std::vector<std::string> twenty(jpegs.begin(),
                                  jpegs.begin() + std::min<size_t>(20, jpegs.size()));
  while (twenty.size() < 20) twenty.push_back(jpegs[twenty.size() % jpegs.size()]);
  const int w = static_cast<int>(210 / 25.4 * 300 + 0.5),
            h = static_cast<int>(297 / 25.4 * 300 + 0.5);
  const std::string pdf = samples::make_pdf_of_scans(twenty, 300, w, h);
  std::vector<double> runs;
  size_t ocr_pages = 0;
  for (int i = 0; i < 3; ++i) {
    const auto t0 = Clock::now();
    const auto facts = analysis::analyze(pdf, "pdf");
    std::string failure;
    const auto pages = readability::read_document(pdf, facts, rr, &failure);
    runs.push_back(ms_since(t0));
    ocr_pages = 0;
    for (const auto& p : pages) ocr_pages += p.method == "ocr";
  }
  std::printf(
      "20-page scanned PDF (%.1f MB): %.2f s median of 3 on one core, %zu pages OCR'd "
      "(goal: under 3 s)\n",
      pdf.size() / 1e6, bench::median(runs) / 1000, ocr_pages);
  // A 100-page scanned PDF (A4, 200 dpi gray, as a scanner's "document" mode delivers it):
  // analysis and readability on one core.
  {
    const std::string page200 = samples::make_jpeg_scan(
        "ШАРТ № 17",
        {"Қарыз беруші қарыз алушыға 1 500 000 теңге береді, ал қарыз алушы оны бір жыл ішінде "
         "қайтарады. Тараптар осы шартты екі данада жасады, әрқайсысының заңды күші бірдей.",
         "Договор займа: займодавец передаёт заёмщику денежные средства, а заёмщик обязуется "
         "вернуть их в срок, указанный в настоящем договоре."},
        200);
    const std::string hundred = samples::make_pdf_of_scans(
        std::vector<std::string>(100, page200), 200, static_cast<int>(210 / 25.4 * 200 + 0.5),
        static_cast<int>(297 / 25.4 * 200 + 0.5));
    const auto t0 = Clock::now();
    const auto facts = analysis::analyze(hundred, "pdf");
    std::string failure;
    const auto pages = readability::read_document(hundred, facts, rr, &failure);
    std::size_t ocrd = 0;
    for (const auto& p : pages) ocrd += p.method == "ocr";
    std::printf(
        "100-page scanned PDF (%.1f MB, 200 dpi): %.2f s on one core, %zu pages OCR'd (goal: "
        "under 10 s)\n",
        hundred.size() / 1e6, ms_since(t0) / 1000, ocrd);
  }
  std::printf("peak RSS %ld MB\n", bench::peak_rss_mb());
  fs::remove_all(dir);
  return 0;
}

}  // namespace
