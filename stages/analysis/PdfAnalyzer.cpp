// PDF analysis with Poppler's core API: open (password, damage), active content (an object
// walk over the cross-reference table, bounded), and per page — through an OutputDev that
// sees every image placement with its CTM without decoding the image, as `pdfimages -list`
// does — size, rotation, text layer (visible and invisible), images with their effective
// resolution and colour, whether the page is a scan, and for a colour scan whether it has any
// colour at all (sampled from the decoded image).
//
// Limits: pages, cross-reference objects, pixels decoded for the colour check, and a time
// budget that Poppler's abort callback enforces inside a page's content stream.
#include <Catalog.h>
#include <Error.h>
#include <GfxFont.h>
#include <GfxState.h>
#include <GlobalParams.h>
#include <OutputDev.h>
#include <PDFDoc.h>
#include <Page.h>
#include <Stream.h>
#include <XRef.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <memory>
#include <mutex>
#include <utility>

#include "analysis/DocumentAnalysis.hpp"
#include "core/Text.hpp"

namespace sot::analysis {

namespace {

using SteadyClock = std::chrono::steady_clock;

constexpr double kMmPerPt = 25.4 / 72.0;

// Poppler reports through one global callback; each thread collects its own document's.
thread_local std::string* t_errors = nullptr;
thread_local int t_error_count = 0;

void on_poppler_error(ErrorCategory category, Goffset, const char* msg) {
  if (category == errSyntaxError || category == errSyntaxWarning) ++t_error_count;
  if (t_errors && t_errors->size() < 2048) {
    if (!t_errors->empty()) *t_errors += "; ";
    *t_errors += msg;
  }
}

}  // namespace

void init_poppler() {
  // Checked on every use, not once: poppler-cpp (in the same process, e.g. a test reading a
  // notice back) drops the global parameters when its last document closes.
  static std::mutex m;
  std::lock_guard lock(m);
  if (!globalParams) {
    globalParams = std::make_unique<GlobalParams>();
    globalParams->setErrQuiet(false);
  }
  setErrorCallback(on_poppler_error);
}

namespace {

std::string color_of(GfxImageColorMap* map) {
  if (!map) return "bilevel";
  GfxColorSpace* cs = map->getColorSpace();
  const int comps = cs ? cs->getNComps() : map->getNumPixelComps();
  if (comps == 1) return map->getBits() == 1 ? "bilevel" : "gray";
  return "color";
}

struct Deadline {
  SteadyClock::time_point at;
  mutable bool stop = false;  // a limit was reached inside a page: interpret no further
  bool expired() const { return stop || SteadyClock::now() > at; }
};

bool abort_check(void* data) {
  return static_cast<Deadline*>(data)->expired();
}

// Sees images and glyphs; draws nothing.
class FactsOutputDev final : public OutputDev {
 public:
  FactsOutputDev(const AnalysisLimits& limits, const Deadline& deadline)
      : limits_(limits), deadline_(deadline) {}

  void begin(PageFacts* page, double page_w_pt, double page_h_pt) {
    page_ = page;
    page_area_ = std::max(1.0, page_w_pt * page_h_pt);
    last_y_ = -1e9;
  }

  bool upsideDown() override { return true; }
  bool useDrawChar() override { return true; }
  bool interpretType3Chars() override { return false; }
  bool needNonText() override { return true; }

  void drawChar(GfxState* state, double, double y, double, double, double, double, CharCode, int,
                const Unicode* u, int uLen) override {
    if (!page_) return;
    ++page_->text_chars;
    const int render = state->getRender() & 3;
    if (render != 3) {  // 3: neither fill nor stroke (OCR layers)
      ++page_->visible_text_chars;
      if (uLen > 0 && u[0] > ' ') count_font(state);
    }
    if (page_->text.size() >= limits_.max_text_bytes) return;
    if (std::abs(y - last_y_) > 2.0 && !page_->text.empty()) page_->text += '\n';
    last_y_ = y;
    for (int i = 0; i < uLen; ++i) text::append_utf8(page_->text, u[i]);
  }

