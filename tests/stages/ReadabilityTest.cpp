// Readability on generated pages: each code made and seen through the pipeline, the text
// checks (language, mojibake, title matching) directly. OCR pages are A4 at 200 dpi, few.
#include <catch2/catch.hpp>

#include "analysis/DocumentAnalysis.hpp"
#include "generator/Calibration.hpp"
#include "generator/Documents.hpp"
#include "readability/Ink.hpp"
#include "readability/ReadabilityStage.hpp"
#include "readability/TextQuality.hpp"
#include "rules/RuleSet.hpp"
#include "support/TestBundle.hpp"

using namespace sot;
using namespace sot::test;
using Codes = std::set<std::string>;

namespace {

const rules::ReadabilityRules& rr() {
  static const rules::RuleSet rs = rules::shipped_rules();
  return rs.readability;
}

// The bundle with its attachment ("Шарттың көшірмесі") replaced by `content` named `name`.
PipelineResult with_attachment(const std::string& name, const std::string& content,
                               const Config& config = test_config()) {
  TempDir t;
  BundleBuilder b;
  b.documents[1].file = name;
  b.documents[1].content = content;
  return run_pipeline(b.write(t.path()), config);
}

// The calibration pages carry a claim's text: attached as the claim's copy.
PipelineResult with_claim_copy(const std::string& content, const Config& config = test_config()) {
  TempDir t;
  BundleBuilder b;
  b.replace_attachment("Талап арыздың көшірмесі.jpeg", "Талап арыздың көшірмесі", content);
  return run_pipeline(b.write(t.path()), config);
}

samples::PageSpec page(const std::string& name) {
  for (const auto& s : samples::calibration_set())
    if (s.name == name) return s;
  FAIL("no calibration page " << name);
  return {};
}

const std::vector<std::pair<std::string, std::vector<std::string>>> kContract = {
    {"ШАРТ № 17",
     {"Қарыз беруші қарыз алушыға 1 500 000 теңге береді, ал қарыз алушы оны бір жыл ішінде "
      "қайтарады.",
      "Тараптар осы шартты екі данада жасады, әрқайсысының заңды күші бірдей."}}};

}  // namespace

TEST_CASE("text quality: language, mojibake, repeated glyphs", "[readability]") {
  using readability::TextVerdict;
  auto judge = [](const std::string& s) {
    return readability::judge_text(readability::assess_text(s, rr()), rr());
  };
  CHECK(judge("Талапкер жауапкерден қарыз сомасын өндіріп беруді сұрайды.") ==
        TextVerdict::kReadable);
  CHECK(judge("Истец просит взыскать с ответчика сумму займа по договору.") ==
        TextVerdict::kReadable);
  CHECK(judge("The claimant asks the court to recover the loan.") == TextVerdict::kReadable);
  // CP1251 bytes read as CP1252: what a broken ToUnicode map puts in a text layer.
  CHECK(judge("Ñîò êàáèíåò³ àðûç áåðó òàëàïòàðû ìåí òàð³ìäåð") == TextVerdict::kGarbled);
  CHECK(judge("\uFFFD\uFFFD\uFFFD \uFFFD\uFFFD \uFFFD\uFFFD\uFFFD\uFFFD "
              "\uFFFD\uFFFD\uFFFD\uFFFD\uFFFD") == TextVerdict::kGarbled);
  CHECK(judge("\uE001\uE002\uE003 \uE004\uE005 \uE006\uE007\uE008\uE009 \uE00A\uE00B\uE00C") ==
        TextVerdict::kGarbled);
  CHECK(judge("xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx") == TextVerdict::kGarbled);
  CHECK(judge("qzxv brtk pltw mnrs xkcd vvbn qwrt zxcv") == TextVerdict::kGarbled);
  CHECK(judge("2") == TextVerdict::kEmpty);
}

