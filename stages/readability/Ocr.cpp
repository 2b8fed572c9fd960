#include "readability/Ocr.hpp"

#include <leptonica/allheaders.h>
#include <tesseract/baseapi.h>
#include <tesseract/ocrclass.h>
#include <tesseract/resultiterator.h>
#include <unistd.h>

#include <unicode/uchar.h>
#include <unicode/utf8.h>

#include <cmath>
#include <cstdlib>
#include <cstring>

namespace sot::readability {

namespace {

int letters_in(const char* utf8) {
  int n = 0;
  const auto len = static_cast<int32_t>(std::strlen(utf8));
  for (int32_t i = 0; i < len;) {
    UChar32 c;
    U8_NEXT(reinterpret_cast<const uint8_t*>(utf8), i, len, c);
    if (c > 0 && u_isalpha(c)) ++n;
  }
  return n;
}

void quiet(tesseract::TessBaseAPI& api) {
  api.SetVariable("debug_file", "/dev/null");
}

// What a reader's eye does before reading: uneven lighting (a phone photo, a curled page)
// flattened to an even background, and the grain of a noisy scan averaged out.
PixPtr prepare(Pix* gray, bool* grainy) {
  PixPtr out(pixBackgroundNormSimple(gray, nullptr, nullptr));
  auto base = [&] { return out ? out.get() : gray; };
  const double noise = GrayLevels(base()).noise();
  *grainy = noise > 6;
  if (noise > 6) {
    PixPtr smooth(pixBlockconvGray(base(), nullptr, noise > 20 ? 2 : 1, noise > 20 ? 2 : 1));
    if (smooth) out = std::move(smooth);
  }
  // A washed-out copy: stretch the range between the ink and the (normalised) paper.
  const int dark = GrayLevels(base()).from_dark(0.03);
  if (out && dark > 100 && dark < 190) {
    PixPtr stretched(pixGammaTRC(nullptr, base(), 1.0, dark - 20, 200));
    if (stretched) out = std::move(stretched);
  }
  return out;
}

}  // namespace

void limit_ocr_threads(char** argv) {
  if (std::getenv("OMP_THREAD_LIMIT")) return;
  ::setenv("OMP_THREAD_LIMIT", "1", 1);
  ::execv("/proc/self/exe", argv);  // on failure: carry on, OCR is only slower
}

struct OcrEngine::Impl {
  tesseract::TessBaseAPI api;
  std::unique_ptr<tesseract::TessBaseAPI> osd;
  bool osd_failed = false;
};

OcrEngine& OcrEngine::for_this_thread(const std::string& languages) {
  thread_local std::unique_ptr<OcrEngine> engine;
  if (!engine || engine->languages_ != languages) engine.reset(new OcrEngine(languages));
  return *engine;
}

OcrEngine::OcrEngine(std::string languages)
    : impl_(std::make_unique<Impl>()), languages_(std::move(languages)) {
  setMsgSeverity(L_SEVERITY_NONE);  // leptonica's complaints about odd images: not for logs
  quiet(impl_->api);
  if (impl_->api.Init(nullptr, languages_.c_str(), tesseract::OEM_LSTM_ONLY) != 0)
    error_ = "Tesseract cannot load the languages " + languages_ +
             " (are the tesseract-ocr-kaz, -rus and -eng packages installed?)";
  impl_->api.SetPageSegMode(tesseract::PSM_AUTO);
}

OcrEngine::~OcrEngine() {
  impl_->api.End();
  if (impl_->osd) impl_->osd->End();
}

OcrResult OcrEngine::recognize(const PageImage& img, int confident_threshold,
                               std::chrono::milliseconds limit, int max_lines, bool single_block) {
  OcrResult r;
  if (!ready()) {
    r.error = error_;
    return r;
  }
  if (!img.pix) {
    r.error = img.error.empty() ? "no page image" : img.error;
    return r;
  }
  const auto deadline = std::chrono::steady_clock::now() + limit;
  bool grainy = false;
  PixPtr prepared = prepare(img.pix.get(), &grainy);
  r = read(prepared ? prepared.get() : img.pix.get(), img.dpi, confident_threshold, limit,
           max_lines, single_block);
  // Preparation can also hurt (a photo whose "background" is the text block): when it found
  // next to nothing, the page as it came is read too, and the better reading kept — unless
  // it is grainy: Tesseract's layout analysis of raw grain takes minutes, and is no deadline's.
  if (prepared && !grainy && r.error.empty() && !r.timed_out && r.words < 3) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() > 0) {
      OcrResult raw =
          read(img.pix.get(), img.dpi, confident_threshold, left, max_lines, single_block);
      if (raw.error.empty() && !raw.timed_out &&
          raw.words * raw.confident_share > r.words * r.confident_share)
        r = std::move(raw);
    }
  }
  return r;
}

