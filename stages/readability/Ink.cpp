#include "readability/Ink.hpp"

#include <leptonica/allheaders.h>

#include <algorithm>
#include <cmath>

namespace sot::readability {

namespace {
struct BoxaDeleter {
  void operator()(Boxa* b) const { boxaDestroy(&b); }
};
struct NumaDeleter {
  void operator()(Numa* n) const { numaDestroy(&n); }
};
}  // namespace

Ink measure_ink(const PageImage& page) {
  Ink ink;
  if (!page.pix || page.dpi <= 0) return ink;
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

  // The paper: the 80th percentile of gray levels (most of a page is paper).
  std::unique_ptr<Numa, NumaDeleter> hist(pixGetGrayHistogram(inner.get(), 2));
  if (!hist) return ink;
  double total = 0;
  for (int i = 0; i < 256; ++i) {
    l_float32 v = 0;
    numaGetFValue(hist.get(), i, &v);
    total += v;
  }
  int paper = 255;
  double acc = 0;
  for (int i = 255; i >= 0; --i) {
    l_float32 v = 0;
    numaGetFValue(hist.get(), i, &v);
    acc += v;
    if (acc >= total * 0.2) {
      paper = i;
      break;
    }
  }
  ink.paper = paper;
  // Ink: clearly darker than the paper (faint toner included), never lighter than mid-light.
  const int thresh = std::clamp(paper - 60, 40, 200);
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
  std::unique_ptr<Boxa, BoxaDeleter> boxes(pixConnCompBB(clean.get(), 8));
  if (boxes) {
    const int max_px = static_cast<int>(dpi * 40 / 25.4);
    const int n = boxaGetCount(boxes.get());
    for (int i = 0; i < n; ++i) {
      l_int32 bx, by, bw, bh;
      if (boxaGetBoxGeometry(boxes.get(), i, &bx, &by, &bw, &bh) != 0) continue;
      if (bh >= min_px && bh <= max_px && bw <= max_px * 3) ++ink.marks;
    }
  }
  return ink;
}

}  // namespace sot::readability