TEST_CASE("title matching is tolerant of inflection, OCR slips, hyphenation and language",
          "[readability]") {
  using readability::match_words;
  using readability::title_found;
  using readability::title_keys;
  auto found = [](const std::string& title, const std::string& text) {
    return title_found(title_keys(title, rr()), match_words(text));
  };
  CHECK(found("Шарттың көшірмесі", "ШАРТ № 17 Қарыз беруші ..."));
  CHECK(found("Талап арыз", "ТАЛАП АРЫЗ жауапкерден қарызды өндіру туралы"));
  CHECK(found("Талап арыз", "ИСКОВОЕ ЗАЯВЛЕНИЕ о взыскании долга"));  // a synonym, in Russian
  CHECK(found("Сенімхат", "ДОВЕРЕННОСТЬ Я, Ахметов Арман, доверяю"));
  CHECK(found("Мемлекеттік баж түбіртегі", "КВИТАНЦИЯ об оплате государственной пошлины"));
  CHECK(found("Қолхат", "Колхат: мен 500 000 тенге алдым"));  // OCR read қ as к
  CHECK(found("Сотқа хат", "ХАТ Іс бойынша сот отырысын кейінге қалдыру"));
  CHECK(found("Талап арыз", "ТАЛА-\nП АРЫЗ"));  // hyphenated at a line end
  CHECK_FALSE(found("Сенімхат", "ТАЛАП АРЫЗ жауапкерден қарызды өндіру туралы"));
  CHECK_FALSE(found("Мемлекеттік баж түбіртегі", "ШАРТ № 17 Қарыз беруші береді"));
  CHECK(title_keys("Көшірме", rr()).empty());  // says nothing about which document
}

TEST_CASE("OCR samples long documents: first, last and a spread", "[readability]") {
  using readability::ocr_sample;
  CHECK(ocr_sample(1, 2, 1, 2) == std::vector<int>{1});
  CHECK(ocr_sample(3, 2, 1, 2) == std::vector<int>{1, 2, 3});
  CHECK(ocr_sample(20, 2, 1, 2) == std::vector<int>{1, 2, 8, 14, 20});
}

TEST_CASE("a clean scan is read and registered — its reading is in the report", "[readability]") {
  const auto r = with_claim_copy(samples::make_page_scan(page("clean-kk-200-serif-14")));
  CHECK(codes_of(r).empty());
  const auto& pages = r.sections.at("readability").at("Талап арыздың көшірмесі.jpeg");
  CHECK(pages.at(0).at("method") == "ocr");
  CHECK(pages.at(0).at("verdict") == "readable");
  CHECK(pages.at(0).at("words").get<int>() >= rr().band_min_words);
}

TEST_CASE("UNREADABLE: a blurred scan", "[readability]") {
  const auto r =
      with_attachment("Шарттың көшірмесі.jpeg", samples::make_page_scan(page("blur-5-200")));
  REQUIRE(codes_of(r) == Codes{"UNREADABLE"});
  const auto f = findings_with(r, "UNREADABLE")[0];
  CHECK(f.finding.page == 1u);
  CHECK(f.finding.detail.at("mean_confidence").get<int>() < 40);
  CHECK(r.outcome == Outcome::kRejected);
}

TEST_CASE("a clean page is judged from its top band — a damaged one is read whole",
          "[readability]") {
  std::string failure;
  const auto clean = samples::make_page_scan(page("clean-kk-200-serif-14"));
  const auto a =
      readability::read_document(clean, analysis::analyze(clean, "jpeg"), rr(), &failure);
  CHECK(a.at(0).verdict == readability::Verdict::kReadable);
  CHECK(a.at(0).band);
  CHECK_THAT(a.at(0).text, Catch::Contains("ТАЛАП"));  // the heading, for the title check
  const auto blurred = samples::make_page_scan(page("blur-5-200"));
  const auto b =
      readability::read_document(blurred, analysis::analyze(blurred, "jpeg"), rr(), &failure);
  CHECK(b.at(0).verdict == readability::Verdict::kUnreadable);
  CHECK_FALSE(b.at(0).band);
}

