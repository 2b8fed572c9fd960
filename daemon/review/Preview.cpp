#include "review/Preview.hpp"

#include <leptonica/allheaders.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>

#include "analysis/DocumentAnalysis.hpp"
#include "readability/Raster.hpp"
#include "worker/AnalysisWorker.hpp"

namespace sot::review {

namespace {

// The helper's start: the file read whole, then the sandbox (no more opening of files, limits
// on time and memory) before a byte of it is parsed.
bool read_then_sandbox(const std::string& file, std::string& data) {
  worker::WorkerLimits limits;
  limits.cpu_seconds = 30;
  limits.address_space_bytes = 2ull << 30;
  {
    std::ifstream in(file, std::ios::binary);
    if (!in) {
      std::cerr << "cannot read " << file << '\n';
      return false;
    }
    std::ostringstream ss;
    ss << in.rdbuf();
    data = ss.str();
  }
  if (!worker::apply_sandbox(limits)) {
    std::cerr << "cannot apply the sandbox\n";
    return false;
  }
  return true;
}

}  // namespace

std::optional<std::string> render_preview(const std::string& self_exe,
                                          const std::filesystem::path& file, int page, int dpi,
                                          std::string* why) {
  const auto r = worker::run_sandboxed_program(
      {self_exe, "--render-preview", file.string(), std::to_string(page), std::to_string(dpi)},
      std::chrono::seconds(20), 32u << 20);
  if (!r.ok) {
    if (why) *why = r.failure;
    return std::nullopt;
  }
  return r.output;
}

int preview_main(const std::string& file, int page, int dpi) {
  std::string data;
  if (!read_then_sandbox(file, data)) return 1;
  dpi = std::clamp(dpi, 20, kMaxPreviewDpi);
  readability::PageImage img;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  if (data.rfind("%PDF", 0) == 0 || data.find("%PDF-") < 1024) {
    readability::PdfRenderer pdf(data);
    img = pdf.render(page, dpi, deadline);
  } else if (data.size() > 3 && static_cast<unsigned char>(data[0]) == 0xFF &&
             static_cast<unsigned char>(data[1]) == 0xD8) {
    // A JPEG's own resolution is not needed for a preview: decode at 1/8..1/1 to ~dpi of 300.
    img = readability::decode_jpeg(data, 300, dpi);
  } else if (data.rfind("II*", 0) == 0 || data.rfind("MM", 0) == 0) {
    img = readability::decode_tiff(data, page, 300);
    if (img.pix) img = readability::scale_to(std::move(img), dpi);
  } else {
    std::cerr << "no preview for this format\n";
    return 1;
  }
  if (!img.pix) {
    std::cerr << img.error << '\n';
    return 1;
  }
  l_uint8* png = nullptr;
  size_t size = 0;
  if (pixWriteMemPng(&png, &size, img.pix.get(), 0) != 0 || !png) {
    std::cerr << "cannot encode the preview\n";
    return 1;
  }
  std::cout.write(reinterpret_cast<const char*>(png), static_cast<std::streamsize>(size));
  lept_free(png);
  std::cout.flush();
  // A one-shot process under seccomp: leave without exit-time handlers (LeakSanitizer's
  // exit check needs ptrace, which the sandbox refuses, and would turn success into failure).
  std::_Exit(std::cout ? 0 : 1);
}

std::optional<std::string> preview_text(const std::string& self_exe,
                                        const std::filesystem::path& file,
                                        const std::string& format, std::string* why) {
  const auto r = worker::run_sandboxed_program({self_exe, "--preview-text", file.string(), format},
                                               std::chrono::seconds(20), kMaxPreviewText + 1024);
  if (!r.ok) {
    if (why) *why = r.failure;
    return std::nullopt;
  }
  return r.output;
}

int preview_text_main(const std::string& file, const std::string& format) {
  std::string data;
  if (!read_then_sandbox(file, data)) return 1;
  analysis::AnalysisLimits alimits;
  alimits.time_budget = std::chrono::seconds(15);
  alimits.max_text_bytes = kMaxPreviewText;
  const auto facts = analysis::analyze(data, format, alimits);
  if (!facts.analysed || facts.corrupt || facts.encrypted) {
    std::cerr << (facts.corrupt     ? "cannot be read: " + *facts.corrupt
                  : facts.encrypted ? std::string("encrypted")
                                    : std::string("no text preview for this format"))
              << '\n';
    std::_Exit(1);
  }
  std::string text = facts.text;
  if (text.size() > kMaxPreviewText) text.resize(kMaxPreviewText);
  std::cout << text;
  std::cout.flush();
  std::_Exit(std::cout ? 0 : 1);
}

}  // namespace sot::review
