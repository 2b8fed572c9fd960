#include "readability/Ink.hpp"

#include <leptonica/allheaders.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

namespace sot::readability {

namespace {
// Calibrated on the labelled sets (bench/README.md, sot-bench-readability calibrate).
constexpr int kDamagedContrast = 110;
constexpr double kDamagedNoise = 45;
constexpr double kBlurredGlyphMm = 4.0;
constexpr int kBlurredMaxMarks = 100;
constexpr double kDamagedGlyphMm = 1.3;

struct BoxaDeleter {
  void operator()(Boxa* b) const { boxaDestroy(&b); }
};
}  // namespace

Ink measure_ink(const PageImage& page) {
  Ink ink;
  if (!page.pix || page.dpi <= 0) return ink;
  // The condition of the image, at its own resolution: contrast of ink against paper, how
  // much of the ink's edge is mid-tone (a blur spreads it), the paper's fine-grained noise.
  {
    const GrayLevels full(page.pix.get());
    if (full.ok()) {
      // The ink's level: the darkest 1 % of the page — or, on a page with little writing (a
      // receipt, a short letter), the darkest third of what is clearly ink, so that the
      // anti-aliased edges of few strokes do not pass for faint ink.
      const int paper = full.from_light(0.2);
      const double inked = full.share_between(0, std::max(0, paper - 60));
      const int ink_level = full.from_dark(std::clamp(inked / 3, 0.0005, 0.01));
      ink.dark = full.from_light(0.5) < 100;
      ink.contrast = paper - ink_level;
      ink.fine_noise = full.noise();
      const int c = std::max(1, ink.contrast);
      const double dark_px = full.share_between(0, ink_level + c * 3 / 10);
      const double mid_px = full.share_between(ink_level + c * 3 / 10 + 1, paper - c * 3 / 10);
      ink.edge_share = dark_px > 0 ? mid_px / dark_px : 0;
    }
  }
  constexpr double kDpi = 100;
  PixPtr small;
  Pix* src = page.pix.get();
  double dpi = page.dpi;
  if (dpi > kDpi * 1.2) {
    const auto f = static_cast<l_float32>(kDpi / dpi);
    small.reset(pixScaleAreaMap(src, f, f));
    if (!small) return ink;
    src = small.get();
    dpi = kDpi;
  }
  const int w = pixGetWidth(src), h = pixGetHeight(src);
  const int mx = w / 25, my = h / 25;  // 4 % margins
  if (w - 2 * mx < 8 || h - 2 * my < 8) return ink;
  Box* box = boxCreate(mx, my, w - 2 * mx, h - 2 * my);
  PixPtr inner(pixClipRectangle(src, box, nullptr));
  boxDestroy(&box);
  if (!inner) return ink;

  // The paper: the level 20 % of the pixels are lighter than (most of a page is paper).
  const GrayLevels levels(inner.get());
  if (!levels.ok()) return ink;
  const int median = levels.from_light(0.5);
  ink.paper = levels.from_light(0.2);
  ink.noise = levels.noise();
  // Ink: clearly darker than the paper — by 25 levels at least (faint toner counts), by four
  // times the noise on a noisy scan.
  const int thresh = std::clamp(static_cast<int>(median - std::max(25.0, 4 * ink.noise)), 20, 230);
  PixPtr bin(pixThresholdToBinary(inner.get(), thresh));
  if (!bin) return ink;
  const int min_px = std::max(2, static_cast<int>(std::lround(dpi * 0.75 / 25.4)));
  PixPtr clean(
      pixSelectBySize(bin.get(), min_px, min_px, 8, L_SELECT_IF_EITHER, L_SELECT_IF_GTE, nullptr));
  if (!clean) return ink;
  l_int32 on = 0;
  pixCountPixels(clean.get(), &on, nullptr);
  ink.coverage = static_cast<double>(on) /
                 (static_cast<double>(pixGetWidth(clean.get())) * pixGetHeight(clean.get()));
  // Lines of text make the row profile of the ink swing between lines and gaps; on a page
  // turned by 90° it is the column profile that swings.
  {
    const int cw = pixGetWidth(clean.get()), ch = pixGetHeight(clean.get());
    std::vector<double> rows(static_cast<size_t>(ch)), cols(static_cast<size_t>(cw));
    const l_uint32* data = pixGetData(clean.get());
    const int wpl = pixGetWpl(clean.get());
    for (int y = 0; y < ch; ++y)
      for (int x = 0; x < cw; ++x)
        if (GET_DATA_BIT(data + static_cast<ptrdiff_t>(y) * wpl, x)) ++rows[y], ++cols[x];
    auto swing = [](const std::vector<double>& v) {  // mean absolute step, relative to mean
      double sum = 0, steps = 0;
      for (size_t i = 0; i < v.size(); ++i) {
        sum += v[i];
        if (i) steps += std::abs(v[i] - v[i - 1]);
      }
      return sum > 0 ? steps / sum : 0;
    };
    const double r = swing(rows), c = swing(cols);
    ink.sideways = on > 2000 && c > 1.6 * r;
  }
  std::unique_ptr<Boxa, BoxaDeleter> boxes(pixConnCompBB(clean.get(), 8));
  if (boxes) {
    const int max_px = static_cast<int>(dpi * 40 / 25.4);
    const int n = boxaGetCount(boxes.get());
    std::vector<int> heights;
    for (int i = 0; i < n; ++i) {
      l_int32 bx, by, bw, bh;
      if (boxaGetBoxGeometry(boxes.get(), i, &bx, &by, &bw, &bh) != 0) continue;
      if (bh >= min_px && bh <= max_px && bw <= max_px * 3) {
        ++ink.marks;
        heights.push_back(bh);
      }
    }
    if (!heights.empty()) {
      std::nth_element(heights.begin(), heights.begin() + heights.size() / 2, heights.end());
      ink.glyph_mm = heights[heights.size() / 2] * 25.4 / dpi;
    }
  }
  return ink;
}

bool ink_damaged(const Ink& ink, std::string* why) {
  auto say = [&](const std::string& w) {
    if (why) *why = w;
    return true;
  };
  auto fixed = [](double v) {
    char b[16];
    std::snprintf(b, sizeof b, "%.1f", v);
    return std::string(b);
  };
  // A blur or faint toner takes the ink's darkness away (crisp print, pen and pencil on a
  // scan keep well over 110 levels against the paper).
  if (ink.contrast < kDamagedContrast)
    return say("too faint or blurred: the ink is " + std::to_string(ink.contrast) +
               " levels from the paper");
  if (ink.fine_noise > kDamagedNoise)
    return say("noisy: a grain of " + fixed(ink.fine_noise) + " gray levels");
  // Glyphs running together into few large blobs: a blur.
  if (ink.glyph_mm > kBlurredGlyphMm && ink.marks < kBlurredMaxMarks)
    return say("blurred: the letters run together (" + std::to_string(ink.marks) + " marks, " +
               fixed(ink.glyph_mm) + " mm high)");
  // Specks rather than letters: noise, or text too small for the image's resolution.
  if (ink.glyph_mm > 0 && ink.glyph_mm < kDamagedGlyphMm)
    return say("specks, not letters: marks " + fixed(ink.glyph_mm) + " mm high");
  return false;
}

bool ink_blurred(const Ink& ink) {
  return ink.contrast < kDamagedContrast ||
         (ink.glyph_mm > kBlurredGlyphMm && ink.marks < kBlurredMaxMarks);
}

}  // namespace sot::readability