TEST_CASE("reading stops when the verdict is certain — the same verdicts as reading on",
          "[readability]") {
  std::string failure;
  rules::ReadabilityRules whole = rr();  // no line limits: every read goes on to the end
  whole.band_lines = whole.band_title_lines = whole.probe_lines = 0;
  auto read = [&](const std::string& data, const char* format,
                  const rules::ReadabilityRules& rules) {
    return readability::read_document(data, analysis::analyze(data, format), rules, &failure);
  };
  // A clean title page: the band's first band_title_lines lines, the heading among them.
  const auto clean = samples::make_page_scan(page("clean-ru-200-sans-11-table"));
  const auto a = read(clean, "jpeg", rr());
  REQUIRE(a.at(0).ocr);
  CHECK(a.at(0).verdict == readability::Verdict::kReadable);
  CHECK(a.at(0).ocr->partial);
  CHECK(a.at(0).ocr->lines == rr().band_title_lines);
  CHECK(a.at(0).to_json().at("read") ==
        "top band, first " + std::to_string(rr().band_title_lines) + " lines");
  const auto a_whole = read(clean, "jpeg", whole);
  CHECK(a_whole.at(0).verdict == readability::Verdict::kReadable);
  CHECK_FALSE(a_whole.at(0).ocr->partial);
  CHECK(a_whole.at(0).ocr->words > a.at(0).ocr->words);
  // Later pages of a scanned PDF: band_lines lines each.
  std::vector<std::string> body;
  for (int i = 0; i < 4; ++i)
    body.insert(body.end(), kContract[0].second.begin(), kContract[0].second.end());
  const std::string jpeg = samples::make_jpeg_scan("ШАРТ № 17", body, 200);
  const std::string next = samples::make_jpeg_scan("", body, 200);
  const int w = 1654, h = 2339;  // A4 at 200 dpi, as make_jpeg_scan draws it
  // Pages 2 and 3: body text from their first line; page 4 starts with a heading (short
  // lines): when the first lines are too few words, more of the band is read, never all of
  // it. Pages 1 and 2 are title pages.
  const std::string pdf = samples::make_pdf_of_scans({jpeg, next, next, jpeg}, 200, w, h);
  rules::ReadabilityRules all_pages = rr();
  all_pages.ocr_spread_pages = 2;
  REQUIRE(rr().title_pages == 2);
  const auto p = read(pdf, "pdf", all_pages);
  REQUIRE(p.size() == 4);
  for (const auto& pr : p) {
    INFO("page " << pr.number);
    REQUIRE(pr.ocr);
    CHECK(pr.verdict == readability::Verdict::kReadable);
    CHECK(pr.ocr->partial);
    CHECK(pr.ocr->words >= rr().band_min_words);
    CHECK(pr.ocr->lines <=
          (pr.number <= rr().title_pages ? 3 * rr().band_title_lines : 3 * rr().band_lines));
  }
  CHECK(p[0].ocr->lines == rr().band_title_lines);
  // A blurred page: its first probe_lines lines already read as unreadable.
  const auto blurred = samples::make_page_scan(page("blur-5-200"));
  const auto b = read(blurred, "jpeg", rr());
  CHECK(b.at(0).verdict == readability::Verdict::kUnreadable);
  CHECK(b.at(0).probe);
  CHECK(b.at(0).ocr->lines == rr().probe_lines);
  CHECK(b.at(0).to_json().at("read") == "first " + std::to_string(rr().probe_lines) + " lines");
  const auto b_whole = read(blurred, "jpeg", whole);
  CHECK(b_whole.at(0).verdict == readability::Verdict::kUnreadable);
  CHECK_FALSE(b_whole.at(0).probe);
  // A grainy page is not probed (its cost is the layout analysis, which a probe pays twice).
  const auto noisy = samples::make_page_scan(page("noise-130-200"));
  const auto n = read(noisy, "jpeg", rr());
  CHECK(n.at(0).verdict == readability::Verdict::kUnreadable);
  CHECK_FALSE(n.at(0).probe);
}

