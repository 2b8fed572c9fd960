// Document analysis on generated fixtures: facts per format, and each document and scan code
// through the pipeline. Hostile inputs end in a finding within their limits.
#include <catch2/catch.hpp>

#include <cstdio>

#include <tiffio.h>

#include "analysis/DocumentAnalysis.hpp"
#include "document/TextFormatStage.hpp"
#include "generator/Calibration.hpp"
#include "generator/Documents.hpp"
#include "support/TestBundle.hpp"

using namespace sot;
using namespace sot::test;
using analysis::AnalysisFacts;
using Codes = std::set<std::string>;
namespace fs = std::filesystem;

namespace {

// The bundle's attachment replaced by `content` named `name`; the codes it gets.
PipelineResult with_attachment(const std::string& name, const std::string& content) {
  TempDir t;
  BundleBuilder b;
  b.documents[1].file = name;
  b.documents[1].content = content;
  return run_pipeline(b.write(t.path()));
}

const analysis::PageFacts& page1(const AnalysisFacts& f) {
  REQUIRE_FALSE(f.page_facts.empty());
  return f.page_facts[0];
}

}  // namespace

TEST_CASE("a text PDF: pages, size, text layer, not a scan", "[analysis]") {
  const auto f = analysis::analyze(sample_pdf(), "pdf");
  REQUIRE(f.analysed);
  CHECK_FALSE(f.corrupt);
  CHECK(f.pages == 1);
  const auto& p = page1(f);
  CHECK(std::abs(p.width_mm - 210) < 1);
  CHECK(std::abs(p.height_mm - 297) < 1);
  CHECK_FALSE(p.is_scan);
  CHECK(p.visible_text_chars > 20);
  CHECK_THAT(p.text, Catch::Contains("ТАЛАП"));
}

TEST_CASE("scanned PDFs: effective resolution and colour mode from the placement", "[analysis]") {
  for (const char* mode : {"bilevel", "gray", "color"}) {
    for (int dpi : {100, 150, 200, 300, 400}) {
      INFO(mode << " " << dpi);
      const auto pdf = samples::make_scanned_pdf(dpi, mode, 1, 148, 210);  // A5
      const auto f = analysis::analyze(pdf, "pdf");
      const auto& p = page1(f);
      REQUIRE(p.is_scan);
      REQUIRE(p.dpi);
      CHECK(std::abs(*p.dpi - dpi) < 1.5);
      CHECK(p.color_mode == std::string(mode));
      const auto codes = codes_of(with_attachment("Шарт.pdf", pdf));
      if (dpi < 200) {
        CHECK(codes == Codes{"SCAN_RESOLUTION_LOW"});
      } else if (dpi > 300) {
        CHECK(codes == Codes{"SCAN_RESOLUTION_HIGH"});
      } else {
        CHECK(codes.empty());
      }
    }
  }
}

TEST_CASE("SCAN_RESOLUTION_LOW names the page and the resolution", "[analysis]") {
  // 96 ppi placed on A5 sheets: a declared resolution; the pages still read clearly, so a
  // clerk confirms (spec: review instead of reject).
  const auto r = with_attachment("Шарт.pdf", samples::make_scanned_pdf(96, "gray", 2, 148, 210));
  REQUIRE(codes_of(r) == Codes{"SCAN_RESOLUTION_LOW"});
  const auto f = findings_with(r, "SCAN_RESOLUTION_LOW");
  CHECK(f[0].finding.page == 1u);
  CHECK(f[0].finding.detail["dpi"] == 96);
  CHECK(f[0].finding.detail["resolution_source"] == "declared");
  CHECK(f[0].finding.detail["pages"] == nlohmann::json{1, 2});
  CHECK(f[0].finding.detail["readable_pages"] == nlohmann::json{1, 2});
  CHECK(f[0].severity == Severity::kReview);
  CHECK(r.outcome == Outcome::kReview);
}

