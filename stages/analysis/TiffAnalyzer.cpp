// TIFF analysis with libtiff, read from memory with a per-allocation limit and handlers that
// keep libtiff's complaints out of stderr: every directory is a page — its pixel size,
// resolution and unit, compression and photometric interpretation. Used where the rules
// allow TIFF (the default whitelist does not).
#include <tiffio.h>

#include <cmath>
#include <cstring>

#include "analysis/DocumentAnalysis.hpp"

namespace sot::analysis {

namespace {

struct MemFile {
  std::string_view data;
  toff_t pos = 0;
  std::string error;
};

tmsize_t read_proc(thandle_t h, void* buf, tmsize_t n) {
  auto* m = static_cast<MemFile*>(h);
  if (m->pos >= m->data.size()) return 0;
  const size_t k = std::min<size_t>(static_cast<size_t>(n), m->data.size() - m->pos);
  std::memcpy(buf, m->data.data() + m->pos, k);
  m->pos += k;
  return static_cast<tmsize_t>(k);
}
tmsize_t write_proc(thandle_t, void*, tmsize_t) {
  return -1;
}
toff_t seek_proc(thandle_t h, toff_t off, int whence) {
  auto* m = static_cast<MemFile*>(h);
  toff_t base = whence == SEEK_SET ? 0 : whence == SEEK_CUR ? m->pos : m->data.size();
  m->pos = base + off;
  return m->pos;
}
int close_proc(thandle_t) {
  return 0;
}
toff_t size_proc(thandle_t h) {
  return static_cast<MemFile*>(h)->data.size();
}
int map_proc(thandle_t, void**, toff_t*) {
  return 0;
}
void unmap_proc(thandle_t, void*, toff_t) {}

int on_error(TIFF*, void* user, const char* module, const char* fmt, va_list ap) {
  auto* m = static_cast<MemFile*>(user);
  if (m->error.empty()) {
    char buf[256];
    // libtiff's own format strings, with their arguments.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
    std::vsnprintf(buf, sizeof buf, fmt, ap);
#pragma GCC diagnostic pop
    m->error = std::string(module ? module : "libtiff") + ": " + buf;
  }
  return 1;
}
int on_warning(TIFF*, void*, const char*, const char*, va_list) {
  return 1;
}

}  // namespace

AnalysisFacts analyze_tiff(std::string_view data, const AnalysisLimits& limits) {
  AnalysisFacts f;
  f.format = "tiff";
  f.analysed = true;
  MemFile mem;
  mem.data = data;
  TIFFOpenOptions* opts = TIFFOpenOptionsAlloc();
  TIFFOpenOptionsSetMaxSingleMemAlloc(opts, 64 << 20);
  TIFFOpenOptionsSetErrorHandlerExtR(opts, on_error, &mem);
  TIFFOpenOptionsSetWarningHandlerExtR(opts, on_warning, &mem);
  TIFF* tif = TIFFClientOpenExt("document.tiff", "rm", &mem, read_proc, write_proc, seek_proc,
                                close_proc, size_proc, map_proc, unmap_proc, opts);
  TIFFOpenOptionsFree(opts);
  if (!tif) {
    f.corrupt = "TIFF cannot be opened" + (mem.error.empty() ? "" : ": " + mem.error);
    return f;
  }
  int page = 0;
  do {
    if (static_cast<std::uint32_t>(++page) > limits.max_pages) {
      f.limit = "TIFF has more than " + std::to_string(limits.max_pages) + " pages";
      break;
    }
    uint32_t w = 0, h = 0;
    uint16_t bps = 1, spp = 1, photometric = 0, unit = RESUNIT_INCH, compression = 0;
    float xres = 0, yres = 0;
    TIFFGetField(tif, TIFFTAG_IMAGEWIDTH, &w);
    TIFFGetField(tif, TIFFTAG_IMAGELENGTH, &h);
    TIFFGetFieldDefaulted(tif, TIFFTAG_BITSPERSAMPLE, &bps);
    TIFFGetFieldDefaulted(tif, TIFFTAG_SAMPLESPERPIXEL, &spp);
    TIFFGetField(tif, TIFFTAG_PHOTOMETRIC, &photometric);
    TIFFGetFieldDefaulted(tif, TIFFTAG_RESOLUTIONUNIT, &unit);
    TIFFGetField(tif, TIFFTAG_COMPRESSION, &compression);
    const bool has_res = TIFFGetField(tif, TIFFTAG_XRESOLUTION, &xres) &&
                         TIFFGetField(tif, TIFFTAG_YRESOLUTION, &yres) && xres > 0 && yres > 0;
    PageFacts p;
    p.number = page;
    p.is_scan = true;
    ImageFacts img;
    img.width_px = static_cast<int>(w);
    img.height_px = static_cast<int>(h);
    img.bits_per_component = bps;
    img.coverage = 1;
    img.color = spp >= 3 ? "color" : bps == 1 ? "bilevel" : "gray";
    double dx = 0, dy = 0;
    if (has_res && unit != RESUNIT_NONE) {
      const double k = unit == RESUNIT_CENTIMETER ? 2.54 : 1.0;
      dx = xres * k;
      dy = yres * k;
      p.density_source = "tiff";
      p.resolution_source = "declared";
      if (std::lround(dx) == 72 || std::lround(dx) == 96) {  // a software default
        dx = dy = 0;
        infer_density(static_cast<int>(w), static_cast<int>(h), p, &dx, &dy);
        p.resolution_source = "default";
      }
    } else if (w > 0 && h > 0) {
      infer_density(static_cast<int>(w), static_cast<int>(h), p, &dx, &dy);
    }
    if (dx > 0 && dy > 0) {
      img.dpi_x = dx;
      img.dpi_y = dy;
      img.placed_width_mm = w / dx * 25.4;
      img.placed_height_mm = h / dy * 25.4;
      p.dpi = std::min(dx, dy);
    }
    p.width_mm = img.placed_width_mm;
    p.height_mm = img.placed_height_mm;
    p.color_mode = img.color;
    p.images.push_back(img);
    if (page == 1) {
      f.notes["compression"] = compression;
      f.notes["photometric"] = photometric;
    }
    f.page_facts.push_back(std::move(p));
  } while (TIFFReadDirectory(tif));
  f.pages = page;
  TIFFClose(tif);
  if (f.page_facts.empty() && !f.limit) f.corrupt = "TIFF has no readable page";
  return f;
}

}  // namespace sot::analysis