TEST_CASE("a title below the first lines read: the band is read whole before TITLE_MISMATCH",
          "[readability]") {
  // A contract's copy whose heading comes after an address block longer than band_title_lines:
  // the first lines do not name it, the band does.
  std::vector<std::string> lines = {
      "Астана қаласы, Есіл ауданы, Қабанбай батыр", "Ахметов Арман Серікұлы, Астана тұрғыны",
      "Серіков Бауыржан Нұрланұлы, Алматы тұрғыны", "Тіркеу нөмірі он жеті, наурыздың он екісі",
      "Мекенжайы: Алматы қаласы, Абай даңғылы",     "Мысал серіктестігі, Астана қаласы, Сарыарқа",
      "Байланыс телефоны мен электрондық пошта",    "ШАРТ № 17"};
  lines.insert(lines.end(), kContract[0].second.begin(), kContract[0].second.end());
  REQUIRE(static_cast<long>(lines.size()) > rr().band_title_lines + 2);
  const auto scan = samples::make_jpeg_scan("", lines, 200);
  const auto r = with_attachment("Шарттың көшірмесі.jpg", scan);
  CHECK(codes_of(r).empty());
  const auto& read = r.sections.at("readability").at("Шарттың көшірмесі.jpg").at(0);
  CHECK(read.at("verdict") == "readable");
  CHECK(read.at("read") == "top band");  // read whole the second time
}

TEST_CASE("READABILITY_DOUBTFUL: between the thresholds a clerk decides", "[readability]") {
  // Thresholds that put a clean page's confidence in the doubtful band.
  std::string rules = read_file(std::filesystem::path(SOT_SOURCE_DIR) / "rules/rules.toml");
  rules.replace(rules.find("readable_mean_confidence = 62"), 29, "readable_mean_confidence = 99");
  // … for the whole page: no early verdict from the top band.
  rules.replace(rules.find("ocr_band_share = 0.4"), 20, "ocr_band_share = 1.0");
  TempDir t;
  write_file(t.path() / "rules.toml", rules);
  Config c = test_config();
  c.rules_file = t.path() / "rules.toml";
  const auto r = with_claim_copy(samples::make_page_scan(page("clean-ru-200-serif-14")), c);
  CHECK(codes_of(r) == Codes{"READABILITY_DOUBTFUL"});
  CHECK(r.outcome == Outcome::kReview);
}

TEST_CASE("READABILITY_DOUBTFUL alone: office text in a broken encoding", "[readability]") {
  // CP1251 bytes read as CP1252: nothing can be said about what the document is, so no
  // TITLE_MISMATCH beside the doubt.
  const auto r = with_attachment(
      "Шарттың көшірмесі.docx",
      samples::make_docx("Ñîãëàñíî äîãîâîðó", {"Ñîãëàñíî äîãîâîðó çàéìà îòâåò÷èê îáÿçàí âåðíóòü "
                                               "ñóììó îñíîâíîãî äîëãà â òå÷åíèå òðèäöàòè äíåé "
                                               "ñî äíÿ ïîëó÷åíèÿ òðåáîâàíèÿ èñòöà."}));
  CHECK(codes_of(r) == Codes{"READABILITY_DOUBTFUL"});
  CHECK(r.outcome == Outcome::kReview);
}

namespace {
samples::PageSpec real(const std::string& name) {
  for (const auto& s : samples::real_world_set())
    if (s.name == name) return s;
  FAIL("no real-world page " << name);
  return {};
}
}  // namespace

TEST_CASE("text OCR cannot read on clean ink is READABILITY_DOUBTFUL, not UNREADABLE",
          "[readability]") {
  // A script the OCR has no model of: the ink is crisp, the words mean nothing to it.
  const auto r = with_claim_copy(samples::make_page_scan(real("georgian-text")));
  REQUIRE(codes_of(r) == Codes{"READABILITY_DOUBTFUL"});
  CHECK(r.outcome == Outcome::kReview);
  const auto& reading = r.sections.at("readability").at("Талап арыздың көшірмесі.jpeg").at(0);
  CHECK_THAT(reading.at("note").get<std::string>(), Catch::Contains("OCR cannot read"));
  // A blurred page is damaged ink: still UNREADABLE, and says why.
  const auto blurred = with_claim_copy(samples::make_page_scan(page("blur-5-200")));
  REQUIRE(codes_of(blurred) == Codes{"UNREADABLE"});
  CHECK_THAT(findings_with(blurred, "UNREADABLE")[0].finding.detail.at("note").get<std::string>(),
             Catch::Contains("blurred") || Catch::Contains("faint"));
}