namespace {

// Tesseract asks its monitor's cancel function before each unit it recognises — with the LSTM
// engine a text line — and, when told to stop, leaves the rest of the page unrecognised (empty
// words) and Recognize() returns an error: a stop asked for, not a failure.
struct LineBudget {
  int max_lines = 0;
  int started = 0;
  bool stopped = false;
};

bool stop_after_lines(void* budget, int /*words*/) {
  auto* b = static_cast<LineBudget*>(budget);
  if (b->max_lines > 0 && b->started >= b->max_lines) {
    b->stopped = true;
    return true;
  }
  ++b->started;
  return false;
}

}  // namespace

OcrResult OcrEngine::read(Pix* pix, double dpi, int confident_threshold,
                          std::chrono::milliseconds limit, int max_lines, bool single_block) {
  OcrResult r;
  auto& api = impl_->api;
  api.SetPageSegMode(single_block ? tesseract::PSM_SINGLE_BLOCK : tesseract::PSM_AUTO);
  api.SetImage(pix);
  api.SetSourceResolution(static_cast<int>(std::lround(dpi)));
  tesseract::ETEXT_DESC monitor;
  monitor.set_deadline_msecs(static_cast<int32_t>(limit.count()));
  LineBudget budget{max_lines};
  monitor.cancel = stop_after_lines;
  monitor.cancel_this = &budget;
  const int rc = api.Recognize(&monitor);
  if (monitor.deadline_exceeded()) {
    r.timed_out = true;
    api.Clear();
    return r;
  }
  r.lines = budget.started;
  r.partial = budget.stopped;
  if (rc != 0 && !budget.stopped) {
    r.error = "Tesseract could not recognise the page";
    api.Clear();
    return r;
  }
  std::unique_ptr<tesseract::ResultIterator> it(api.GetIterator());
  double conf_sum = 0;
  int confident = 0;
  if (it) {
    do {
      std::unique_ptr<char[]> word(it->GetUTF8Text(tesseract::RIL_WORD));
      if (!word) continue;
      if (r.text.size() < 64 * 1024) {
        r.text += word.get();
        r.text += it->IsAtFinalElement(tesseract::RIL_TEXTLINE, tesseract::RIL_WORD) ? '\n' : ' ';
      }
      if (letters_in(word.get()) < 2) continue;
      const float conf = it->Confidence(tesseract::RIL_WORD);
      ++r.words;
      conf_sum += conf;
      if (conf >= static_cast<float>(confident_threshold)) ++confident;
    } while (it->Next(tesseract::RIL_WORD));
  }
  if (r.words > 0) {
    r.mean_confidence = conf_sum / r.words;
    r.confident_share = static_cast<double>(confident) / r.words;
  }
  api.Clear();
  return r;
}

std::optional<Orientation> OcrEngine::orientation(const PageImage& img) {
  if (!img.pix || impl_->osd_failed) return std::nullopt;
  if (!impl_->osd) {
    impl_->osd = std::make_unique<tesseract::TessBaseAPI>();
    quiet(*impl_->osd);
    if (impl_->osd->Init(nullptr, "osd", tesseract::OEM_TESSERACT_ONLY) != 0) {
      impl_->osd_failed = true;
      impl_->osd.reset();
      return std::nullopt;
    }
    impl_->osd->SetPageSegMode(tesseract::PSM_OSD_ONLY);
  }
  impl_->osd->SetImage(img.pix.get());
  impl_->osd->SetSourceResolution(static_cast<int>(std::lround(img.dpi)));
  int deg = 0;
  float conf = 0;
  const char* script = nullptr;
  float script_conf = 0;
  const bool ok = impl_->osd->DetectOrientationScript(&deg, &conf, &script, &script_conf);
  impl_->osd->Clear();
  if (!ok) return std::nullopt;
  return Orientation{((deg % 360) + 360) % 360, conf};
}

PageImage rotate(const PageImage& img, int degrees) {
  PageImage out;
  out.dpi = img.dpi;
  const int quads = ((degrees / 90) % 4 + 4) % 4;
  if (!img.pix) {
    out.error = img.error;
    return out;
  }
  out.pix.reset(quads == 0 ? pixCopy(nullptr, img.pix.get()) : pixRotateOrth(img.pix.get(), quads));
  if (!out.pix) out.error = "the page image cannot be turned";
  return out;
}

}  // namespace sot::readability