TEST_CASE("SCAN_RESOLUTION_LOW on a known resolution that does not read rejects, with UNREADABLE",
          "[analysis]") {
  samples::PageSpec blurred;
  blurred.name = "blur-5-150";
  blurred.dpi = 150;
  blurred.blur_px = 4;
  const auto jpeg = samples::make_page_scan(blurred);
  const auto pdf = samples::make_pdf_of_scans({jpeg}, 150, 1240, 1754);
  const auto r = with_attachment("Шарт.pdf", pdf);
  REQUIRE(codes_of(r) == Codes{"SCAN_RESOLUTION_LOW", "UNREADABLE"});
  CHECK(findings_with(r, "SCAN_RESOLUTION_LOW")[0].severity == Severity::kReject);
  const auto u = findings_with(r, "UNREADABLE")[0].finding.detail;
  CHECK(u.at("dpi") == 150);  // the low resolution as evidence
  CHECK(r.outcome == Outcome::kRejected);
}

TEST_CASE("a guessed resolution never rejects: 72 dpi defaults and no density", "[analysis]") {
  for (const char* density : {"72", "none"}) {
    INFO(density);
    samples::PageSpec photo;
    photo.name = std::string("messenger-") + density;
    photo.dpi = 300;
    photo.font_pt = 13;
    photo.phone = 150;
    photo.long_side_px = 1280;
    photo.density = density;
    photo.camera = std::string(density) == "72";
    const auto jpeg = samples::make_page_scan(photo);
    const auto a = analysis::analyze(jpeg, "jpeg");
    const auto& p = page1(a);
    CHECK(p.resolution_source == (std::string(density) == "72" ? "default" : "inferred"));
    CHECK(p.assumed_sheet == "A4");  // a 4:3-ish frame is an A4 page, not US Letter
    CHECK(p.photo == photo.camera);  // EXIF camera; an A4-shaped frame alone is no photo
    // The page is a claim's text: attached as the claim's copy.
    TempDir t;
    BundleBuilder b;
    b.replace_attachment("Талап арыздың көшірмесі.jpeg", "Талап арыздың көшірмесі", jpeg);
    const auto r = run_pipeline(b.write(t.path()));
    REQUIRE(codes_of(r) == Codes{"SCAN_RESOLUTION_LOW"});  // never SCAN_SCALE
    const auto f = findings_with(r, "SCAN_RESOLUTION_LOW")[0];
    CHECK(f.severity == Severity::kInfo);
    CHECK(f.finding.detail.at("estimate") == true);
    CHECK(r.outcome == Outcome::kRegistered);
  }
}

TEST_CASE("SCAN_COLOR: a colour scan of a page with no colour", "[analysis]") {
  const auto gray_content = samples::make_scanned_pdf(200, "color-of-gray", 1, 148, 210);
  const auto f = analysis::analyze(gray_content, "pdf");
  CHECK(page1(f).color_mode == "color");
  CHECK(page1(f).color_content == false);
  CHECK(codes_of(with_attachment("Шарт.pdf", gray_content)) == Codes{"SCAN_COLOR"});
  // A red stamp is colour content.
  CHECK(page1(analysis::analyze(samples::make_scanned_pdf(200, "color", 1, 148, 210), "pdf"))
            .color_content == true);
}

TEST_CASE("SCAN_SCALE: not a standard sheet at 1:1", "[analysis]") {
  CHECK(codes_of(with_attachment("Шарт.pdf", samples::make_scanned_pdf(300, "gray", 1, 100, 70))) ==
        Codes{"SCAN_SCALE"});
  // 1000×700 px at 300 dpi is 85×59 mm.
  const auto r = with_attachment("Шарт.jpeg", samples::make_jpeg(1000, 700, 300, "jfif"));
  REQUIRE(codes_of(r) == Codes{"SCAN_SCALE"});
  CHECK(findings_with(r, "SCAN_SCALE")[0].finding.detail["width_mm"] == 85);
}

