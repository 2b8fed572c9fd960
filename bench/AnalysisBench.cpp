// Document analysis throughput: documents/s, pages/s and MB/s for text PDFs, scanned PDFs,
// JPEG scans and DOCX on a generated corpus, with peak RSS; and, on the same PDFs in the same
// run, two command-line comparisons with their per-document ratios:
//   - `pdfinfo` + `pdfimages -list`;
//   - every poppler-utils/qpdf call ../shared/bench/peer-check.sh makes per PDF to learn what
//     this analysis learns (before any rendering or OCR): pdfinfo, qpdf --qdf, pdfdetach
//     -list, pdfinfo -f 1 -l N, pdftotext, pdfimages -list.
// For PDFs it also times Poppler's content-stream interpretation alone (open the document,
// run every page through an OutputDev that records nothing): the floor of any analysis that
// reads the text layer and the image placements with Poppler, and so the highest ratio such
// an analysis can reach against the tools.
//
//   sot-bench-analysis [DOCS_PER_KIND]   (default 30)
#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <GlobalParams.h>
#include <OutputDev.h>
#include <PDFDoc.h>
#include <Stream.h>

#include "BenchUtil.hpp"
#include "analysis/DocumentAnalysis.hpp"
#include "generator/Documents.hpp"

namespace {
using sot::bench::median;
using sot::bench::peak_rss_mb;
using sot::bench::run_quiet;

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

struct Doc {
  std::string bytes;
  std::string format;
  fs::path path;
  int pages = 0;  // as the analysis found them
};

// Sees everything Poppler interprets, keeps nothing.
class NullOutputDev final : public OutputDev {
 public:
  bool upsideDown() override { return true; }
  bool useDrawChar() override { return true; }
  bool interpretType3Chars() override { return false; }
};

// Poppler alone: open the PDF and interpret every page's content.
double interpret_only_ms(const std::string& bytes) {
  sot::analysis::init_poppler();
  const auto s = Clock::now();
  PDFDoc doc(new MemStream(bytes.data(), 0, static_cast<Goffset>(bytes.size()), Object(objNull)));
  NullOutputDev out;
  for (int i = 1; doc.isOk() && i <= doc.getNumPages(); ++i)
    doc.displayPage(&out, i, 72, 72, 0, false, true, false);
  return std::chrono::duration<double, std::milli>(Clock::now() - s).count();
}

}  // namespace

