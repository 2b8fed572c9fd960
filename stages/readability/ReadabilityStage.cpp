#include "readability/ReadabilityStage.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <set>
#include <sstream>

#include "readability/DocumentKind.hpp"
#include "readability/Ink.hpp"
#include "readability/Ocr.hpp"
#include "readability/Raster.hpp"
#include "readability/TextQuality.hpp"
#include "rules/RuleSet.hpp"

namespace sot::readability {

std::vector<int> ocr_sample(int pages, int first, int last, int spread) {
  std::set<int> s;
  for (int i = 1; i <= std::min(pages, first); ++i) s.insert(i);
  for (int i = std::max(1, pages - last + 1); i <= pages; ++i) s.insert(i);
  const int lo = first + 1, hi = pages - last;  // the middle
  if (hi >= lo && spread > 0) {
    const int n = hi - lo + 1;
    for (int k = 1; k <= spread; ++k) s.insert(lo + (n * k) / (spread + 1));
  }
  std::vector<int> out;
  for (int p : s)
    if (p >= 1 && p <= pages) out.push_back(p);
  return out;
}

const char* to_string(Verdict v) {
  switch (v) {
    case Verdict::kReadable:
      return "readable";
    case Verdict::kDoubtful:
      return "doubtful";
    case Verdict::kUnreadable:
      return "unreadable";
    case Verdict::kBlank:
      return "blank";
    case Verdict::kSparse:
      return "sparse";
    case Verdict::kNotSampled:
      return "not_sampled";
    case Verdict::kFailed:
      return "failed";
  }
  return "?";
}

nlohmann::json PageReading::to_json() const {
  nlohmann::json j = {{"page", number}, {"method", method}, {"verdict", to_string(verdict)}};
  if (ink) {
    j["ink"] = std::round(ink->coverage * 10000) / 10000;
    j["marks"] = ink->marks;
  }
  if (ocr && ocr->error.empty() && !ocr->timed_out) {
    j["words"] = ocr->words;
    j["mean_confidence"] = std::lround(ocr->mean_confidence);
    j["confident_share"] = std::round(ocr->confident_share * 100) / 100;
  }
  if (rotated) j["rotated"] = rotated;
  if (inverted) j["inverted"] = true;
  if (band)
    j["read"] = ocr && ocr->partial ? "top band, first " + std::to_string(ocr->lines) + " lines"
                                    : std::string("top band");
  if (probe) j["read"] = "first " + std::to_string(ocr ? ocr->lines : 0) + " lines";
  if (ink && method == "ocr") {
    j["contrast"] = ink->contrast;
    j["edge_share"] = std::round(ink->edge_share * 100) / 100;
    j["grain"] = std::lround(ink->fine_noise);
    if (ink->glyph_mm > 0) j["glyph_mm"] = std::round(ink->glyph_mm * 10) / 10;
  }
  if (!note.empty()) j["note"] = note;
  return j;
}

namespace {

using SteadyClock = std::chrono::steady_clock;

Verdict judge_ocr(const OcrResult& r, const Ink& ink, const rules::ReadabilityRules& rr) {
  if (r.words < rr.min_words)
    return ink.marks < rr.sparse_max_marks ? Verdict::kSparse : Verdict::kUnreadable;
  if (r.mean_confidence >= rr.readable_mean_confidence &&
      r.confident_share >= rr.readable_confident_share)
    return Verdict::kReadable;
  if (r.mean_confidence < rr.unreadable_mean_confidence ||
      r.confident_share < rr.unreadable_confident_share)
    return Verdict::kUnreadable;
  return Verdict::kDoubtful;
}

int rank(Verdict v) {  // better readings rank higher
  switch (v) {
    case Verdict::kReadable:
      return 3;
    case Verdict::kDoubtful:
      return 2;
    case Verdict::kSparse:
      return 1;
    default:
      return 0;
  }
}

bool is_blank(const Ink& ink, const rules::ReadabilityRules& rr) {
  return ink.coverage <= rr.blank_max_ink && ink.marks <= rr.blank_max_marks;
}

// Reads one page image: ink first, then (when sampled) OCR, turning the page when it reads
// badly and OSD says it is not upright.
void read_image(PageReading& pr, const PageImage& image, bool sampled,
                const rules::ReadabilityRules& rr, bool whole_title_band, std::string* failure) {
  if (!image.pix) {
    pr.verdict = Verdict::kFailed;
    pr.note = image.error;
    *failure = "page " + std::to_string(pr.number) + ": " + image.error;
    return;
  }
  pr.ink = measure_ink(image);
  pr.method = "ink";
  // Light text on a dark ground: read as the negative it is — when the negative shows more
  // letters than the image as it came (a page photographed on a dark table is mostly dark
  // too, and its letters are dark).
  PageImage negative;
  if (pr.ink->dark) {
    negative = inverted(image);
    if (negative.pix) {
      const Ink neg = measure_ink(negative);
      if (neg.marks > pr.ink->marks) {
        pr.ink = neg;
        pr.inverted = true;
      } else {
        negative = PageImage();
      }
    }
  }
  const PageImage& img = negative.pix ? negative : image;
  if (is_blank(*pr.ink, rr)) {
    pr.verdict = Verdict::kBlank;
    return;
  }
  if (!sampled) {
    pr.verdict = Verdict::kNotSampled;
    return;
  }
  OcrEngine& engine = OcrEngine::for_this_thread(rr.ocr_languages);
  if (!engine.ready()) {
    pr.verdict = Verdict::kFailed;
    *failure = engine.error();
    return;
  }
  pr.method = "ocr";
  const std::chrono::milliseconds limit(rr.page_time_limit_ms);
  // A page turned sideways: OSD says which way, and the page is read upright.
  PageImage upright;
  if (pr.ink->sideways && pr.ink->marks >= rr.sparse_max_marks) {
    if (auto o = engine.orientation(img); o && (o->degrees == 90 || o->degrees == 270)) {
      upright = rotate(img, 360 - o->degrees);
      if (upright.pix) pr.rotated = o->degrees;
    }
  }
  const PageImage& page = upright.pix ? upright : img;
  const int confident = static_cast<int>(rr.word_confidence);
  const bool damaged = ink_damaged(*pr.ink);
  // Read only as much as the verdict needs: most pages are clean, and the first lines of the
  // top band say so when they read with high confidence and the ink shows no damage anywhere
  // on the page. On the title pages more lines are read (the heading and what follows it, for
  // the title check), the whole band when the title check asks for it.
  if (rr.ocr_band_share < 1.0 && !damaged) {
    const bool title_page = pr.number <= rr.title_pages;
    const int lines = title_page ? (whole_title_band ? 0 : static_cast<int>(rr.band_title_lines))
                                 : static_cast<int>(rr.band_lines);
    // Read as one block of lines: the page layout analysis is for the whole band, read when
    // the title check asks for it.
    const PageImage top = top_band(page, rr.ocr_band_share);
    OcrResult band = engine.recognize(top, confident, limit, lines, lines > 0);
    auto reads_well = [&](const OcrResult& b) {
      return b.error.empty() && !b.timed_out &&
             b.mean_confidence >= rr.band_readable_mean_confidence &&
             b.confident_share >= rr.band_readable_confident_share;
    };
    // Short lines (a heading, an address block, large print): what was read reads well but is
    // too few words to say so — the band is read again to as many lines as, at the words per
    // line seen, give a third more than the words needed (at most three times as many).
    if (band.partial && reads_well(band) && band.words < rr.band_min_words) {
      const double per_line = std::max(1.0, static_cast<double>(band.words) / band.lines);
      const int more = static_cast<int>(std::ceil(1.34 * rr.band_min_words / per_line));
      band = engine.recognize(top, confident, limit, std::clamp(more, lines + 1, 3 * lines), true);
    }
    if (reads_well(band) && band.words >= rr.band_min_words) {
      pr.text = band.text;
      pr.verdict = Verdict::kReadable;
      pr.band = true;
      pr.ocr = std::move(band);
      return;
    }
  }
  // A page whose ink looks blurred or faint: its first lines are read, and when they already
  // hold enough words and those read as unreadable, the rest would not change the verdict —
  // with three language models, garbage costs each line three readings. (Not a grainy page:
  // there the layout analysis of the grain is the cost, and a probe would pay it twice.)
  std::optional<OcrResult> whole;
  if (damaged && ink_blurred(*pr.ink) && rr.probe_lines > 0) {
    OcrResult probe = engine.recognize(page, confident, limit, static_cast<int>(rr.probe_lines));
    if (probe.error.empty() && !probe.timed_out && probe.partial &&
        probe.words >= rr.probe_min_words &&
        judge_ocr(probe, *pr.ink, rr) == Verdict::kUnreadable) {
      std::string why;
      ink_damaged(*pr.ink, &why);
      pr.note = why;
      pr.probe = true;
      pr.text = probe.text;
      pr.verdict = Verdict::kUnreadable;
      pr.ocr = std::move(probe);
      return;
    }
    // Its lines were all it had: the probe was the whole reading.
    if (probe.error.empty() && !probe.timed_out && !probe.partial) whole = std::move(probe);
  }
  OcrResult r = whole ? std::move(*whole) : engine.recognize(page, confident, limit);
  if (r.timed_out || !r.error.empty()) {
    pr.verdict = Verdict::kFailed;
    *failure =
        "page " + std::to_string(pr.number) + ": " +
        (r.timed_out ? "OCR took longer than " + std::to_string(rr.page_time_limit_ms) + " ms"
                     : r.error);
    pr.ocr = std::move(r);
    return;
  }
  Verdict v = judge_ocr(r, *pr.ink, rr);
  // Turned text still reads as words (of garbage); a page where nothing word-like was found
  // (noise, a blur) is not re-read turned: that costs a second full layout analysis for nothing.
  if (v != Verdict::kReadable && !pr.rotated && pr.ink->marks >= rr.sparse_max_marks &&
      r.words >= rr.min_words) {
    if (auto o = engine.orientation(img);
        o && o->degrees != 0 && o->confidence >= static_cast<double>(rr.osd_min_confidence)) {
      const PageImage turned = rotate(img, 360 - o->degrees);
      OcrResult r2 = engine.recognize(turned, static_cast<int>(rr.word_confidence), limit);
      if (r2.error.empty() && !r2.timed_out) {
        const Verdict v2 = judge_ocr(r2, *pr.ink, rr);
        if (rank(v2) > rank(v)) {
          v = v2;
          r = std::move(r2);
          pr.rotated = o->degrees;
        }
      }
    }
  }
  if (pr.rotated && rank(v) < rank(Verdict::kDoubtful)) pr.rotated = 0;  // not the reason
  // OCR failing is not enough to call a page unreadable: the ink must say the image is
  // damaged. Clean, text-like ink that OCR cannot read — handwriting, an unusual font, a
  // language it has no model of — is for a clerk's eyes.
  if (v == Verdict::kUnreadable) {
    std::string why;
    if (ink_damaged(*pr.ink, &why)) {
      pr.note = why;
    } else {
      v = Verdict::kDoubtful;
      pr.ocr_failed = true;
      pr.note = "text-like ink the OCR cannot read (handwriting, an unusual font or language)";
    }
  }
  pr.text = r.text;
  pr.verdict = v;
  pr.ocr = std::move(r);
}

struct TitleReading {
  std::string first_text;
  TitleCheck check;
};

// The declared title against the text of the first pages as read; nothing when there is no
// title or too little text to say.
std::optional<TitleReading> read_title(const std::string& title,
                                       const std::vector<PageReading>& pages,
                                       const rules::ReadabilityRules& rr) {
  if (title.empty()) return std::nullopt;
  TitleReading t;
  for (const auto& pr : pages)
    // Text that says what the page is: read well, or doubtfully by OCR — not a text layer
    // or office text judged garbled (nothing can be said about its content).
    if (pr.number <= rr.title_pages &&
        (pr.verdict == Verdict::kReadable ||
         (pr.verdict == Verdict::kDoubtful && pr.method == "ocr" && !pr.ocr_failed)))
      t.first_text += pr.text + "\n";
  if (static_cast<long>(match_words(t.first_text).size()) < rr.title_min_words) return std::nullopt;
  // What the document is, against what its title says it is (DocumentKind.hpp).
  t.check = check_title(title, t.first_text, rr);
  return t;
}

// Documents read page by page from their images (the rest — office formats — from their
// text as one piece).
bool is_paged(std::string_view format) {
  return format == "pdf" || format == "jpeg" || format == "tiff";
}
bool is_office(std::string_view format) {
  return format == "docx" || format == "xlsx" || format == "doc" || format == "docm" ||
         format == "xlsm";
}

}  // namespace

std::vector<PageReading> read_document(std::string_view data, const analysis::AnalysisFacts& a,
                                       const rules::ReadabilityRules& rr, std::string* failure,
                                       bool whole_title_band) {
  std::vector<PageReading> pages;
  const std::string& format = a.format;
  if (is_paged(format)) {
    const int n = static_cast<int>(a.page_facts.size());
    const auto sample =
        ocr_sample(n, static_cast<int>(rr.ocr_first_pages), static_cast<int>(rr.ocr_last_pages),
                   static_cast<int>(rr.ocr_spread_pages));
    std::unique_ptr<PdfRenderer> renderer;
    for (const auto& p : a.page_facts) {
      PageReading pr;
      pr.number = p.number;
      const bool sampled = std::binary_search(sample.begin(), sample.end(), p.number);
      const TextQuality q = assess_text(p.text, rr);
      const TextVerdict tv = judge_text(q, rr);
      if (tv == TextVerdict::kReadable) {
        pr.method = "text";
        pr.verdict = Verdict::kReadable;
        pr.text = p.text;
        pages.push_back(std::move(pr));
        continue;
      }
      if (tv == TextVerdict::kGarbled) pr.note = "the text layer is not readable text";
      const auto deadline = SteadyClock::now() + std::chrono::milliseconds(rr.page_time_limit_ms);
      // Pages that will be OCR'd are rendered at the OCR resolution, the rest coarsely.
      const double dpi = sampled ? static_cast<double>(rr.ocr_dpi) : 100.0;
      PageImage img;
      if (format == "pdf") {
        if (!renderer) renderer = std::make_unique<PdfRenderer>(data);
        img = renderer->render(p.number, dpi, deadline);
      } else if (format == "jpeg") {
        img = orient(decode_jpeg(data, p.dpi.value_or(300), dpi), p.orientation);
      } else {
        img = scale_to(decode_tiff(data, p.number, p.dpi.value_or(300)), dpi);
      }
      read_image(pr, img, sampled, rr, whole_title_band, failure);
      // A page outside the OCR sample whose ink looks damaged is read too: an unreadable
      // page between good ones is not judged by its ink alone.
      if (pr.verdict == Verdict::kNotSampled && pr.ink && ink_damaged(*pr.ink)) {
        PageImage fine;
        const double ocr_dpi = static_cast<double>(rr.ocr_dpi);
        if (format == "pdf")
          fine = renderer->render(p.number, ocr_dpi, deadline);
        else if (format == "jpeg")
          fine = orient(decode_jpeg(data, p.dpi.value_or(300), ocr_dpi), p.orientation);
        else
          fine = scale_to(decode_tiff(data, p.number, p.dpi.value_or(300)), ocr_dpi);
        PageReading again;
        again.number = p.number;
        read_image(again, fine, true, rr, whole_title_band, failure);
        again.note = (again.note.empty() ? "" : again.note + "; ") +
                     "read outside the sample: its ink looked damaged";
        pr = std::move(again);
      }
      pages.push_back(std::move(pr));
    }
  } else if (is_office(format)) {
    PageReading pr;
    pr.number = 1;
    pr.method = "text";
    const TextQuality q = assess_text(a.text, rr);
    const TextVerdict tv = judge_text(q, rr);
    const bool media = a.notes.value("media_parts", 0) > 0;
    const bool unread = q.characters == 0 && a.notes.contains("text_unread");
    if (tv == TextVerdict::kReadable)
      pr.verdict = Verdict::kReadable;
    else if (tv == TextVerdict::kGarbled)
      pr.verdict = Verdict::kDoubtful;
    else if (unread)
      pr.verdict = Verdict::kDoubtful;  // not read here: a clerk opens it, it is not blank
    else if (q.characters == 0 && !media)
      pr.verdict = Verdict::kBlank;
    else
      pr.verdict = Verdict::kSparse;
    if (tv == TextVerdict::kGarbled) pr.note = "the text is not readable text";
    if (unread) pr.note = "the text was not read: " + a.notes["text_unread"].get<std::string>();
    pr.text = a.text.substr(0, 8192);
    pages.push_back(std::move(pr));
  }
  return pages;
}

void ReadabilityStage::run(BundleContext& ctx, Findings& out) const {
  const rules::ReadabilityRules& rr = ctx.rules.readability;
  const Manifest* manifest = ctx.bundle.manifest();
  nlohmann::json section = nlohmann::json::object();
  nlohmann::json kinds = nlohmann::json::object();
  for (const auto& f : ctx.bundle.files()) {
    if (f.size > ctx.rules.max_file_bytes) continue;
    const DocumentFacts* df = ctx.facts.get(f);
    if (!df || !ctx.rules.allowed_formats.count(df->format.format)) continue;
    const analysis::AnalysisFacts* a = ctx.facts.analysis(f);
    if (!a || a->corrupt || a->encrypted || a->limit) continue;
    const std::string* data = ctx.facts.data(f);
    if (!data) continue;

    const DocumentEntry* entry = manifest ? manifest->find_document(f.name) : nullptr;
    const std::string title = entry ? entry->title : std::string();
    std::string failure;
    std::vector<PageReading> pages = read_document(*data, *a, rr, &failure);
    std::optional<TitleReading> titled = read_title(title, pages, rr);
    // The title pages were read only to their first lines: before saying the title does not
    // match, the whole band is read (the words may be further down).
    if (titled && titled->check.mismatch &&
        std::any_of(pages.begin(), pages.end(), [&](const PageReading& pr) {
          return pr.number <= rr.title_pages && pr.band && pr.ocr && pr.ocr->partial;
        })) {
      failure.clear();
      pages = read_document(*data, *a, rr, &failure, true);
      titled = read_title(title, pages, rr);
    }
    if (pages.empty()) continue;
    const bool paged = is_paged(a->format);

    nlohmann::json readings = nlohmann::json::array();
    for (const auto& pr : pages) readings.push_back(pr.to_json());
    auto& verdicts = ctx.page_verdicts[f.name];
    for (const auto& pr : pages)
      verdicts[static_cast<std::uint32_t>(pr.number)] = to_string(pr.verdict);
    section[f.name] = std::move(readings);

    if (!failure.empty()) {
      out.add_for_file("PROCESSING_FAILED", f.name, {{"reason", "readability: " + failure}});
    }
    PageFindings found;
    auto note = [&](const char* code, const PageReading& pr, nlohmann::json d) {
      found.note(code, static_cast<std::uint32_t>(pr.number), std::move(d));
    };
    const bool all_blank = std::all_of(
        pages.begin(), pages.end(), [](const auto& pr) { return pr.verdict == Verdict::kBlank; });
    if (all_blank) {
      out.add_for_file("DOCUMENT_BLANK", f.name, {{"pages", pages.size()}});
      continue;
    }
    for (const auto& pr : pages) {
      nlohmann::json d = pr.to_json();
      d.erase("page");
      switch (pr.verdict) {
        case Verdict::kBlank:
          note("BLANK_PAGE", pr, d);
          break;
        case Verdict::kUnreadable:
          // A low resolution is part of why: evidence for the filer and the clerk.
          for (const auto& pf : a->page_facts)
            if (pf.number == pr.number && pf.is_scan && pf.dpi &&
                *pf.dpi < static_cast<double>(ctx.rules.scan.min_dpi)) {
              d["dpi"] = std::lround(*pf.dpi);
              d["resolution_source"] = pf.resolution_source;
            }
          note("UNREADABLE", pr, d);
          break;
        case Verdict::kDoubtful:
          note("READABILITY_DOUBTFUL", pr, d);
          break;
        default:
          break;
      }
      if (pr.rotated) note("PAGE_ROTATED", pr, {{"rotated", pr.rotated}});
    }
    found.emit(out, f.name, paged);

    // The title: on the first pages, as read.
    if (!titled) continue;
    const TitleCheck& check = titled->check;
    const std::string& first_text = titled->first_text;
    const KindRecognition& kind = check.recognised;
    const std::string& declared = check.declared;
    kinds[f.name] = {
        {"title", title},
        {"declared_kind", declared.empty() ? nlohmann::json() : nlohmann::json(declared)},
        {"recognised", kind.to_json()},
        {"checked_by", check.basis}};
    const bool mismatch = check.mismatch;
    if (!mismatch) continue;
    std::string begins;
    {
      std::istringstream in(first_text);
      std::string w;
      for (int taken = 0; taken < 12 && in >> w; ++taken) begins += (taken ? " " : "") + w;
    }
    nlohmann::json detail = {{"title", title}, {"begins_with", begins}};
    if (!declared.empty()) detail["declared_kind"] = declared;
    if (!kind.kind.empty()) {
      detail["recognised_kind"] = kind.kind;
      detail["confidence"] = kind.confidence;
      detail["evidence"] = kind.evidence;
    }
    Finding& fd = out.add_for_file("TITLE_MISMATCH", f.name, std::move(detail));
    if (paged) fd.page = 1;
  }
  if (!section.empty()) ctx.sections["readability"] = std::move(section);
  if (!kinds.empty()) ctx.sections["document_kinds"] = std::move(kinds);
}

}  // namespace sot::readability