TEST_CASE("JPEG density from JFIF, from EXIF, or inferred from a standard sheet", "[analysis]") {
  const auto jfif = analysis::analyze(samples::make_jpeg(1240, 1754, 150, "jfif"), "jpeg");
  CHECK(page1(jfif).density_source == "jfif");
  CHECK(std::abs(*page1(jfif).dpi - 150) < 0.5);
  const auto exif = analysis::analyze(samples::make_jpeg(1240, 1754, 150, "exif"), "jpeg");
  CHECK(page1(exif).density_source == "exif");
  CHECK(std::abs(*page1(exif).dpi - 150) < 0.5);
  const auto none = analysis::analyze(samples::make_jpeg(1240, 1754, 150, "none"), "jpeg");
  CHECK(page1(none).density_source == "inferred");
  CHECK(page1(none).assumed_sheet == "A4");
  CHECK(std::abs(*page1(none).dpi - 150) < 1);
  // …and through the pipeline the inferred density is said in detail.
  const auto r = with_attachment("Шарт.jpeg", samples::make_jpeg(1240, 1754, 150, "none"));
  REQUIRE(codes_of(r) == Codes{"SCAN_RESOLUTION_LOW"});
  CHECK(findings_with(r, "SCAN_RESOLUTION_LOW")[0].finding.detail["assumed_sheet"] == "A4");
  CHECK(page1(jfif).color_mode == "gray");
  const auto colour = analysis::analyze(samples::make_jpeg(600, 848, 72, "jfif", true), "jpeg");
  CHECK(page1(colour).color_mode == "color");
}

TEST_CASE("truncated documents are FILE_CORRUPT", "[analysis]") {
  const std::string pdf = sample_pdf();
  const auto r1 = with_attachment("Шарт.pdf", pdf.substr(0, pdf.size() / 2));
  CHECK(codes_of(r1) == Codes{"FILE_CORRUPT"});
  CHECK_THAT(findings_with(r1, "FILE_CORRUPT")[0].finding.detail["reason"].get<std::string>(),
             Catch::Contains("truncated"));
  const std::string jpeg = sample_jpeg();
  CHECK(codes_of(with_attachment("Шарт.jpeg", jpeg.substr(0, jpeg.size() * 2 / 3))) ==
        Codes{"FILE_CORRUPT"});
  CHECK(codes_of(with_attachment("Шарт.jpeg", jpeg.substr(0, 200))) == Codes{"FILE_CORRUPT"});
}

TEST_CASE("encrypted PDFs: a user password rejects, an owner password only is recorded",
          "[analysis]") {
  const auto user = samples::encrypt_pdf(sample_pdf(), true);
  CHECK(analysis::analyze(user, "pdf").encrypted);
  CHECK(codes_of(with_attachment("Шарт.pdf", user)) == Codes{"FILE_ENCRYPTED"});
  const auto owner = samples::encrypt_pdf(sample_contract_pdf(), false);
  const auto f = analysis::analyze(owner, "pdf");
  CHECK_FALSE(f.encrypted);
  CHECK(f.restricted);
  const auto r = with_attachment("Шарт.pdf", owner);
  CHECK(codes_of(r) == Codes{"FILE_RESTRICTED"});
  CHECK(r.outcome == Outcome::kRegistered);
}

TEST_CASE("ACTIVE_CONTENT in PDFs: JavaScript, Launch, embedded files", "[analysis]") {
  CHECK(codes_of(with_attachment("Шарт.pdf", samples::make_feature_pdf("plain"))).empty());
  for (auto [feature, kind] : {std::pair{"javascript", "javascript"},
                               {"launch", "launch"},
                               {"embedded", "embedded_file"}}) {
    INFO(feature);
    const auto r = with_attachment("Шарт.pdf", samples::make_feature_pdf(feature));
    REQUIRE(codes_of(r) == Codes{"ACTIVE_CONTENT"});
    CHECK(findings_with(r, "ACTIVE_CONTENT")[0].finding.detail["kind"] == kind);
  }
}

