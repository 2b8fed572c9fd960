// Document analysis throughput: documents/s, pages/s and MB/s for text PDFs, scanned PDFs,
// JPEG scans and DOCX on a generated corpus, with peak RSS; and, on the same PDFs in the same
// run, `pdfinfo` + `pdfimages -list` (what ../shared/bench/peer-check.sh pays per PDF before
// any OCR), with the per-document ratio.
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
};

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
  add_kind("scanned-pdf", "pdf", [&](int) { return make_scanned_pdf(200, "gray", 2); });
  add_kind("jpeg", "jpeg", [&](int) { return make_jpeg(1654, 2339, 200, "jfif"); });
  add_kind("docx", "docx",
           [&](int i) { return make_docx("ТАЛАП АРЫЗ " + std::to_string(i), paragraphs); });

  std::printf("sot-intake document analysis, %d generated documents per kind\n\n", n);
  std::printf("%-12s %9s %9s %9s %12s %14s %8s\n", "kind", "docs/s", "pages/s", "MB/s", "median ms",
              "pdfinfo+pdfimages", "ratio");
  const bool have_cli = run_quiet({"pdfinfo", "-v"}) >= 0;
  for (const auto& [kind, docs] : corpus) {
    std::vector<double> ms;
    std::uint64_t pages = 0, bytes = 0;
    const auto t0 = Clock::now();
    for (const auto& d : docs) {
      const auto s = Clock::now();
      const auto f = sot::analysis::analyze(d.bytes, d.format);
      ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - s).count());
      pages += static_cast<std::uint64_t>(f.pages);
      bytes += d.bytes.size();
    }
    const double secs = std::chrono::duration<double>(Clock::now() - t0).count();
    const double ours = median(ms);
    std::string peer = "-", ratio = "-";
    if (docs.front().format == "pdf" && have_cli) {
      std::vector<double> cli;
      for (const auto& d : docs) {
        const auto s = Clock::now();
        run_quiet({"pdfinfo", d.path.string()});
        run_quiet({"pdfimages", "-list", d.path.string()});
        cli.push_back(std::chrono::duration<double, std::milli>(Clock::now() - s).count());
      }
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.2f ms", median(cli));
      peer = buf;
      std::snprintf(buf, sizeof buf, "%.0fx", median(cli) / ours);
      ratio = buf;
    }
    std::printf("%-12s %9.1f %9.1f %9.1f %12.2f %14s %8s\n", kind.c_str(), docs.size() / secs,
                pages / secs, bytes / secs / 1e6, ours, peer.c_str(), ratio.c_str());
  }
  std::printf("\npeak RSS %ld MB (the benchmark process, corpus in memory)\n", peak_rss_mb());
  if (!have_cli) std::printf("pdfinfo/pdfimages not installed: no comparison (poppler-utils)\n");
  fs::remove_all(dir);
  return 0;
}