int main(int argc, char** argv) {
  using namespace sot::samples;
  const int n = argc > 1 ? std::max(3, std::atoi(argv[1])) : 30;
  const fs::path dir =
      fs::temp_directory_path() / ("sot-bench-analysis-" + std::to_string(getpid()));
  fs::create_directories(dir);

  std::vector<std::pair<std::string, std::vector<Doc>>> corpus;
  auto add_kind = [&](const std::string& kind, const std::string& format, auto make) {
    std::vector<Doc> docs;
    for (int i = 0; i < n; ++i) {
      Doc d{make(i), format, dir / (kind + std::to_string(i) + "." + format)};
      std::ofstream(d.path, std::ios::binary) << d.bytes;
      docs.push_back(std::move(d));
    }
    corpus.emplace_back(kind, std::move(docs));
  };
  std::vector<std::string> paragraphs;
  for (int i = 0; i < 40; ++i)
    paragraphs.push_back("Жоғарыда баяндалғанды негізге ала отырып, жауапкерден " +
                         std::to_string(1000 + i) + " теңге өндіріп беруді сұраймын.");
  add_kind("text-pdf", "pdf",
           [&](int i) { return make_pdf("ТАЛАП АРЫЗ " + std::to_string(i), paragraphs); });
  add_kind("text-pdf-5p", "pdf", [&](int i) {
    std::vector<std::pair<std::string, std::vector<std::string>>> pages;
    for (int p = 1; p <= 5; ++p)
      pages.emplace_back("ТАЛАП АРЫЗ " + std::to_string(i) + " / " + std::to_string(p), paragraphs);
    return make_pdf_pages(pages);
  });
  add_kind("scanned-pdf", "pdf", [&](int) { return make_scanned_pdf(200, "gray", 2); });
  add_kind("jpeg", "jpeg", [&](int) { return make_jpeg(1654, 2339, 200, "jfif"); });
  add_kind("docx", "docx",
           [&](int i) { return make_docx("ТАЛАП АРЫЗ " + std::to_string(i), paragraphs); });

  std::printf("sot-intake document analysis, %d generated documents per kind\n\n", n);
  std::printf("%-12s %8s %8s %7s %10s %18s %6s %16s %6s %12s %6s\n", "kind", "docs/s", "pages/s",
              "MB/s", "median ms", "pdfinfo+pdfimages", "ratio", "peer PDF tools", "ratio",
              "Poppler only", "bound");
  const bool have_cli = run_quiet({"pdfinfo", "-v"}) >= 0;
  for (auto& [kind, docs] : corpus) {
    std::vector<double> ms;
    std::uint64_t pages = 0, bytes = 0;
    const auto t0 = Clock::now();
    for (auto& d : docs) {
      const auto s = Clock::now();
      const auto f = sot::analysis::analyze(d.bytes, d.format);
      d.pages = f.pages;
      ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - s).count());
      pages += static_cast<std::uint64_t>(f.pages);
      bytes += d.bytes.size();
    }
    const double secs = std::chrono::duration<double>(Clock::now() - t0).count();
    const double ours = median(ms);
    // Poppler alone, right after (same warm caches as the analysis had).
    std::vector<double> interp;
    if (docs.front().format == "pdf")
      for (const auto& d : docs) interp.push_back(interpret_only_ms(d.bytes));
    std::string peer = "-", ratio = "-", tools = "-", tools_ratio = "-", floor = "-", bound = "-";
    auto ms_text = [](double v) {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.2f ms", v);
      return std::string(buf);
    };
    auto ratio_text = [](double v) {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.0fx", v);
      return std::string(buf);
    };
    if (docs.front().format == "pdf" && have_cli) {
      std::vector<double> two, all;
      for (const auto& d : docs) {
        const std::string path = d.path.string();
        auto s = Clock::now();
        run_quiet({"pdfinfo", path});
        run_quiet({"pdfimages", "-list", path});
        two.push_back(std::chrono::duration<double, std::milli>(Clock::now() - s).count());
        const std::string last = std::to_string(std::max(1, d.pages));
        s = Clock::now();
        run_quiet({"pdfinfo", path});
        run_quiet({"qpdf", "--qdf", "--object-streams=disable", "--decrypt", path, "-"});
        run_quiet({"pdfdetach", "-list", path});
        run_quiet({"pdfinfo", "-f", "1", "-l", last, path});
        run_quiet({"pdftotext", "-enc", "UTF-8", path, "-"});
        run_quiet({"pdfimages", "-list", path});
        all.push_back(std::chrono::duration<double, std::milli>(Clock::now() - s).count());
      }
      floor = ms_text(median(interp));
      bound = ratio_text(median(two) / median(interp));
      peer = ms_text(median(two));
      ratio = ratio_text(median(two) / ours);
      tools = ms_text(median(all));
      tools_ratio = ratio_text(median(all) / ours);
    }
    std::printf("%-12s %8.1f %8.1f %7.1f %10.2f %18s %6s %16s %6s %12s %6s\n", kind.c_str(),
                docs.size() / secs, pages / secs, bytes / secs / 1e6, ours, peer.c_str(),
                ratio.c_str(), tools.c_str(), tools_ratio.c_str(), floor.c_str(), bound.c_str());
  }
  std::printf("\npeak RSS %ld MB (the benchmark process, corpus in memory)\n", peak_rss_mb());
  if (!have_cli)
    std::printf("pdfinfo/pdfimages not installed: no comparison (poppler-utils)\n");
  else
    std::printf(
        "peer PDF tools: pdfinfo, qpdf --qdf, pdfdetach -list, pdfinfo -f 1 -l N, pdftotext, "
        "pdfimages -list\n(the calls peer-check.sh makes per PDF before rendering or OCR)\n");
  fs::remove_all(dir);
  return 0;
}