TEST_CASE("a PDF without pages is FILE_EMPTY", "[analysis]") {
  CHECK(codes_of(with_attachment("Шарт.pdf", samples::make_feature_pdf("no-pages"))) ==
        Codes{"FILE_EMPTY"});
}

namespace {
// A PDF whose page tree lists one page object `kids` times and declares `count` pages.
std::string shared_page_pdf(int kids, int count) {
  std::vector<std::string> objs = {"<< /Type /Catalog /Pages 2 0 R >>", "",
                                   "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>"};
  std::string k;
  for (int i = 0; i < kids; ++i) k += "3 0 R ";
  objs[1] = "<< /Type /Pages /Kids [" + k + "] /Count " + std::to_string(count) + " >>";
  std::string out = "%PDF-1.4\n";
  std::vector<size_t> offsets;
  for (size_t i = 0; i < objs.size(); ++i) {
    offsets.push_back(out.size());
    out += std::to_string(i + 1) + " 0 obj\n" + objs[i] + "\nendobj\n";
  }
  const size_t xref = out.size();
  out += "xref\n0 " + std::to_string(objs.size() + 1) + "\n0000000000 65535 f \n";
  for (size_t o : offsets) {
    char line[32];
    std::snprintf(line, sizeof line, "%010zu 00000 n \n", o);
    out += line;
  }
  out += "trailer\n<< /Size " + std::to_string(objs.size() + 1) + " /Root 1 0 R >>\nstartxref\n" +
         std::to_string(xref) + "\n%%EOF\n";
  return out;
}
}  // namespace

TEST_CASE("a page tree that declares pages none can read is never 'empty'", "[analysis]") {
  // 100,000 pages that are one shared page object: past the page limit, a clerk looks.
  const auto many = with_attachment("Шарт.pdf", shared_page_pdf(100000, 100000));
  REQUIRE(codes_of(many) == Codes{"PROCESSING_FAILED"});
  CHECK(
      findings_with(many, "PROCESSING_FAILED")[0].finding.detail["reason"].get<std::string>().find(
          "declares 100000 pages") != std::string::npos);
  // Declaring more pages than it has, within the limit: a damaged file.
  const auto damaged = with_attachment("Шарт.pdf", shared_page_pdf(1, 50));
  REQUIRE(codes_of(damaged) == Codes{"FILE_CORRUPT"});
}

TEST_CASE("OOXML: macros, zip bombs, text", "[analysis]") {
  const auto macro = analysis::analyze(samples::make_docx("Т", {"а"}, true), "docm");
  REQUIRE_FALSE(macro.active.empty());
  CHECK(macro.active[0].kind == "macro");
  const auto bomb = samples::make_docx_bomb(300u << 20);  // 300 MiB of one letter
  CHECK(bomb.size() < (2u << 20));
  const auto r = with_attachment("Шарт.docx", bomb);
  REQUIRE(codes_of(r) == Codes{"FILE_CORRUPT"});
  CHECK_THAT(findings_with(r, "FILE_CORRUPT")[0].finding.detail["reason"].get<std::string>(),
             Catch::Contains("zip bomb"));
  // The rules may send zip bombs to a clerk instead.
  {
    std::string rules = read_file(std::filesystem::path(SOT_SOURCE_DIR) / "rules/rules.toml");
    rules.replace(rules.find("zip_bomb = \"FILE_CORRUPT\""), 25,
                  "zip_bomb = \"PROCESSING_FAILED\"");
    TempDir t;
    write_file(t.path() / "rules.toml", rules);
    Config c = test_config();
    c.rules_file = t.path() / "rules.toml";
    BundleBuilder b;
    b.documents[1].file = "Шарт.docx";
    b.documents[1].content = bomb;
    const auto r2 = run_pipeline(b.write(t.path()), c);
    CHECK(codes_of(r2) == Codes{"PROCESSING_FAILED"});
    CHECK(r2.outcome == Outcome::kReview);
  }
  const auto text = analysis::analyze(samples::make_docx("ТАЛАП", {"мәтін"}), "docx");
  CHECK_THAT(text.text, Catch::Contains("мәтін"));
  const auto sheet = analysis::analyze(samples::make_xlsx({{"Күні", "Сомасы"}}), "xlsx");
  CHECK_THAT(sheet.text, Catch::Contains("Сомасы"));
}