TEST_CASE("an unreadable page outside the OCR sample is read, not judged by its ink alone",
          "[readability]") {
  // Six scanned pages; the sample reads the first, a middle and the last — page 2 is
  // blurred and read because its ink looks damaged.
  std::vector<std::string> jpegs;
  for (int i = 1; i <= 6; ++i) {
    auto spec = page("clean-ru-200-serif-14");
    if (i == 2) spec = page("blur-5-200");
    jpegs.push_back(samples::make_page_scan(spec));
  }
  const auto sample = readability::ocr_sample(6, 1, 1, 1);
  REQUIRE_FALSE(std::binary_search(sample.begin(), sample.end(), 2));
  TempDir t;
  BundleBuilder b;
  b.replace_attachment("Талап арыздың көшірмесі.pdf", "Талап арыздың көшірмесі",
                       samples::make_pdf_of_scans(jpegs, 200, 1654, 2339));
  const auto r = run_pipeline(b.write(t.path()));
  REQUIRE(codes_of(r) == Codes{"UNREADABLE"});
  const auto f = findings_with(r, "UNREADABLE")[0];
  CHECK(f.finding.page == 2u);
  CHECK(f.finding.detail.at("pages") == nlohmann::json{2});
}

TEST_CASE("EXIF orientation and light-on-dark pages are read upright", "[readability]") {
  const auto sideways = samples::make_page_scan(real("photo-exif-6-ru"));
  const auto facts = analysis::analyze(sideways, "jpeg");
  REQUIRE(facts.page_facts.size() == 1);
  CHECK(facts.page_facts[0].orientation == 6);
  CHECK(facts.page_facts[0].height_mm > facts.page_facts[0].width_mm);  // portrait as displayed
  std::string failure;
  const auto pages = readability::read_document(sideways, facts, rr(), &failure);
  CHECK(pages.at(0).verdict == readability::Verdict::kReadable);
  CHECK(pages.at(0).rotated == 0);  // the EXIF said how; no PAGE_ROTATED
  const auto negative = samples::make_page_scan(real("inverted-ru"));
  const auto inv =
      readability::read_document(negative, analysis::analyze(negative, "jpeg"), rr(), &failure);
  CHECK(inv.at(0).verdict == readability::Verdict::kReadable);
  CHECK(inv.at(0).inverted);
}

TEST_CASE("DOCUMENT_BLANK and BLANK_PAGE", "[readability]") {
  SECTION("a blank scan with dust on it") {
    const auto r =
        with_attachment("Шарттың көшірмесі.jpeg", samples::make_page_scan(page("blank-noise-200")));
    CHECK(codes_of(r) == Codes{"DOCUMENT_BLANK"});
    CHECK(r.outcome == Outcome::kRejected);
  }
  SECTION("a PDF of empty pages") {
    const auto r = with_attachment("Шарттың көшірмесі.pdf", samples::make_pdf_pages({{}, {}}));
    CHECK(codes_of(r) == Codes{"DOCUMENT_BLANK"});
  }
  SECTION("a blank page inside a document is only noted") {
    auto pages = kContract;
    pages.push_back({});
    pages.push_back(kContract[0]);
    const auto r = with_attachment("Шарттың көшірмесі.pdf", samples::make_pdf_pages(pages));
    REQUIRE(codes_of(r) == Codes{"BLANK_PAGE"});
    const auto f = findings_with(r, "BLANK_PAGE")[0];
    CHECK(f.finding.page == 2u);
    CHECK(f.finding.detail.at("pages") == nlohmann::json::array({2}));
    CHECK(r.outcome == Outcome::kRegistered);
  }
  SECTION("an empty Word document") {
    const auto r = with_attachment("Шарттың көшірмесі.docx", samples::make_docx("", {}));
    CHECK(codes_of(r) == Codes{"DOCUMENT_BLANK"});
  }
}

