#include "readability/Raster.hpp"

#include <PDFDoc.h>
#include <SplashOutputDev.h>
#include <Stream.h>
#include <splash/SplashBitmap.h>

#include <leptonica/allheaders.h>

#include <algorithm>
#include <cmath>
#include <cstring>

#include "analysis/DocumentAnalysis.hpp"

namespace sot::readability {

void PixDeleter::operator()(Pix* p) const {
  pixDestroy(&p);
}

namespace {

using SteadyClock = std::chrono::steady_clock;

bool past(void* data) {
  return SteadyClock::now() > *static_cast<SteadyClock::time_point*>(data);
}

PageImage failed(std::string why) {
  PageImage img;
  img.error = std::move(why);
  return img;
}

// Any depth → 8 bpp gray.
PixPtr to_gray(PixPtr p) {
  if (!p) return p;
  if (pixGetDepth(p.get()) == 8 && !pixGetColormap(p.get())) return p;
  return PixPtr(pixConvertTo8(p.get(), 0));
}

}  // namespace

struct PdfRenderer::Impl {
  std::unique_ptr<PDFDoc> doc;
};

PdfRenderer::PdfRenderer(std::string_view data) : impl_(std::make_unique<Impl>()) {
  analysis::init_poppler();
  auto* stream = new MemStream(data.data(), 0, static_cast<Goffset>(data.size()), Object(objNull));
  impl_->doc = std::make_unique<PDFDoc>(stream);
}

PdfRenderer::~PdfRenderer() = default;

bool PdfRenderer::ok() const {
  return impl_->doc && impl_->doc->isOk();
}

PageImage PdfRenderer::render(int number, double dpi, SteadyClock::time_point deadline) {
  if (!ok()) return failed("the PDF cannot be opened for rendering");
  if (number < 1 || number > impl_->doc->getNumPages()) return failed("no such page");
  Page* page = impl_->doc->getPage(number);
  if (!page || !page->isOk()) return failed("the page cannot be read");
  double w = page->getCropWidth(), h = page->getCropHeight();
  const int rotate = ((page->getRotate() % 360) + 360) % 360;
  if (rotate == 90 || rotate == 270) std::swap(w, h);
  const double px = (w / 72.0 * dpi) * (h / 72.0 * dpi);
  if (!(px > 0)) return failed("the page has no area");
  if (px > static_cast<double>(kMaxRenderPixels)) {
    const double shrink = std::sqrt(static_cast<double>(kMaxRenderPixels) / px);
    dpi *= shrink;  // a huge page is looked at more coarsely, never rendered beyond the limit
  }
  SplashColor paper;
  paper[0] = 0xFF;
  SplashOutputDev out(splashModeMono8, 4, false, paper);
  out.setFontAntialias(true);
  out.setVectorAntialias(false);
  out.startDoc(impl_->doc.get());
  impl_->doc->displayPage(&out, number, dpi, dpi, 0, false, true, false, past, &deadline);
  if (SteadyClock::now() > deadline) return failed("rendering took longer than the page limit");
  SplashBitmap* bm = out.getBitmap();
  if (!bm || bm->getWidth() <= 0 || bm->getHeight() <= 0) return failed("nothing rendered");
  const int bw = bm->getWidth(), bh = bm->getHeight();
  PixPtr pix(pixCreate(bw, bh, 8));
  if (!pix) return failed("out of memory for the page image");
  const SplashColorPtr src = bm->getDataPtr();
  const int row = bm->getRowSize();
  l_uint32* dst = pixGetData(pix.get());
  const int wpl = pixGetWpl(pix.get());
  for (int y = 0; y < bh; ++y) {
    l_uint32* line = dst + static_cast<ptrdiff_t>(y) * wpl;
    const unsigned char* s = src + static_cast<ptrdiff_t>(y) * row;
    for (int x = 0; x < bw; ++x) SET_DATA_BYTE(line, x, s[x]);
  }
  pixSetResolution(pix.get(), static_cast<int>(std::lround(dpi)),
                   static_cast<int>(std::lround(dpi)));
  PageImage img;
  img.pix = std::move(pix);
  img.dpi = dpi;
  return img;
}

PageImage decode_jpeg(std::string_view data, double dpi, double max_dpi) {
  int reduction = 1;
  while (reduction < 8 && dpi / (reduction * 2) >= max_dpi * 0.95) reduction *= 2;
  l_int32 warnings = 0;
  PixPtr pix(pixReadMemJpeg(reinterpret_cast<const l_uint8*>(data.data()), data.size(), 0,
                            reduction, &warnings, 0));
  if (!pix) return failed("the JPEG cannot be decoded");
  if (pixGetDepth(pix.get()) == 32) pix.reset(pixConvertRGBToLuminance(pix.get()));
  pix = to_gray(std::move(pix));
  if (!pix) return failed("the JPEG cannot be converted to gray");
  PageImage img;
  img.pix = std::move(pix);
  img.dpi = dpi / reduction;
  return scale_to(std::move(img), max_dpi);
}

PageImage decode_tiff(std::string_view data, int number, double dpi) {
  PixPtr pix(
      pixReadMemTiff(reinterpret_cast<const l_uint8*>(data.data()), data.size(), number - 1));
  if (!pix) return failed("the TIFF page cannot be decoded");
  if (pixGetDepth(pix.get()) == 32) pix.reset(pixConvertRGBToLuminance(pix.get()));
  pix = to_gray(std::move(pix));
  if (!pix) return failed("the TIFF page cannot be converted to gray");
  PageImage img;
  img.pix = std::move(pix);
  img.dpi = dpi;
  return img;
}

GrayLevels::GrayLevels(Pix* gray) {
  Numa* hist = gray ? pixGetGrayHistogram(gray, 2) : nullptr;
  if (!hist) return;
  for (int i = 0; i < 256; ++i) {
    l_float32 v = 0;
    numaGetFValue(hist, i, &v);
    count_[static_cast<size_t>(i)] = v;
    total_ += v;
  }
  numaDestroy(&hist);
}

int GrayLevels::from_light(double share) const {
  double acc = 0;
  for (int i = 255; i >= 0; --i) {
    acc += count_[static_cast<size_t>(i)];
    if (acc >= total_ * share) return i;
  }
  return 0;
}

int GrayLevels::from_dark(double share) const {
  double acc = 0;
  for (int i = 0; i < 256; ++i) {
    acc += count_[static_cast<size_t>(i)];
    if (acc >= total_ * share) return i;
  }
  return 255;
}

double GrayLevels::share_between(int lo, int hi) const {
  if (total_ <= 0) return 0;
  double acc = 0;
  for (int i = std::max(0, lo); i <= std::min(255, hi); ++i) acc += count_[static_cast<size_t>(i)];
  return acc / total_;
}

PageImage orient(PageImage img, int orientation) {
  if (!img.pix || orientation <= 1 || orientation > 8) return img;
  Pix* p = img.pix.get();
  PixPtr out;
  switch (orientation) {
    case 2:
      out.reset(pixFlipLR(nullptr, p));
      break;
    case 3:
      out.reset(pixRotateOrth(p, 2));
      break;
    case 4:
      out.reset(pixFlipTB(nullptr, p));
      break;
    case 5:    // transpose: a quarter turn clockwise, mirrored
    case 7: {  // transverse: three quarters, mirrored
      PixPtr turned(pixRotateOrth(p, orientation == 5 ? 1 : 3));
      if (turned) out.reset(pixFlipLR(nullptr, turned.get()));
      break;
    }
    case 6:
      out.reset(pixRotateOrth(p, 1));
      break;
    case 8:
      out.reset(pixRotateOrth(p, 3));
      break;
  }
  if (!out) return failed("the page image cannot be turned upright");
  img.pix = std::move(out);
  return img;
}

PageImage top_band(const PageImage& img, double share) {
  PageImage out;
  out.dpi = img.dpi;
  if (!img.pix) return out;
  const int w = pixGetWidth(img.pix.get()), h = pixGetHeight(img.pix.get());
  Box* box = boxCreate(0, 0, w, std::max(1, static_cast<int>(h * std::clamp(share, 0.05, 1.0))));
  out.pix.reset(pixClipRectangle(img.pix.get(), box, nullptr));
  boxDestroy(&box);
  if (!out.pix) out.error = "the page image cannot be cut";
  return out;
}

PageImage inverted(const PageImage& img) {
  PageImage out;
  out.dpi = img.dpi;
  if (!img.pix) return out;
  out.pix.reset(pixInvert(nullptr, img.pix.get()));
  if (!out.pix) out.error = "the page image cannot be inverted";
  return out;
}

PageImage scale_to(PageImage img, double dpi) {
  if (!img.pix || img.dpi <= dpi * 1.05) return img;
  const auto f = static_cast<l_float32>(dpi / img.dpi);
  PixPtr scaled(pixScaleAreaMap(img.pix.get(), f, f));
  if (!scaled) return failed("the page image cannot be scaled");
  img.pix = std::move(scaled);
  img.dpi = dpi;
  return img;
}

}  // namespace sot::readability