TEST_CASE("OOXML: a remote template is active content, a local one is not", "[analysis]") {
  const auto remote = analysis::analyze(
      samples::make_docx_with_template("https://attacker.example/t.dotm"), "docx");
  REQUIRE(remote.active.size() == 1);
  CHECK(remote.active[0].kind == "external_link");
  CHECK(analysis::analyze(samples::make_docx_with_template("\\\\srv\\share\\t.dotm"), "docx")
            .active.size() == 1);
  CHECK(analysis::analyze(
            samples::make_docx_with_template("file:///C:/Users/arman/Templates/Арыз.dotx"), "docx")
            .active.empty());
}

TEST_CASE("DOC: text through the piece table", "[analysis]") {
  const auto f = analysis::analyze(samples::make_doc("Анықтама: мәтін ABC"), "doc");
  CHECK_FALSE(f.corrupt);
  CHECK(f.text == "Анықтама: мәтін ABC\n");
  CHECK(analysis::analyze(samples::make_doc("x", true), "doc").text.empty());  // encrypted
}

TEST_CASE("DOC: Word 6/95 text in the code page of its language", "[analysis]") {
  const std::string text = "Исковое заявление о взыскании задолженности";
  const auto plain = analysis::analyze(samples::make_doc95(text), "doc");
  CHECK_FALSE(plain.corrupt);
  CHECK(plain.notes["nFib"] == 104);
  CHECK(plain.notes["codepage"] == "windows-1251");
  CHECK(plain.text == text + "\n");
  // Fast-saved: the text through the piece table, pieces out of file order.
  const auto fast = analysis::analyze(samples::make_doc95(text, true), "doc");
  CHECK(fast.text == text + "\n");
  // A Western European document: CP1252.
  const auto de =
      analysis::analyze(samples::make_doc95("Klageschrift über 1000 €", false, 0x0407), "doc");
  CHECK(de.text == "Klageschrift über 1000 €\n");

  // Through the pipeline: read as text, so neither blank nor doubtful.
  CHECK(codes_of(with_attachment("Анықтама.doc", samples::make_doc95(text))).empty());
  // A version whose text is not read is a clerk's question, never "blank".
  const auto old = analysis::analyze(samples::make_doc95(text, false, 0x0419, 45), "doc");
  CHECK(old.notes.contains("text_unread"));
  CHECK(codes_of(with_attachment("Анықтама.doc", samples::make_doc95(text, false, 0x0419, 45))) ==
        Codes{"READABILITY_DOUBTFUL"});
}

TEST_CASE("DOC: the FIB's encryption flag and macro storages", "[analysis]") {
  CHECK(codes_of(with_attachment("Анықтама.doc", samples::make_doc("мәтін"))).empty());
  CHECK(codes_of(with_attachment("Анықтама.doc", samples::make_doc("мәтін", true))) ==
        Codes{"FILE_ENCRYPTED"});
  CHECK(codes_of(with_attachment("Анықтама.doc", samples::make_doc("мәтін", false, true))) ==
        Codes{"ACTIVE_CONTENT"});
}