  void drawImageMask(GfxState* state, Object* ref, Stream* str, int width, int height, bool invert,
                     bool interpolate, bool inlineImg) override {
    record(state, width, height, nullptr, nullptr);
    if (inlineImg)
      OutputDev::drawImageMask(state, ref, str, width, height, invert, interpolate, inlineImg);
  }
  void drawImage(GfxState* state, Object* ref, Stream* str, int width, int height,
                 GfxImageColorMap* colorMap, bool interpolate, const int* maskColors,
                 bool inlineImg) override {
    record(state, width, height, colorMap, inlineImg ? nullptr : str);
    if (inlineImg)
      OutputDev::drawImage(state, ref, str, width, height, colorMap, interpolate, maskColors,
                           inlineImg);
  }
  void drawMaskedImage(GfxState* state, Object*, Stream* str, int width, int height,
                       GfxImageColorMap* colorMap, bool, Stream*, int, int, bool, bool) override {
    record(state, width, height, colorMap, str);
  }
  void drawSoftMaskedImage(GfxState* state, Object*, Stream* str, int width, int height,
                           GfxImageColorMap* colorMap, bool, Stream*, int, int, GfxImageColorMap*,
                           bool) override {
    record(state, width, height, colorMap, str);
  }

 private:
  void record(GfxState* state, int width, int height, GfxImageColorMap* map, Stream* str) {
    if (!page_ || width <= 0 || height <= 0) return;
    const auto pixels = static_cast<std::uint64_t>(width) * static_cast<std::uint64_t>(height);
    if (pixels > limits_.max_image_pixels && !limit_) {
      limit_ = "page " + std::to_string(page_->number) + " draws an image of " +
               std::to_string(width) + " x " + std::to_string(height) +
               " pixels, over the limit of " + std::to_string(limits_.max_image_pixels) + " pixels";
      deadline_.stop = true;
      return;
    }
    const double* m = state->getCTM();
    const double w_pt = std::hypot(m[0], m[1]);
    const double h_pt = std::hypot(m[2], m[3]);
    if (w_pt < 1e-3 || h_pt < 1e-3) return;
    ImageFacts img;
    img.width_px = width;
    img.height_px = height;
    img.placed_width_mm = w_pt * kMmPerPt;
    img.placed_height_mm = h_pt * kMmPerPt;
    img.dpi_x = width / (w_pt / 72.0);
    img.dpi_y = height / (h_pt / 72.0);
    img.color = color_of(map);
    img.bits_per_component = map ? map->getBits() : 1;
    img.coverage = std::min(1.0, std::abs(m[0] * m[3] - m[1] * m[2]) / page_area_);
    // Text drawn before an image that covers the page is under it: an OCR layer as some
    // scanner apps write it, not visible text.
    if (img.coverage >= 0.9) page_->visible_text_chars = 0;
    // A colour image that fills the page: is there colour in it at all?
    if (img.color == "color" && str && img.coverage >= 0.5 && !colour_checked_)
      colour_ = has_colour(str, width, height, map);
    if (page_->images.size() < 64) page_->images.push_back(img);
  }

  std::optional<bool> has_colour(Stream* str, int width, int height, GfxImageColorMap* map) {
    colour_checked_ = true;
    const auto pixels = static_cast<std::uint64_t>(width) * static_cast<std::uint64_t>(height);
    if (pixels > limits_.max_color_sample_pixels) return std::nullopt;
    const int comps = map->getNumPixelComps();
    ImageStream img(str, width, comps, map->getBits());
    img.reset();
    const int step = std::max(1, static_cast<int>(std::sqrt(static_cast<double>(pixels) / 40000)));
    std::uint64_t sampled = 0, coloured = 0;
    for (int y = 0; y < height; ++y) {
      unsigned char* line = img.getLine();
      if (!line) break;
      if (y % step) continue;
      if ((y & 63) == 0 && deadline_.expired()) break;
      for (int x = 0; x < width; x += step) {
        GfxRGB rgb;
        map->getRGB(line + static_cast<size_t>(x) * comps, &rgb);
        const int r = colToByte(rgb.r), g = colToByte(rgb.g), b = colToByte(rgb.b);
        const int chroma = std::max({r, g, b}) - std::min({r, g, b});
        ++sampled;
        if (chroma > 48) ++coloured;
      }
    }
    img.close();
    if (sampled == 0) return std::nullopt;
    return coloured * 1000 > sampled * 5;  // more than 0.5 % clearly coloured pixels
  }

 public:
  // Visible glyphs by font (its name without a subset tag) and effective size (the font
  // size through the text matrix and the CTM, to the half point), most used first.
  std::vector<FontUse> take_fonts() {
    std::vector<FontUse> out;
    for (const auto& [key, chars] : font_use_) out.push_back({key.first, key.second, chars});
    std::sort(out.begin(), out.end(),
              [](const FontUse& a, const FontUse& b) { return a.chars > b.chars; });
    if (out.size() > 32) out.resize(32);
    return out;
  }
  std::optional<std::string> take_limit() { return std::exchange(limit_, std::nullopt); }
  std::optional<bool> take_colour() {
    auto c = colour_;
    colour_.reset();
    colour_checked_ = false;
    return c;
  }