TEST_CASE("PAGE_ROTATED: an upside-down page is read turned and noted", "[readability]") {
  auto spec = page("clean-kk-200-serif-14");
  spec.turned = 180;
  const auto r = with_claim_copy(samples::make_page_scan(spec));
  REQUIRE(codes_of(r) == Codes{"PAGE_ROTATED"});
  CHECK(findings_with(r, "PAGE_ROTATED")[0].finding.detail.at("rotated") == 180);
  CHECK(r.outcome == Outcome::kRegistered);
}

TEST_CASE("a sideways page is turned before it is read", "[readability]") {
  const auto scan = samples::make_page_scan(page("turned-90-200"));
  const auto facts = analysis::analyze(scan, "jpeg");
  std::string failure;
  const auto pages = readability::read_document(scan, facts, rr(), &failure);
  REQUIRE(pages.size() == 1);
  CHECK(pages[0].verdict == readability::Verdict::kReadable);
  CHECK((pages[0].rotated == 90 || pages[0].rotated == 270));
}

TEST_CASE("TITLE_MISMATCH: the content is another document", "[readability]") {
  // Declared "Шарттың көшірмесі" (a contract), but the file is a power of attorney.
  const auto pdf = samples::make_pdf(
      "СЕНІМХАТ", {"Мен, Ахметов Арман, осы сенімхат арқылы Серіков Бауыржанға сотта менің "
                   "атымнан әрекет етуге өкілеттік беремін.",
                   "Сенімхат үш жыл мерзімге берілді."});
  const auto r = with_attachment("Шарттың көшірмесі.pdf", pdf);
  REQUIRE(codes_of(r) == Codes{"TITLE_MISMATCH"});
  const auto f = findings_with(r, "TITLE_MISMATCH")[0];
  CHECK(f.finding.detail.at("title") == "Шарттың көшірмесі");
  CHECK_THAT(f.finding.detail.at("begins_with").get<std::string>(), Catch::Contains("СЕНІМХАТ"));
  CHECK(r.outcome == Outcome::kReview);
  // The matching document passes.
  CHECK(codes_of(with_attachment("Шарттың көшірмесі.pdf", samples::make_pdf_pages(kContract)))
            .empty());
}

TEST_CASE("ink: blank pages, glyph marks, faint toner", "[readability]") {
  auto ink_of = [](const std::string& name) {
    const auto jpeg = samples::make_page_scan(page(name));
    return readability::measure_ink(readability::decode_jpeg(jpeg, 200, 100));
  };
  const auto blank = ink_of("blank-noise-200");
  CHECK(blank.marks <= rr().blank_max_marks);
  const auto text = ink_of("clean-kk-200-serif-14");
  CHECK(text.marks > 300);
  CHECK(text.coverage > 0.01);
  CHECK_FALSE(text.sideways);
  CHECK(ink_of("faint-toner-200").marks > 300);
  CHECK(ink_of("turned-90-200").sideways);
  // A page with little writing (a short letter, a receipt) is crisp, not faint: its ink level
  // is its strokes' cores, not their anti-aliased edges — so the pages of such a scan outside
  // the OCR sample are not all read for damage they do not have.
  const auto short_page = readability::decode_jpeg(
      samples::make_jpeg_scan("ХАТ", {"Іс бойынша сот отырысын кейінге қалдыруды сұраймын."}, 200),
      200, 200);
  const auto sparse_ink = readability::measure_ink(short_page);
  CHECK(sparse_ink.coverage < 0.01);
  CHECK(sparse_ink.contrast > 200);
  CHECK_FALSE(readability::ink_damaged(sparse_ink));
  // … while a blurred page stays faint.
  CHECK(readability::measure_ink(
            readability::decode_jpeg(samples::make_page_scan(page("blur-5-200")), 200, 200))
            .contrast < 110);
}