TEST_CASE("TEXT_FORMAT: the main document not in Times New Roman 14", "[analysis]") {
  TempDir t;
  BundleBuilder b;
  b.documents[0].file = "Талап арыз.docx";
  SECTION("Times New Roman 14 from the document defaults") {
    b.documents[0].content = samples::make_docx_font("Times New Roman", 14);
    CHECK(codes_of(run_pipeline(b.write(t.path()))).empty());
  }
  SECTION("Arial 12") {
    b.documents[0].content = samples::make_docx_font("Arial", 12);
    const auto r = run_pipeline(b.write(t.path()));
    REQUIRE(codes_of(r) == Codes{"TEXT_FORMAT"});
    CHECK(findings_with(r, "TEXT_FORMAT")[0].finding.detail["font"] == "Arial");
    CHECK(findings_with(r, "TEXT_FORMAT")[0].severity == Severity::kInfo);
  }
}

TEST_CASE("TEXT_FORMAT: a text PDF's fonts and effective sizes", "[analysis]") {
  TempDir t;
  BundleBuilder b;
  b.documents[0].file = "Талап арыз.pdf";
  const std::vector<std::string> body = {
      "Жауапкерден 1 500 000 теңге негізгі қарызды өндіріп беруді сұраймын.",
      "Прошу взыскать с ответчика сумму основного долга по договору займа."};
  SECTION("Liberation Serif 14 (metric-compatible with Times New Roman)") {
    b.documents[0].content = samples::make_pdf_font("Liberation Serif", 14, "ТАЛАП АРЫЗ", body);
    const auto a = analysis::analyze(b.documents[0].content, "pdf");
    REQUIRE_FALSE(a.fonts.empty());
    CHECK(a.fonts[0].font == "LiberationSerif");  // subset tag dropped
    CHECK(a.fonts[0].size_pt == 14);
    CHECK(codes_of(run_pipeline(b.write(t.path()))).empty());
  }
  SECTION("DejaVu Sans 11") {
    b.documents[0].content = samples::make_pdf_font("DejaVu Sans", 11, "ТАЛАП АРЫЗ", body);
    const auto r = run_pipeline(b.write(t.path()));
    REQUIRE(codes_of(r) == Codes{"TEXT_FORMAT"});
    const auto d = findings_with(r, "TEXT_FORMAT")[0].finding.detail;
    CHECK(d["font"] == "DejaVuSans");
    CHECK(d["size_pt"] == 11);
    CHECK(d["in_format_share"] == 0);
  }
  SECTION("Liberation Serif 12: the right face at the wrong size") {
    b.documents[0].content = samples::make_pdf_font("Liberation Serif", 12, "ТАЛАП АРЫЗ", body);
    const auto r = run_pipeline(b.write(t.path()));
    REQUIRE(codes_of(r) == Codes{"TEXT_FORMAT"});
    CHECK(findings_with(r, "TEXT_FORMAT")[0].finding.detail["size_pt"] == 12);
  }
  SECTION("7 pt text drawn at twice the scale is 14 pt") {
    // The effective size comes through the CTM; a Times-Roman base font is Times.
    std::string text;
    for (int i = 0; i < 20; ++i)
      text += "BT /F1 7 Tf 36 " + std::to_string(380 - 10 * i) +
              " Td (Talapker zhauapkerden qaryzdy ondirip berudi suraidy) Tj ET ";
    const std::string content = "q 2 0 0 2 0 0 cm " + text + "Q";
    b.documents[0].content =
        "%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
        "2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n"
        "3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        "/Resources << /Font << /F1 5 0 R >> >> >> endobj\n"
        "4 0 obj << /Length " +
        std::to_string(content.size()) + " >> stream\n" + content +
        "\nendstream endobj\n"
        "5 0 obj << /Type /Font /Subtype /Type1 /BaseFont /Times-Roman >> endobj\n"
        "trailer << /Root 1 0 R >>\n%%EOF\n";
    const auto a = analysis::analyze(b.documents[0].content, "pdf");
    REQUIRE_FALSE(a.fonts.empty());
    CHECK(a.fonts[0].font == "Times-Roman");
    CHECK(a.fonts[0].size_pt == 14);
    CHECK(findings_with(run_pipeline(b.write(t.path())), "TEXT_FORMAT").empty());
  }
}