 private:
  const AnalysisLimits& limits_;
  const Deadline& deadline_;
  PageFacts* page_ = nullptr;
  double page_area_ = 1;
  double last_y_ = 0;
  bool colour_checked_ = false;
  std::optional<bool> colour_;
  std::optional<std::string> limit_;
  const GfxFont* last_font_ = nullptr;
  std::string last_font_name_;
  std::map<std::pair<std::string, double>, std::uint64_t> font_use_;

  void count_font(GfxState* state) {
    const GfxFont* font = state->getFont().get();
    if (font != last_font_) {
      last_font_ = font;
      last_font_name_ = font ? font->getNameWithoutSubsetTag() : "";
      if (last_font_name_.empty()) last_font_name_ = "(unnamed)";
      if (last_font_name_.size() > 64) last_font_name_.resize(64);
    }
    const double size = std::round(state->getTransformedFontSize() * 2) / 2;
    const auto key = std::make_pair(last_font_name_, size);
    auto it = font_use_.find(key);
    if (it != font_use_.end())
      ++it->second;
    else if (font_use_.size() < 256)
      font_use_.emplace(key, 1);
  }
};

std::string name_of(Dict* d, const char* key) {
  Object o = d->lookup(key);
  return o.isName() ? o.getName() : "";
}

// Looks at one object (a dictionary or a stream's dictionary), and the dictionaries written
// inside it (an annotation's /A action, a /Names tree node), for active content. References
// are not followed here: every indirect object gets its own turn in the walk.
void inspect(Dict* d, const std::string& where, std::vector<ActiveContent>& out, int depth = 0);

void inspect_value(const Object& o, const std::string& where, std::vector<ActiveContent>& out,
                   int depth) {
  if (depth > 8) return;
  if (o.isDict()) {
    inspect(o.getDict(), where, out, depth + 1);
  } else if (o.isArray()) {
    Array* a = o.getArray();
    for (int i = 0; i < a->getLength() && i < 256; ++i)
      inspect_value(a->getNF(i), where, out, depth + 1);
  }
}

void inspect(Dict* d, const std::string& where, std::vector<ActiveContent>& out, int depth) {
  auto add = [&](const char* kind) {
    for (const auto& a : out)
      if (a.kind == kind && a.where == where) return;
    if (out.size() < 32) out.push_back({kind, where});
  };
  const std::string s = name_of(d, "S");
  const std::string type = name_of(d, "Type");
  const std::string subtype = name_of(d, "Subtype");
  if (s == "JavaScript" || d->hasKey("JS")) add("javascript");
  if (s == "Launch") add("launch");
  if (s == "RichMediaExecute" || subtype == "RichMedia") add("rich_media");
  if (type == "EmbeddedFile" || (type == "Filespec" && d->hasKey("EF")) ||
      subtype == "FileAttachment")
    add("embedded_file");
  for (int i = 0; i < d->getLength() && i < 256; ++i) {
    const std::string key = d->getKey(i);
    if (key == "Parent" || key == "Kids" || key == "P") continue;  // tree links, not content
    inspect_value(d->getValNF(i), where, out, depth);
  }
}

// The filters of a stream, from its dictionary (a name or an array of names).
std::vector<std::string> filters_of(Dict* d) {
  std::vector<std::string> out;
  Object o = d->lookup("Filter");
  if (o.isName()) out.emplace_back(o.getName());
  if (o.isArray())
    for (int i = 0; i < o.arrayGetLength() && i < 64; ++i) {
      Object e = o.arrayGet(i);
      out.emplace_back(e.isName() ? e.getName() : "?");
    }
  return out;
}

bool is_image_codec(const std::string& filter) {
  return filter == "DCTDecode" || filter == "DCT" || filter == "JPXDecode" ||
         filter == "JBIG2Decode" || filter == "CCITTFaxDecode" || filter == "CCF";
}

// The most one encoded byte can become through a filter (deflate: 1032; LZW: a 12-bit code
// for up to 4096 bytes; run length: 2 bytes for 128).
double max_expansion(const std::string& filter) {
  if (filter == "FlateDecode" || filter == "Fl") return 1032;
  if (filter == "LZWDecode" || filter == "LZW") return 2731;
  if (filter == "RunLengthDecode" || filter == "RL") return 64;
  return 1.25;  // ASCIIHex, ASCII85, Crypt
}

// A stream of the document, judged before anything interprets it: too many filters is
// damage; a stream that could inflate past the limits is decoded here, counting bytes and
// keeping none, and stopped as soon as it is over them. Streams ending in an image codec are
// left to the image pixel limit. Returns what is wrong, or nothing.
std::optional<std::string> judge_stream(Stream* str, int num, const AnalysisLimits& limits,
                                        const Deadline& deadline, bool* corrupt) {
  Dict* d = str->getDict();
  const auto filters = filters_of(d);
  if (filters.empty()) return std::nullopt;
  if (filters.size() > limits.max_filter_chain) {
    *corrupt = true;
    return "object " + std::to_string(num) + " has a chain of " + std::to_string(filters.size()) +
           " filters (at most " + std::to_string(limits.max_filter_chain) + " are read)";
  }
  if (std::any_of(filters.begin(), filters.end(), is_image_codec)) return std::nullopt;
  Object length = d->lookup("Length");
  const double encoded = length.isInt() ? std::max(1, length.getInt())
                         : length.isInt64()
                             ? static_cast<double>(std::max<long long>(1, length.getInt64()))
                             : 1.0;
  const std::uint64_t cap = std::min<std::uint64_t>(
      limits.max_stream_bytes,
      std::max<std::uint64_t>(16ull << 20,
                              static_cast<std::uint64_t>(encoded) * limits.max_stream_ratio));
  double could = encoded;
  for (const auto& fl : filters) could *= max_expansion(fl);
  if (could <= static_cast<double>(cap)) return std::nullopt;
  // It could: count what it does.
  std::uint64_t decoded = 0;
  unsigned char buf[1 << 16];
  str->reset();
  for (int n; (n = str->doGetChars(sizeof buf, buf)) > 0;) {
    decoded += static_cast<std::uint64_t>(n);
    if (decoded > cap) {
      str->close();
      return "object " + std::to_string(num) + ": a stream of " +
             std::to_string(static_cast<std::uint64_t>(encoded)) + " bytes behind " +
             std::to_string(filters.size()) + " filter(s) inflates past " +
             std::to_string(cap >> 20) + " MiB (limit: " + std::to_string(limits.max_stream_ratio) +
             "× its size, at most " + std::to_string(limits.max_stream_bytes >> 20) + " MiB)";
    }
    if ((decoded & ((16u << 20) - 1)) < sizeof buf && deadline.expired()) break;
  }
  str->close();
  return std::nullopt;
}

void find_active_content(PDFDoc& doc, const AnalysisLimits& limits, const Deadline& deadline,
                         AnalysisFacts& f) {
  XRef* xref = doc.getXRef();
  Catalog* catalog = doc.getCatalog();
  if (catalog && catalog->isOk()) {
    if (catalog->numJS() > 0) f.active.push_back({"javascript", "document JavaScript names"});
    if (catalog->numEmbeddedFiles() > 0)
      f.active.push_back({"embedded_file", "document EmbeddedFiles names"});
  }
  const int n = xref->getNumObjects();
  if (static_cast<std::uint64_t>(n) > limits.max_pdf_objects) {
    f.limit = "PDF has " + std::to_string(n) + " objects, over the inspection limit of " +
              std::to_string(limits.max_pdf_objects);
    return;
  }
  Object trailer_root = xref->getTrailerDict()->isDict()
                            ? xref->getTrailerDict()->dictLookupNF("Root").copy()
                            : Object(objNull);
  std::uint32_t fonts = 0;
  for (int i = 0; i < n; ++i) {
    if ((i & 255) == 0 && deadline.expired()) {
      f.limit = "time budget exceeded while inspecting PDF objects";
      return;
    }
    XRefEntry* e = xref->getEntry(i, false);
    if (!e || e->type == xrefEntryFree) continue;
    Object o = xref->fetch(i, e->gen);
    Dict* d = o.isDict() ? o.getDict() : o.isStream() ? o.getStream()->getDict() : nullptr;
    if (!d) continue;
    // Limits judged from the dictionaries, before any page is interpreted.
    const std::string type = name_of(d, "Type");
    const std::string subtype = name_of(d, "Subtype");
    if (type == "Font" && ++fonts > limits.max_pdf_fonts) {
      f.limit = "PDF has more than " + std::to_string(limits.max_pdf_fonts) +
                " font dictionaries (the analysis limit)";
      return;
    }
    if (o.isStream() && subtype == "Image") {
      Object w = d->lookup("Width"), h = d->lookup("Height");
      const double px = (w.isNum() ? w.getNum() : 0) * (h.isNum() ? h.getNum() : 0);
      if (px > static_cast<double>(limits.max_image_pixels)) {
        // The dimensions as written, whatever their size (a double past long long's range
        // must not be converted to it).
        auto dimension = [](const Object& v) {
          char buf[32];
          std::snprintf(buf, sizeof buf, "%.0f", v.isNum() ? v.getNum() : 0.0);
          return std::string(buf);
        };
        f.limit = "object " + std::to_string(i) + " is an image of " + dimension(w) + " x " +
                  dimension(h) + " pixels, over the limit of " +
                  std::to_string(limits.max_image_pixels) + " pixels";
        return;
      }
    }
    if (o.isStream()) {
      bool corrupt = false;
      if (auto bad = judge_stream(o.getStream(), i, limits, deadline, &corrupt)) {
        (corrupt ? f.corrupt : f.limit) = std::move(bad);
        return;
      }
    }
    std::string where = "object " + std::to_string(i);
    if (trailer_root.isRef() && trailer_root.getRefNum() == i) {
      where = "document catalog";
      Object open = d->lookup("OpenAction");
      if (open.isDict()) inspect(open.getDict(), "OpenAction", f.active);
    }
    inspect(d, where, f.active);
  }
}

}  // namespace

AnalysisFacts analyze_pdf(std::string_view data, const AnalysisLimits& limits) {
  init_poppler();
  AnalysisFacts f;
  f.format = "pdf";
  f.analysed = true;
  std::string errors;
  t_errors = &errors;
  t_error_count = 0;
  struct Reset {
    ~Reset() { t_errors = nullptr; }
  } reset;
  const Deadline deadline{SteadyClock::now() + limits.time_budget};

  // A complete PDF ends with %%EOF. Some writers leave junk after it, which readers
  // tolerate; a file cut short has no %%EOF at its end and needs its cross-reference table
  // rebuilt (or has no %%EOF at all).
  const std::string_view tail = data.substr(data.size() > 1024 ? data.size() - 1024 : 0);
  const bool ends_properly = tail.find("%%EOF") != std::string_view::npos;
  if (!ends_properly && data.find("%%EOF") == std::string_view::npos) {
    f.corrupt = "truncated: the file has no %%EOF";
    return f;
  }
  bool reconstructed = false;
  // MemStream borrows the bytes; PDFDoc owns the stream.
  auto* stream = new MemStream(data.data(), 0, static_cast<Goffset>(data.size()), Object(objNull));
  PDFDoc doc(stream, std::nullopt, std::nullopt, nullptr, [&] { reconstructed = true; });
  if (!doc.isOk()) {
    if (doc.getErrorCode() == errEncrypted) {
      f.encrypted = true;
      f.notes["encryption"] = "a user password is required to open the document";
    } else {
      f.corrupt = "cannot be opened" + (errors.empty() ? std::string() : ": " + errors);
    }
    return f;
  }
  if (reconstructed) f.notes["xref_reconstructed"] = true;
  if (reconstructed && !ends_properly) {
    f.corrupt =
        "truncated: the file does not end with %%EOF and its cross-reference table is "
        "damaged";
    return f;
  }
  if (doc.isEncrypted()) {
    f.restricted = true;  // opened without a password: an owner password only
    f.notes["encryption"] = "owner password (permissions restricted), opens without a password";
  }
  f.pages = doc.getNumPages();
  f.notes["pdf_version"] =
      std::to_string(doc.getPDFMajorVersion()) + "." + std::to_string(doc.getPDFMinorVersion());
  find_active_content(doc, limits, deadline, f);
  if (f.limit || f.corrupt) return f;
  if (f.pages < 0) f.pages = 0;
  if (f.pages == 0) {
    // No page could be read. Empty only when the page tree says so: one that declares pages
    // Poppler cannot reach (a page object shared a hundred thousand times, a count larger
    // than the file's objects) is past the page limit or damaged — never "no pages".
    Object catalog = doc.getXRef()->getCatalog();
    long long declared = 0;
    if (catalog.isDict()) {
      Object pages = catalog.dictLookup("Pages");
      if (pages.isDict()) {
        Object count = pages.dictLookup("Count");
        if (count.isInt()) declared = count.getInt();
        if (count.isInt64()) declared = count.getInt64();
      }
    }
    if (declared > static_cast<long long>(limits.max_pages)) {
      f.limit = "the PDF's page tree declares " + std::to_string(declared) +
                " pages, over the analysis limit of " + std::to_string(limits.max_pages);
      return f;
    }
    if (declared > 0) {
      f.corrupt = "the page tree is damaged: it declares " + std::to_string(declared) +
                  " pages and none can be read";
      return f;
    }
  }
  if (static_cast<std::uint32_t>(f.pages) > limits.max_pages) {
    f.limit = "PDF has " + std::to_string(f.pages) + " pages, over the analysis limit of " +
              std::to_string(limits.max_pages);
    return f;
  }

  FactsOutputDev out(limits, deadline);
  for (int i = 1; i <= f.pages; ++i) {
    if (deadline.expired()) {
      f.limit = "time budget exceeded at page " + std::to_string(i);
      return f;
    }
    Page* page = doc.getPage(i);
    PageFacts pf;
    pf.number = i;
    if (!page || !page->isOk()) {
      f.corrupt = "page " + std::to_string(i) + " cannot be read";
      return f;
    }
    pf.rotation = ((page->getRotate() % 360) + 360) % 360;
    double w = page->getCropWidth(), h = page->getCropHeight();
    if (pf.rotation == 90 || pf.rotation == 270) std::swap(w, h);
    pf.width_mm = w * kMmPerPt;
    pf.height_mm = h * kMmPerPt;
    if (Dict* res = page->getResourceDict()) {
      Object fonts = res->lookup("Font");
      if (fonts.isDict() &&
          static_cast<std::uint32_t>(fonts.dictGetLength()) > limits.max_page_fonts) {
        f.limit = "page " + std::to_string(i) + " names " + std::to_string(fonts.dictGetLength()) +
                  " fonts, over the limit of " + std::to_string(limits.max_page_fonts);
        return f;
      }
    }
    out.begin(&pf, w, h);
    doc.displayPage(&out, i, 72, 72, 0, false, true, false, abort_check,
                    const_cast<Deadline*>(&deadline));
    out.begin(nullptr, 1, 1);
    if (auto limit = out.take_limit()) {
      f.limit = std::move(limit);
      return f;
    }
    if (deadline.expired()) {
      f.limit = "time budget exceeded at page " + std::to_string(i);
      return f;
    }
    // A scan: one image covers most of the page, and little text is visible.
    const ImageFacts* main = nullptr;
    for (const auto& img : pf.images)
      if (!main || img.coverage > main->coverage) main = &img;
    if (main && main->coverage >= 0.6 && pf.visible_text_chars < 40) {
      pf.is_scan = true;
      pf.dpi = std::min(main->dpi_x, main->dpi_y);
      pf.color_mode = main->color;
      pf.density_source = "placement";
      if (main->color == "color") pf.color_content = out.take_colour();
      // How the resolution is known: the image placed on a standard sheet is a scan at that
      // resolution (declared); a page sized by its image at 72 or 96 ppi (an image-to-PDF
      // export) says nothing about the paper — the estimate is the nearest sheet's.
      const auto [sheet, err] = nearest_sheet(pf.width_mm, pf.height_mm);
      const long ppi = std::lround(*pf.dpi);
      if ((ppi == 72 || ppi == 96) && !(sheet && err <= 0.05)) {
        double dx = 0, dy = 0;
        infer_density(main->width_px, main->height_px, pf, &dx, &dy);
        if (dx > 0 && dy > 0) pf.dpi = std::min(dx, dy);
        pf.resolution_source = "default";
      } else {
        pf.resolution_source = "declared";
      }
    }
    out.take_colour();
    f.page_facts.push_back(std::move(pf));
  }
  f.fonts = out.take_fonts();
  if (!errors.empty()) f.notes["parser_messages"] = errors.substr(0, 512);
  // Readers shrug off a few syntax errors; a structure that needed rebuilding and still
  // fails, or hundreds of errors (objects nested past the parser's limit, garbage), is damage.
  if (t_error_count >= 100 || (reconstructed && t_error_count >= 20))
    f.corrupt = "damaged structure: " + std::to_string(t_error_count) +
                " syntax errors (first: " + errors.substr(0, errors.find(';')) + ")";
  return f;
}

}  // namespace sot::analysis
