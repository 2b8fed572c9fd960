// Page images for the readability checks, as 8-bit gray leptonica PIXes at a known
// resolution: PDF pages rendered with Poppler's Splash rasteriser, JPEGs decoded by
// libjpeg(-turbo) through leptonica with DCT scaling (a 600 dpi scan is decoded at 300
// without ever holding the full image), TIFF pages through leptonica's libtiff reader.
//
// The documents have already been opened by the analysis, which bounded their pixel counts
// and page counts; rendering is bounded again here (pixels of the output, a deadline Poppler
// checks while drawing).
#pragma once

#include <array>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

struct Pix;

namespace sot::readability {

struct PixDeleter {
  void operator()(Pix* p) const;
};
using PixPtr = std::unique_ptr<Pix, PixDeleter>;

struct PageImage {
  PixPtr pix;         // 8 bpp gray
  double dpi = 0;     // resolution of `pix`
  std::string error;  // when pix is null: why
};

constexpr std::uint64_t kMaxRenderPixels = 60'000'000;  // an A3 page at 600 dpi is 70 M

// A PDF open for rendering (the bytes must outlive it).
class PdfRenderer {
 public:
  explicit PdfRenderer(std::string_view data);
  ~PdfRenderer();
  PdfRenderer(const PdfRenderer&) = delete;
  PdfRenderer& operator=(const PdfRenderer&) = delete;
  bool ok() const;
  // Page `number` (1-based) at `dpi`, gray, upright as the page's /Rotate says.
  PageImage render(int number, double dpi, std::chrono::steady_clock::time_point deadline);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// A JPEG (already analysed: it decodes, within the pixel limit) at no more than `max_dpi`
// given its resolution `dpi` (decoded at 1/2, 1/4 or 1/8 when that is enough).
PageImage decode_jpeg(std::string_view data, double dpi, double max_dpi);

// Page `number` (1-based) of a TIFF.
PageImage decode_tiff(std::string_view data, int number, double dpi);

// The gray-level distribution of an 8-bit image (every other pixel sampled): the paper, the
// ink and the grain of a page are read off it.
class GrayLevels {
 public:
  explicit GrayLevels(Pix* gray);
  bool ok() const { return total_ > 0; }
  // The level `share` of the pixels are at or lighter than (0.2: the paper, on a page).
  int from_light(double share) const;
  // The level `share` of the pixels are at or darker than (0.03: the ink, on a text page).
  int from_dark(double share) const;
  // The paper's noise: how far the median lies below the paper (for Gaussian noise
  // P80 − P50 ≈ 0.84 σ), as a standard deviation in gray levels.
  double noise() const { return (from_light(0.2) - from_light(0.5)) / 0.84; }
  // The share of the pixels with a level in [lo, hi].
  double share_between(int lo, int hi) const;

 private:
  std::array<double, 256> count_{};
  double total_ = 0;
};

// `img` as EXIF `orientation` (1-8) says it is displayed.
PageImage orient(PageImage img, int orientation);

// The top `share` (0..1) of `img`.
PageImage top_band(const PageImage& img, double share);

// `img` with light and dark exchanged.
PageImage inverted(const PageImage& img);

// `img` scaled (down only) to `dpi` when it is finer.
PageImage scale_to(PageImage img, double dpi);

}  // namespace sot::readability