TEST_CASE("font families compare by face, not by spelling", "[analysis]") {
  using document::font_family_key;
  CHECK(font_family_key("Times New Roman") == "timesnewroman");
  CHECK(font_family_key("ABCDEF+TimesNewRomanPS-BoldMT") == "timesnewroman");
  CHECK(font_family_key("TimesNewRomanPSMT") == "timesnewroman");
  CHECK(font_family_key("TimesNewRoman,BoldItalic") == "timesnewroman");
  CHECK(font_family_key("Times-Roman") == "times");
  CHECK(font_family_key("QWERTY+LiberationSerif-Bold") == "liberationserif");
  CHECK(font_family_key("Tinos-Regular") == "tinos");
  CHECK(font_family_key("ArialMT") == "arial");
  CHECK(font_family_key("DejaVuSans") == "dejavusans");
}

TEST_CASE("TIFF: pages, resolution, photometric", "[analysis]") {
  TempDir t;
  const auto path = (t.path() / "scan.tif").string();
  TIFF* tif = TIFFOpen(path.c_str(), "w");
  REQUIRE(tif);
  for (int page = 0; page < 2; ++page) {
    TIFFSetField(tif, TIFFTAG_IMAGEWIDTH, 1240);
    TIFFSetField(tif, TIFFTAG_IMAGELENGTH, 1754);
    TIFFSetField(tif, TIFFTAG_BITSPERSAMPLE, 1);
    TIFFSetField(tif, TIFFTAG_SAMPLESPERPIXEL, 1);
    TIFFSetField(tif, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_MINISWHITE);
    TIFFSetField(tif, TIFFTAG_COMPRESSION, COMPRESSION_CCITTFAX4);
    TIFFSetField(tif, TIFFTAG_XRESOLUTION, 150.0f);
    TIFFSetField(tif, TIFFTAG_YRESOLUTION, 150.0f);
    TIFFSetField(tif, TIFFTAG_RESOLUTIONUNIT, RESUNIT_INCH);
    std::vector<unsigned char> row(155, 0);
    for (int y = 0; y < 1754; ++y) TIFFWriteScanline(tif, row.data(), static_cast<uint32_t>(y), 0);
    TIFFWriteDirectory(tif);
  }
  TIFFClose(tif);
  const auto f = analysis::analyze(read_file(path), "tiff");
  REQUIRE(f.pages == 2);
  CHECK(page1(f).color_mode == "bilevel");
  CHECK(std::abs(*page1(f).dpi - 150) < 0.5);
  CHECK(f.notes["compression"] == COMPRESSION_CCITTFAX4);
  CHECK(analysis::analyze("II*\0garbage", "tiff").corrupt);

  // In a bundle: the shipped whitelist refuses TIFF for that alone, without opening it; rules
  // that allow TIFF get its scan checked like any other.
  BundleBuilder b;
  b.documents[1].file = "Шарт.tif";
  b.documents[1].content = read_file(path);
  {
    TempDir bt;
    const auto r = run_pipeline(b.write(bt.path()));
    CHECK(codes_of(r) == Codes{"FORMAT_NOT_ALLOWED"});
    for (const auto& d : r.documents)
      if (d.file == "Шарт.tif") CHECK(!d.pages);
  }
  {
    std::string rules = read_file(std::filesystem::path(SOT_SOURCE_DIR) / "rules/rules.toml");
    const std::string shipped = "allowed = [\"pdf\", \"jpeg\", \"doc\", \"docx\", \"xlsx\"]";
    REQUIRE(rules.find(shipped) != std::string::npos);
    rules.replace(rules.find(shipped), shipped.size(),
                  "allowed = [\"pdf\", \"jpeg\", \"doc\", \"docx\", \"xlsx\", \"tiff\"]");
    TempDir rt;
    write_file(rt.path() / "rules.toml", rules);
    Config c = test_config();
    c.rules_file = rt.path() / "rules.toml";
    const auto r = run_pipeline(b.write(rt.path()), c);
    CHECK(findings_with(r, "FORMAT_NOT_ALLOWED").empty());
    REQUIRE(findings_with(r, "SCAN_RESOLUTION_LOW").size() == 1);
    CHECK(findings_with(r, "SCAN_RESOLUTION_LOW")[0].finding.file == "Шарт.tif");
  }
}

TEST_CASE("hostile documents end in a finding within their limits", "[analysis][hostile]") {
  SECTION("a JPEG header claiming 65500×65500 pixels") {
    std::string jpeg = samples::make_jpeg(64, 64, 200, "jfif");
    // SOF0 height and width follow FFC0 LL LL PP.
    const auto sof = jpeg.find("\xFF\xC0");
    REQUIRE(sof != std::string::npos);
    jpeg[sof + 5] = jpeg[sof + 7] = static_cast<char>(0xFF);
    jpeg[sof + 6] = jpeg[sof + 8] = static_cast<char>(0xDC);
    const auto f = analysis::analyze(jpeg, "jpeg");
    REQUIRE(f.limit);
    CHECK_THAT(*f.limit, Catch::Contains("65500"));
    CHECK(codes_of(with_attachment("Шарт.jpeg", jpeg)) == Codes{"PROCESSING_FAILED"});
  }
  SECTION("a PDF nested 30,000 arrays deep") {
    const auto r = with_attachment("Шарт.pdf", samples::make_feature_pdf("deep"));
    CHECK(codes_of(r) == Codes{"FILE_CORRUPT"});
  }
  SECTION("a PDF claiming 100,000 pages") {
    const auto r = with_attachment("Шарт.pdf", samples::make_many_pages_pdf(100000));
    REQUIRE(codes_of(r) == Codes{"PROCESSING_FAILED"});  // a clerk looks; never a rejection
    CHECK_THAT(findings_with(r, "PROCESSING_FAILED")[0].finding.detail["reason"].get<std::string>(),
               Catch::Contains("100000 pages"));
    CHECK(r.outcome == Outcome::kReview);
  }
}

TEST_CASE("hostile PDFs are stopped by limits before the work", "[analysis][hostile]") {
  // Each of these used to take a minute or more of decoding or font loading.
  struct Case {
    const char* feature;
    const char* code;
    const char* reason;
  };
  for (const Case c : {Case{"huge-image", "PROCESSING_FAILED", "100000 x 100000"},
                       Case{"many-fonts", "PROCESSING_FAILED", "5001 fonts"},
                       Case{"filter-chain", "PROCESSING_FAILED", "inflates"}}) {
    INFO(c.feature);
    const auto pdf = samples::make_feature_pdf(c.feature);
    CHECK(pdf.size() < (1u << 20));
    const auto started = std::chrono::steady_clock::now();
    const auto r = with_attachment("Шарт.pdf", pdf);
    const auto took = std::chrono::steady_clock::now() - started;
    INFO("took " << std::chrono::duration_cast<std::chrono::milliseconds>(took).count() << " ms");
    REQUIRE(codes_of(r) == Codes{c.code});
    CHECK_THAT(findings_with(r, c.code)[0].finding.detail["reason"].get<std::string>(),
               Catch::Contains(c.reason));
    CHECK(r.outcome == Outcome::kReview);
  }
}

TEST_CASE("facts survive a round trip through JSON (for worker processes)", "[analysis]") {
  const auto f = analysis::analyze(samples::make_scanned_pdf(150, "gray", 2, 148, 210), "pdf");
  const auto back = analysis::facts_from_json(analysis::to_json(f));
  CHECK(analysis::to_json(back) == analysis::to_json(f));
  CHECK(back.page_facts.size() == 2);
}
