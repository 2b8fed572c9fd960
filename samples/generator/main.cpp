// sot-samples: writes the sample bundles and what each is expected to give.
//
//   sot-samples OUT_DIR
// makes OUT_DIR/bundles/<id>/ (manifest.json, manifest.json.p7s, files/…),
// OUT_DIR/expected/<id>.json ({"outcome": …, "codes": [sorted distinct codes]}), the test PKI
// in OUT_DIR/pki/ and OUT_DIR/config.toml naming its trust anchors, intermediates and CRLs.
// Clean filings of the common kinds, and one bundle per defect, each made by changing a clean
// bundle the way a real filer, a broken upload or an attacker would. Documents and manifests
// are the same every run; keys and signatures are made fresh.
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <tuple>

#include "generator/Calibration.hpp"
#include "generator/DocumentKinds.hpp"
#include "generator/Documents.hpp"
#include "generator/TestPki.hpp"

namespace fs = std::filesystem;
using nlohmann::json;
using namespace sot::samples;

namespace {

std::string sha256_hex(const std::string& data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned len = 0;
  EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr);
  static const char* d = "0123456789abcdef";
  std::string out;
  for (unsigned i = 0; i < len; ++i) {
    out += d[md[i] >> 4];
    out += d[md[i] & 15];
  }
  return out;
}

void write_file(const fs::path& p, const std::string& data) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out.write(data.data(), static_cast<std::streamsize>(data.size()));
  if (!out) throw std::runtime_error("cannot write " + p.string());
}

struct Doc {
  std::string file;
  std::string title;
  std::string role;
  std::string content;
  bool sparse_padding = false;  // content followed by zeros up to `padded_size`
  std::uint64_t padded_size = 0;
};

struct Spec {
  std::string id;
  json manifest;
  std::vector<Doc> docs;
  std::string outcome;
  std::set<std::string> codes;
  std::function<void(const fs::path& dir, json& manifest)> before_manifest;  // edit files/manifest
  std::function<void(const fs::path& dir)> after;                            // break the bundle
  std::string signer = "individual";  // "" for an unsigned bundle
  SignOptions sign;
  bool sign_last = false;  // `after` breaks the manifest before it is signed (the filer signed it)
};

// Shared text bodies.
const std::vector<std::string> kClaimText = {
    "Талапкер: Ахметов Арман, ЖСН 900101300126, Астана қ.",
    "Жауапкер: «Мысал» ЖШС, БСН 050140000656.",
    "2024 жылғы 12 наурыздағы № 17 шарт бойынша жауапкер 1 500 000 теңге қарызды қайтармады. "
    "Жоғарыда баяндалғанды негізге ала отырып, жауапкерден 1 500 000 теңге өндіріп беруді "
    "сұраймын.",
    "Қосымша: шарттың көшірмесі; мемлекеттік баж түбіртегі."};

json base_manifest(const std::string& kind) {
  return {{"format", "sot-bundle/1"},
          {"submission_id", "197119107814937"},
          {"kind", kind},
          {"proceeding", "civil"},
          {"court", {{"region", "Астана"}, {"code", "7110"}}},
          {"case_number", nullptr},
          {"submitted_at", "2025-10-16T15:46:00+05:00"},
          {"filer",
           {{"kind", "individual"},
            {"iin", "900101300126"},
            {"bin", nullptr},
            {"name", "Ахметов Арман"}}},
          {"parties", json::array({{{"role", "plaintiff"},
                                    {"kind", "individual"},
                                    {"resident", true},
                                    {"name", "Ахметов Арман"},
                                    {"iin", "900101300126"}},
                                   {{"role", "defendant"},
                                    {"kind", "legal_entity"},
                                    {"resident", true},
                                    {"name", "ЖШС «Мысал»"},
                                    {"bin", "050140000656"}}})},
          {"payment", nullptr},
          {"appendix", json::array()},
          {"documents", json::array()},
          {"circumstances_established_on", nullptr}};
}

// A clean claim: application, contract copy, duty receipt.
Spec clean_claim(const std::string& id) {
  Spec s;
  s.id = id;
  s.manifest = base_manifest("claim");
  s.manifest["payment"] = {{"exempt", false},
                           {"exemption_basis", nullptr},
                           {"claim_amount", 1500000},
                           {"duty_amount", 45000},
                           {"receipt", "Мемлекеттік баж түбіртегі.pdf"},
                           {"online_payment_id", nullptr}};
  s.manifest["appendix"] = {"Шарттың көшірмесі", "Мемлекеттік баж түбіртегі"};
  s.docs = {{"Талап арыз.pdf", "Талап арыз", "main", make_pdf("ТАЛАП АРЫЗ", kClaimText)},
            {"Шарттың көшірмесі.pdf", "Шарттың көшірмесі", "attachment",
             make_pdf("ШАРТ № 17", {"Астана қ., 2024 жылғы 12 наурыз.",
                                    "Қарыз беруші 1 500 000 теңге береді, қарыз алушы оны 2024 "
                                    "жылғы 12 қыркүйекке дейін қайтаруға міндеттенеді."})},
            {"Мемлекеттік баж түбіртегі.pdf", "Мемлекеттік баж түбіртегі", "payment_receipt",
             make_pdf("ТҮБІРТЕК", {"Мемлекеттік баж: 45 000 теңге. Төлеуші: Ахметов Арман.",
                                   "Квитанция об уплате государственной пошлины."})}};
  s.outcome = "registered";
  return s;
}

void write_bundle(const fs::path& out, Spec& s) {
  const fs::path dir = out / "bundles" / s.id;
  fs::remove_all(dir);
  fs::create_directories(dir / "files");
  json docs = json::array();
  for (const auto& d : s.docs) {
    const fs::path p = dir / "files" / d.file;
    write_file(p, d.content);
    std::string hashed = d.content;
    if (d.sparse_padding) {
      // Sparse: cheap on disk, real bytes to every reader. The PDF still ends with %%EOF
      // (readers rebuild its cross-reference table), so only its size is wrong.
      const std::string tail = "\n%%EOF\n";
      if (::truncate(p.c_str(), static_cast<off_t>(d.padded_size - tail.size())) != 0)
        throw std::runtime_error("truncate " + p.string());
      std::ofstream(p, std::ios::app | std::ios::binary) << tail;
      hashed.resize(d.padded_size - tail.size(), '\0');
      hashed += tail;
    }
    docs.push_back({{"file", d.file},
                    {"title", d.title},
                    {"role", d.role},
                    {"sha256", sha256_hex(hashed)},
                    {"bytes", hashed.size()}});
  }
  s.manifest["documents"] = docs;
  // Every filing has its own portal number (the status view looks bundles up by it).
  if (s.manifest.value("submission_id", json()) == json("197119107814937")) {
    std::uint64_t h = 1469598103934665603ull;
    for (unsigned char c : s.id) h = (h ^ c) * 1099511628211ull;
    s.manifest["submission_id"] = "1971" + std::to_string(10000000000ull + h % 90000000000ull);
  }
  if (s.before_manifest) s.before_manifest(dir, s.manifest);
  const std::string manifest = s.manifest.dump(2) + "\n";
  write_file(dir / "manifest.json", manifest);
  auto sign = [&] {
    if (s.signer.empty()) return;
    std::string signed_bytes = manifest;
    if (fs::is_regular_file(dir / "manifest.json")) {
      std::ifstream in(dir / "manifest.json", std::ios::binary);
      signed_bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    write_file(dir / "manifest.json.p7s", TestPki::shared().sign(s.signer, signed_bytes, s.sign));
  };
  if (s.sign_last) {
    if (s.after) s.after(dir);
    sign();
  } else {
    sign();
    if (s.after) s.after(dir);
  }
  fs::create_directories(out / "expected");
  json expected = {{"outcome", s.outcome}, {"codes", s.codes}};
  write_file(out / "expected" / (s.id + ".json"), expected.dump(2) + "\n");
}

std::vector<Spec> all_specs() {
  std::vector<Spec> v;
  auto add = [&](Spec s) { v.push_back(std::move(s)); };

  // ---- clean filings ------------------------------------------------------------------
  add(clean_claim("clean-claim-individual"));
  {
    Spec s = clean_claim("clean-claim-legal-entity");
    s.signer = "legal-head";
    s.manifest["filer"] = {{"kind", "legal_entity"},
                           {"iin", "880515300091"},
                           {"bin", "050140000656"},
                           {"name", "ЖШС «Мысал» директоры Серікова Айгүл"}};
    s.manifest["payment"]["receipt"] = nullptr;
    s.manifest["payment"]["online_payment_id"] = "EGOV-2025-10-16-000123";
    s.manifest["appendix"] = {"Есеп айырысу кестесі", "Сенімхат"};
    s.docs = {{"Талап арыз.docx", "Талап арыз", "main", make_docx("ТАЛАП АРЫЗ", kClaimText)},
              {"Есеп айырысу кестесі.xlsx", "Есеп айырысу кестесі", "attachment",
               make_xlsx({{"Күні", "Сомасы"}, {"2024-09-12", "1500000"}})},
              {"Сенімхат.pdf", "Сенімхат", "power_of_attorney",
               make_pdf("СЕНІМХАТ", {"«Мысал» ЖШС атынан сотта өкілдік етуге сенім білдіремін."})}};
    add(s);
  }
  {
    Spec s = clean_claim("clean-appeal-exempt");
    s.manifest["kind"] = "appeal";
    s.manifest["case_number"] = "7110-25-00-2/1234";
    s.manifest["payment"] = {
        {"exempt", true},
        {"exemption_basis", "Салық кодексінің 541-бабы 1-тармағының 1) тармақшасы"},
        {"claim_amount", nullptr},
        {"duty_amount", nullptr},
        {"receipt", nullptr},
        {"online_payment_id", nullptr}};
    s.manifest["appendix"] = {"Сот шешімінің көшірмесі"};
    s.docs = {
        {"Апелляциялық шағым.pdf", "Апелляциялық шағым", "main",
         make_pdf("АПЕЛЛЯЦИЯЛЫҚ ШАҒЫМ", {"Астана қаласы соты шешімінің күшін жоюды сұраймын."})},
        {"Сот шешімінің көшірмесі.jpg", "Сот шешімінің көшірмесі", "attachment",
         make_jpeg_scan(
             "ШЕШІМ", {"Қазақстан Республикасының атынан", "Сот шешті: талап қанағаттандырылсын."},
             200)}};
    add(s);
  }
  {
    Spec s;
    s.id = "clean-new-circumstances";
    s.manifest = base_manifest("new_circumstances");
    s.manifest["case_number"] = "7110-24-00-2/555";
    s.manifest["circumstances_established_on"] = "2025-09-01";
    s.manifest["appendix"] = {"Анықтама"};
    s.docs = {
        {"Жаңа мән-жайлар бойынша қайта қарау туралы арыз.pdf",
         "Жаңа мән-жайлар бойынша қайта қарау туралы арыз", "main",
         make_pdf("АРЫЗ",
                  {"Сот актісін жаңадан ашылған мән-жайлар бойынша қайта қарауды сұраймын."})},
        {"Анықтама.doc", "Анықтама", "attachment", make_doc("Анықтама")}};
    s.outcome = "registered";
    add(s);
  }
  {
    Spec s;
    s.id = "clean-letter";
    s.manifest = base_manifest("letter");
    s.docs = {{"Сотқа хат.pdf", "Сотқа хат", "main",
               make_pdf("ХАТ", {"Іс бойынша сот отырысын кейінге қалдыруды сұраймын."})}};
    s.outcome = "registered";
    add(s);
  }
  {
    Spec s;
    s.id = "clean-private-complaint-ru";
    s.manifest = base_manifest("private_complaint");
    s.manifest["appendix"] = {"Копия определения суда"};
    s.docs = {
        {"Частная жалоба.pdf", "Частная жалоба", "main",
         make_pdf("ЧАСТНАЯ ЖАЛОБА", {"Прошу отменить определение суда от 1 октября 2025 года."})},
        {"Копия определения суда.pdf", "«Копия определения суда»", "attachment",
         make_pdf("ОПРЕДЕЛЕНИЕ", {"Суд определил: возвратить исковое заявление."})}};
    s.outcome = "registered";
    add(s);
  }
  {
    Spec s;
    s.id = "clean-power-of-attorney";
    s.manifest = base_manifest("power_of_attorney");
    s.docs = {{"Сенімхат.pdf", "Сенімхат", "main",
               make_pdf("СЕНІМХАТ", {"Менің атымнан сотта өкілдік етуге сенім білдіремін."})}};
    s.outcome = "registered";
    add(s);
  }

  // ---- BUNDLE_MALFORMED ---------------------------------------------------------------
  auto malformed = [&](const std::string& id, std::function<void(const fs::path&, json&)> edit,
                       std::function<void(const fs::path&)> after = nullptr) {
    Spec s = clean_claim(id);
    s.before_manifest = std::move(edit);
    s.after = std::move(after);
    s.sign_last = true;
    s.outcome = "rejected";
    s.codes = {"BUNDLE_MALFORMED"};
    add(s);
  };
  malformed("malformed-truncated-json", nullptr, [](const fs::path& dir) {
    const auto p = dir / "manifest.json";
    fs::resize_file(p, fs::file_size(p) / 2);
  });
  malformed("malformed-no-manifest", nullptr,
            [](const fs::path& dir) { fs::remove(dir / "manifest.json"); });
  malformed("malformed-missing-submitted-at",
            [](const fs::path&, json& m) { m.erase("submitted_at"); });
  malformed("malformed-unknown-kind", [](const fs::path&, json& m) { m["kind"] = "lawsuit"; });
  malformed("malformed-bad-date",
            [](const fs::path&, json& m) { m["submitted_at"] = "16.10.2025 15:46"; });
  malformed("malformed-future-submitted-at",
            [](const fs::path&, json& m) { m["submitted_at"] = "2099-01-01T10:00:00+05:00"; });
  malformed("malformed-bad-sha256",
            [](const fs::path&, json& m) { m["documents"][1]["sha256"] = "abc123"; });
  malformed("malformed-bytes-not-number",
            [](const fs::path&, json& m) { m["documents"][0]["bytes"] = "48213"; });
  malformed("malformed-wrong-format-version",
            [](const fs::path&, json& m) { m["format"] = "sot-bundle/2"; });
  malformed(
      "malformed-path-traversal",
      [](const fs::path&, json& m) { m["documents"][1]["file"] = "../../etc/passwd"; }, nullptr);
  malformed("malformed-symlink-in-files", nullptr, [](const fs::path& dir) {
    const auto p = dir / "files" / "Шарттың көшірмесі.pdf";
    fs::remove(p);
    fs::create_symlink("/etc/passwd", p);
  });
  malformed("malformed-duplicate-key", nullptr, [](const fs::path& dir) {
    std::ifstream in(dir / "manifest.json");
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    text.insert(text.find('{') + 1, "\n  \"kind\": \"letter\",");
    write_file(dir / "manifest.json", text);
  });
  malformed("malformed-two-main-documents",
            [](const fs::path&, json& m) { m["documents"][1]["role"] = "main"; });

  // ---- integrity ----------------------------------------------------------------------
  {
    Spec s = clean_claim("file-missing");
    s.after = [](const fs::path& dir) { fs::remove(dir / "files" / "Шарттың көшірмесі.pdf"); };
    s.outcome = "rejected";
    s.codes = {"FILE_MISSING"};
    add(s);
  }
  {
    Spec s = clean_claim("file-unlisted");
    s.after = [](const fs::path& dir) {
      write_file(dir / "files" / "Қосымша құжат.pdf", make_pdf("ҚОСЫМША", {"Тізімде жоқ құжат."}));
    };
    s.outcome = "rejected";
    s.codes = {"FILE_UNLISTED"};
    add(s);
  }
  {
    Spec s = clean_claim("digest-mismatch-content");
    s.after = [](const fs::path& dir) {  // same size, one byte changed after signing
      const auto p = dir / "files" / "Шарттың көшірмесі.pdf";
      std::fstream f(p, std::ios::in | std::ios::out | std::ios::binary);
      f.seekp(20);
      f.put('X');
    };
    s.outcome = "rejected";
    // the changed byte breaks the page's content stream: nothing is drawn any more
    s.codes = {"DIGEST_MISMATCH", "DOCUMENT_BLANK"};
    add(s);
  }
  {
    Spec s = clean_claim("digest-mismatch-size");
    s.after = [](const fs::path& dir) {
      std::ofstream f(dir / "files" / "Шарттың көшірмесі.pdf", std::ios::app | std::ios::binary);
      f << "\n%appended after signing\n";
    };
    s.outcome = "rejected";
    s.codes = {"DIGEST_MISMATCH"};
    add(s);
  }
  {
    Spec s = clean_claim("duplicate-file");
    s.manifest["appendix"] = {"Шарттың көшірмесі", "Шарттың түпнұсқасы",
                              "Мемлекеттік баж түбіртегі"};
    Doc copy = s.docs[1];
    copy.file = "Шарттың түпнұсқасы.pdf";
    copy.title = "Шарттың түпнұсқасы";
    s.docs.push_back(copy);
    s.outcome = "review";
    s.codes = {"DUPLICATE_FILE"};
    add(s);
  }

  // ---- size ---------------------------------------------------------------------------
  {
    Spec s = clean_claim("file-empty");
    s.docs[1].content.clear();
    s.outcome = "rejected";
    s.codes = {"FILE_EMPTY"};
    add(s);
  }
  {
    Spec s = clean_claim("file-too-large");
    s.docs[1].sparse_padding = true;
    s.docs[1].padded_size = 21ull << 20;
    s.outcome = "rejected";
    s.codes = {"FILE_TOO_LARGE"};
    add(s);
  }
  {
    Spec s = clean_claim("bundle-too-large");
    s.manifest["appendix"] = json::array();
    s.docs.resize(1);
    for (int i = 1; i <= 6; ++i) {
      const std::string title = "Дәлел " + std::to_string(i);
      Doc d{title + ".pdf", title,      "attachment", make_pdf(title, {"Дәлелдеме."}),
            true,           18ull << 20};
      s.docs.push_back(d);
      s.manifest["appendix"].push_back(title);
    }
    s.manifest["payment"]["receipt"] = nullptr;
    s.manifest["payment"]["online_payment_id"] = "EGOV-2025-10-16-000777";
    s.outcome = "rejected";
    s.codes = {"BUNDLE_TOO_LARGE"};
    add(s);
  }

  // ---- format -------------------------------------------------------------------------
  auto with_attachment = [&](const std::string& id, const std::string& file,
                             const std::string& content, std::string outcome,
                             std::set<std::string> codes) {
    Spec s = clean_claim(id);
    s.docs[1].file = file;
    s.docs[1].content = content;
    s.outcome = std::move(outcome);
    s.codes = std::move(codes);
    add(s);
  };
  with_attachment("format-png-not-allowed", "Шарттың көшірмесі.png", make_png("Шарт № 17"),
                  "rejected", {"FORMAT_NOT_ALLOWED"});
  with_attachment("format-png-named-jpeg", "Шарттың көшірмесі.jpeg", make_png("Шарт № 17"),
                  "rejected", {"FORMAT_NOT_ALLOWED", "FORMAT_MISMATCH"});
  with_attachment("format-docx-named-pdf", "Шарттың көшірмесі.pdf",
                  make_docx("ШАРТ № 17", {"Шарт мәтіні."}), "rejected", {"FORMAT_MISMATCH"});
  with_attachment("format-docm-macros", "Шарттың көшірмесі.docm",
                  make_docx("ШАРТ № 17", {"Шарт мәтіні."}, true), "rejected",
                  {"FORMAT_NOT_ALLOWED", "ACTIVE_CONTENT"});
  with_attachment("format-exe-named-pdf", "Шарттың көшірмесі.pdf",
                  std::string("MZ\x90\0\3\0\0\0", 8) + std::string(0x3C - 8, '\0') +
                      std::string("\x80\0\0\0", 4) + std::string(0x80 - 0x40, '\0') +
                      std::string("PE\0\0", 4) + std::string(256, '\0'),
                  "rejected", {"FORMAT_NOT_ALLOWED", "FORMAT_MISMATCH"});
  with_attachment("format-docx-named-zip", "Шарттың көшірмесі.zip",
                  make_docx("ШАРТ № 17", {"Шарт мәтіні."}), "rejected", {"FORMAT_MISMATCH"});
  with_attachment("file-encrypted-docx", "Шарттың көшірмесі.docx", make_encrypted_ooxml(),
                  "rejected", {"FILE_ENCRYPTED"});
  with_attachment("clean-claim-jpeg-attachment", "Шарттың көшірмесі.jpeg",
                  make_jpeg_scan("ШАРТ", {"Шарт мәтіні."}, 200), "registered", {});

  // ---- document analysis --------------------------------------------------------------
  const std::string contract_pdf = make_pdf("ШАРТ № 17", {"Шарт мәтіні."});
  // Readability (pages from the calibration set, samples/generator/Calibration.cpp).
  // The calibration pages carry a claim's text: attached as the claim's copy (for the
  // defendant), so that the title names what the page is.
  auto with_claim_copy = [&](const std::string& id, const std::string& content, std::string outcome,
                             std::set<std::string> codes) {
    Spec s = clean_claim(id);
    s.docs[1] = {"Талап арыздың көшірмесі.jpeg", "Талап арыздың көшірмесі", "attachment", content};
    s.manifest["appendix"] = {"Талап арыздың көшірмесі", "Мемлекеттік баж түбіртегі"};
    s.outcome = std::move(outcome);
    s.codes = std::move(codes);
    add(s);
  };
  auto calibration_page = [](const std::string& name) {
    for (auto s : calibration_set())
      if (s.name == name) return s;
    throw std::runtime_error("no calibration page " + name);
  };
  with_claim_copy("unreadable-blurred-scan", make_page_scan(calibration_page("blur-5-200")),
                  "rejected", {"UNREADABLE"});
  with_claim_copy("unreadable-noise-scan", make_page_scan(calibration_page("noise-130-200")),
                  "rejected", {"UNREADABLE"});
  with_claim_copy("clean-scan-faint-toner", make_page_scan(calibration_page("faint-toner-200")),
                  "registered", {});
  with_claim_copy("document-blank-scan", make_page_scan(calibration_page("blank-noise-200")),
                  "rejected", {"DOCUMENT_BLANK"});
  with_attachment("document-blank-pdf", "Шарттың көшірмесі.pdf", make_pdf_pages({{}, {}}),
                  "rejected", {"DOCUMENT_BLANK"});
  {
    const std::pair<std::string, std::vector<std::string>> contract = {
        "ШАРТ № 17",
        {"Қарыз беруші қарыз алушыға 1 500 000 теңге береді, ал қарыз алушы оны бір жыл ішінде "
         "қайтарады.",
         "Тараптар осы шартты екі данада жасады, әрқайсысының заңды күші бірдей."}};
    with_attachment("blank-page-inside", "Шарттың көшірмесі.pdf",
                    make_pdf_pages({contract, {}, contract}), "registered", {"BLANK_PAGE"});
  }
  {
    // What the document is, not only which words it has: a claim (that speaks of a court
    // decision) filed as the copy of a decision; a Russian power of attorney under its Kazakh
    // title.
    auto kind_doc = [](const std::string& name) {
      for (const auto& k : kind_calibration_set())
        if (k.name == name) return k;
      throw std::runtime_error("no kind sample " + name);
    };
    auto titled = [&](const std::string& id, const std::string& title, const KindSample& k,
                      std::string outcome, std::set<std::string> codes) {
      Spec s = clean_claim(id);
      s.docs[1] = {title + ".pdf", title, "attachment", make_pdf(k.heading, k.paragraphs)};
      s.manifest["appendix"] = {title, "Мемлекеттік баж түбіртегі"};
      s.outcome = std::move(outcome);
      s.codes = std::move(codes);
      add(s);
    };
    auto claim = kind_doc("claim-kk-address-block");
    claim.paragraphs.push_back(
        "Сот шешімін заңды күшіне енгеннен кейін дереу орындауға жіберуді сұраймын.");
    titled("title-mismatch-claim-as-decision", "Сот шешімінің көшірмесі", claim, "review",
           {"TITLE_MISMATCH"});
    titled("title-mismatch-receipt-as-contract", "Договор займа", kind_doc("receipt-ru-copy"),
           "review", {"TITLE_MISMATCH"});
    titled("title-synonym-power-of-attorney", "Сенімхат", kind_doc("power_of_attorney-ru-heading"),
           "registered", {});
    titled("title-synonym-decision-copy", "Копия решения суда", kind_doc("decision-ru-copy"),
           "registered", {});
  }
  with_attachment("title-mismatch-power-of-attorney", "Шарттың көшірмесі.pdf",
                  make_pdf("СЕНІМХАТ", {"Мен, Ахметов Арман, осы сенімхат арқылы Серіков "
                                        "Бауыржанға сотта менің атымнан әрекет етуге өкілеттік "
                                        "беремін.",
                                        "Сенімхат үш жыл мерзімге берілді."}),
                  "review", {"TITLE_MISMATCH"});
  {
    auto turned = calibration_page("clean-kk-200-serif-14");
    turned.turned = 180;
    with_claim_copy("page-rotated-upside-down", make_page_scan(turned), "registered",
                    {"PAGE_ROTATED"});
  }
  {
    // Pages as they really arrive (the real-world calibration set): a guessed resolution
    // never rejects, EXIF orientation and light-on-dark are read upright, text the OCR has
    // no model of is a clerk's question.
    auto real = [](const std::string& name) {
      for (const auto& s : real_world_set())
        if (s.name == name) return s;
      throw std::runtime_error("no real-world page " + name);
    };
    with_claim_copy("photo-messenger-72dpi", make_page_scan(real("messenger-72dpi-kk")),
                    "registered", {"SCAN_RESOLUTION_LOW"});
    with_claim_copy("photo-no-density", make_page_scan(real("messenger-no-density-ru")),
                    "registered", {"SCAN_RESOLUTION_LOW"});
    with_claim_copy("photo-exif-rotated", make_page_scan(real("photo-exif-6-kk")), "registered",
                    {"SCAN_RESOLUTION_LOW"});
    with_claim_copy("scan-inverted", make_page_scan(real("inverted-kk")), "registered", {});
    with_claim_copy("handwriting-legible", make_page_scan(real("handwriting-ru")), "registered",
                    {});
    with_claim_copy("readability-doubtful-foreign-script", make_page_scan(real("georgian-text")),
                    "review", {"READABILITY_DOUBTFUL"});
    // An image-to-PDF export at 96 ppi: a 328 × 464 mm page that says nothing about paper.
    PageSpec page150 = real("export-96ppi-kk");
    page150.density = "jfif";
    {
      Spec s = clean_claim("scan-export-96ppi");
      s.docs[1] = {"Талап арыздың көшірмесі.pdf", "Талап арыздың көшірмесі", "attachment",
                   make_pdf_of_scans({make_page_scan(page150)}, 96, 1240, 1754)};
      s.manifest["appendix"] = {"Талап арыздың көшірмесі", "Мемлекеттік баж түбіртегі"};
      s.codes = {"SCAN_RESOLUTION_LOW"};
      add(s);
    }
    // Scans with an OCR text layer get the scan checks of their images: 150 dpi on A4.
    for (bool under : {false, true}) {
      Spec s = clean_claim(under ? "scan-text-under-image-150" : "scan-ocr-layer-150");
      s.docs[1] = {"Claim copy.pdf", "Claim copy", "attachment",
                   make_scan_with_text_layer(make_page_scan(page150), 1240, 1754, 150, under)};
      s.manifest["appendix"] = {"Claim copy", "Мемлекеттік баж түбіртегі"};
      s.outcome = "review";
      s.codes = {"SCAN_RESOLUTION_LOW"};
      add(s);
    }
  }
  // A known low resolution: review when the pages read clearly, reject when they do not.
  with_attachment("scan-resolution-low-readable", "Шарттың көшірмесі.pdf",
                  make_scanned_pdf(150, "gray", 2, 148, 210), "review", {"SCAN_RESOLUTION_LOW"});
  {
    // 150 dpi on A4 and not reading clearly (a script the OCR has no model of): the letter of
    // the rule, and the page for a clerk's eyes.
    PageSpec page;
    for (const auto& p : real_world_set())
      if (p.name == "georgian-text") page = p;
    page.dpi = 150;
    with_attachment("scan-resolution-low", "Шарттың көшірмесі.pdf",
                    make_pdf_of_scans({make_page_scan(page)}, 150, 1240, 1754), "rejected",
                    {"SCAN_RESOLUTION_LOW", "READABILITY_DOUBTFUL"});
  }
  with_attachment("scan-resolution-high", "Шарттың көшірмесі.pdf",
                  make_scanned_pdf(400, "bilevel", 1, 148, 210), "registered",
                  {"SCAN_RESOLUTION_HIGH"});
  with_attachment("clean-scan-bilevel-300", "Шарттың көшірмесі.pdf",
                  make_scanned_pdf(300, "bilevel", 1, 148, 210), "registered", {});
  with_attachment("clean-scan-color-stamp", "Шарттың көшірмесі.pdf",
                  make_scanned_pdf(200, "color", 1, 148, 210), "registered", {});
  with_attachment("scan-color-of-gray", "Шарттың көшірмесі.pdf",
                  make_scanned_pdf(200, "color-of-gray", 1, 148, 210), "registered",
                  {"SCAN_COLOR"});
  with_attachment("scan-scale-small-jpeg", "Шарттың көшірмесі.jpeg",
                  make_jpeg(1000, 700, 300, "jfif"), "review", {"SCAN_SCALE"});
  // No density: the resolution is an estimate (A4 assumed), info only; readability decides.
  with_attachment("scan-jpeg-no-density-low", "Шарттың көшірмесі.jpeg",
                  make_jpeg(1240, 1754, 150, "none"), "registered", {"SCAN_RESOLUTION_LOW"});
  with_attachment("clean-jpeg-exif-density", "Шарттың көшірмесі.jpeg",
                  make_jpeg(1654, 2339, 200, "exif"), "registered", {});
  with_attachment("file-corrupt-truncated-pdf", "Шарттың көшірмесі.pdf",
                  contract_pdf.substr(0, contract_pdf.size() / 2), "rejected", {"FILE_CORRUPT"});
  {
    const std::string jpeg = make_jpeg(1240, 1754, 150, "jfif");
    with_attachment("file-corrupt-truncated-jpeg", "Шарттың көшірмесі.jpeg",
                    jpeg.substr(0, jpeg.size() / 2), "rejected", {"FILE_CORRUPT"});
  }
  with_attachment("file-corrupt-zip-bomb", "Шарттың көшірмесі.docx", make_docx_bomb(300u << 20),
                  "rejected", {"FILE_CORRUPT"});
  {
    // An upload cut short: the right format, broken — never "zip is not allowed".
    const std::string docx = make_docx("ШАРТ № 17", {"Шарт мәтіні.", "Тараптар."});
    with_attachment("file-corrupt-truncated-docx", "Шарттың көшірмесі.docx",
                    docx.substr(0, docx.size() / 2), "rejected", {"FILE_CORRUPT"});
  }
  with_attachment("file-encrypted-pdf", "Шарттың көшірмесі.pdf", encrypt_pdf(contract_pdf, true),
                  "rejected", {"FILE_ENCRYPTED"});
  with_attachment("file-restricted-pdf", "Шарттың көшірмесі.pdf", encrypt_pdf(contract_pdf, false),
                  "registered", {"FILE_RESTRICTED"});
  with_attachment("file-encrypted-doc", "Шарттың көшірмесі.doc", make_doc("Шарт", true), "rejected",
                  {"FILE_ENCRYPTED"});
  with_attachment("active-content-pdf-javascript", "Шарттың көшірмесі.pdf",
                  make_feature_pdf("javascript"), "rejected", {"ACTIVE_CONTENT"});
  with_attachment("active-content-pdf-launch", "Шарттың көшірмесі.pdf", make_feature_pdf("launch"),
                  "rejected", {"ACTIVE_CONTENT"});
  with_attachment("active-content-pdf-embedded-file", "Шарттың көшірмесі.pdf",
                  make_feature_pdf("embedded"), "rejected", {"ACTIVE_CONTENT"});
  with_attachment("active-content-doc-macros", "Шарттың көшірмесі.doc",
                  make_doc("Шарт", false, true), "rejected", {"ACTIVE_CONTENT"});
  with_attachment(
      "readability-doubtful-docx-mojibake", "Шарттың көшірмесі.docx",
      make_docx("Ñîãëàñíî äîãîâîðó", {"Ñîãëàñíî äîãîâîðó çàéìà îòâåò÷èê îáÿçàí âåðíóòü ñóììó "
                                      "îñíîâíîãî äîëãà â òå÷åíèå òðèäöàòè äíåé."}),
      "review", {"READABILITY_DOUBTFUL"});
  with_attachment("file-empty-pdf-no-pages", "Шарттың көшірмесі.pdf", make_feature_pdf("no-pages"),
                  "rejected", {"FILE_EMPTY"});
  // Hostile PDFs: limits judged from the dictionaries stop them before any decoding.
  for (const char* feature : {"huge-image", "many-fonts", "filter-chain"})
    with_attachment(std::string("processing-failed-pdf-") + feature, "Шарттың көшірмесі.pdf",
                    make_feature_pdf(feature), "review", {"PROCESSING_FAILED"});
  {
    // A text PDF typeset in an 11 pt sans-serif: the same requirement as for DOCX.
    Spec s = clean_claim("text-format-pdf-sans-11");
    s.docs[0].content = make_pdf_font("DejaVu Sans", 11, "ТАЛАП АРЫЗ", kClaimText);
    s.codes = {"TEXT_FORMAT"};
    add(s);
  }
  {
    Spec s = clean_claim("text-format-not-times-14");
    s.docs[0] = {"Талап арыз.docx", "Талап арыз", "main", make_docx_font("Arial", 12)};
    s.outcome = "registered";
    s.codes = {"TEXT_FORMAT"};
    add(s);
  }

  // ---- attachments --------------------------------------------------------------------
  {
    Spec s = clean_claim("attachment-count-mismatch");
    s.manifest["appendix"] = {"Шарттың көшірмесі", "Мемлекеттік баж түбіртегі",
                              "Куәлердің жазбаша түсініктемесі"};
    s.outcome = "rejected";
    s.codes = {"ATTACHMENT_COUNT_MISMATCH"};
    add(s);
  }
  {
    Spec s = clean_claim("attachment-title-mismatch");
    s.manifest["appendix"] = {"Жалдау шартының көшірмесі", "Мемлекеттік баж түбіртегі"};
    s.outcome = "rejected";
    s.codes = {"ATTACHMENT_COUNT_MISMATCH"};
    add(s);
  }
  {
    Spec s = clean_claim("attachment-titles-tolerant");
    s.manifest["appendix"] = {"  «ШАРТТЫҢ   көшірмесі.» ", "мемлекеттік баж түбіртегі;"};
    s.outcome = "registered";
    add(s);
  }

  // ---- file names ---------------------------------------------------------------------
  {
    Spec s = clean_claim("file-name-not-descriptive");
    s.docs[1].file = "scan001.pdf";
    s.outcome = "review";
    s.codes = {"FILE_NAME_NOT_DESCRIPTIVE"};
    add(s);
  }
  {
    Spec s;
    s.id = "file-name-letter";  // the spec's default for every kind: a clerk looks
    s.manifest = base_manifest("letter");
    s.docs = {{"IMG_1234.jpg", "Сотқа хат", "main",
               make_jpeg_scan("ХАТ", {"Сот отырысын кейінге қалдыруды сұраймын."}, 200)}};
    s.outcome = "review";
    s.codes = {"FILE_NAME_NOT_DESCRIPTIVE"};
    add(s);
  }

  // ---- identity, payment, deadline ----------------------------------------------------
  {
    Spec s = clean_claim("filer-iin-invalid");
    s.manifest["filer"]["iin"] = "900101300127";
    s.outcome = "rejected";
    s.codes = {"FILER_ID_INVALID", "SIGNER_MISMATCH"};  // the certificate's IIN is ...126
    add(s);
  }
  {
    // The same wrong IIN in the filer's own certificate: the number is wrong, the signer is
    // still the filer — one reason.
    Spec s = clean_claim("filer-iin-invalid-own-certificate");
    s.manifest["filer"]["iin"] = "900101300127";
    s.signer = "bad-check-digit";
    s.outcome = "rejected";
    s.codes = {"FILER_ID_INVALID"};
    add(s);
  }
  {
    Spec s = clean_claim("filer-bin-invalid");
    s.manifest["filer"] = {{"kind", "legal_entity"},
                           {"iin", "880515300091"},
                           {"bin", "050140000657"},
                           {"name", "ЖШС «Мысал»"}};
    s.signer = "legal-head";
    s.outcome = "rejected";
    s.codes = {"FILER_ID_INVALID", "SIGNER_MISMATCH"};  // the certificate's BIN is ...656
    add(s);
  }
  {
    Spec s = clean_claim("payment-missing");
    s.manifest["payment"]["receipt"] = nullptr;
    s.manifest["appendix"] = {"Шарттың көшірмесі"};
    s.docs.pop_back();
    s.outcome = "rejected";
    s.codes = {"PAYMENT_MISSING"};
    add(s);
  }
  {
    Spec s = clean_claim("payment-exempt-without-basis");
    s.manifest["payment"] = {{"exempt", true},          {"exemption_basis", nullptr},
                             {"claim_amount", 1500000}, {"duty_amount", nullptr},
                             {"receipt", nullptr},      {"online_payment_id", nullptr}};
    s.manifest["appendix"] = {"Шарттың көшірмесі"};
    s.docs.pop_back();
    s.outcome = "rejected";
    s.codes = {"PAYMENT_MISSING"};
    add(s);
  }
  {
    Spec s = v[3];  // clean-new-circumstances, filed four months late
    s.id = "deadline-passed";
    s.manifest["circumstances_established_on"] = "2025-06-10";
    s.outcome = "review";
    s.codes = {"DEADLINE_PASSED"};
    add(s);
  }

  // ---- signature ----------------------------------------------------------------------
  auto signed_by = [&](const std::string& id, const std::string& signer, SignOptions o,
                       std::string outcome, std::set<std::string> codes,
                       std::function<void(const fs::path&)> after = nullptr) {
    Spec s = clean_claim(id);
    s.signer = signer;
    s.sign = o;
    s.after = std::move(after);
    s.outcome = std::move(outcome);
    s.codes = std::move(codes);
    add(s);
  };
  const SignOptions plain;
  auto with = [](std::function<void(SignOptions&)> f) {
    SignOptions o;
    f(o);
    return o;
  };
  // Encodings, algorithms and chains that must verify.
  signed_by("signature-pem-cms", "individual",
            with([](SignOptions& o) { o.encoding = SignatureEncoding::kPemCms; }), "registered",
            {});
  signed_by("signature-pem-pkcs7", "individual",
            with([](SignOptions& o) { o.encoding = SignatureEncoding::kPemPkcs7; }), "registered",
            {});
  signed_by("signature-base64", "individual",
            with([](SignOptions& o) { o.encoding = SignatureEncoding::kBase64; }), "registered",
            {});
  signed_by("signature-ecdsa-p256", "individual-ec", plain, "registered", {});
  signed_by("signature-rsa-pss", "individual", with([](SignOptions& o) { o.pss = true; }),
            "registered", {});
  signed_by("signature-intermediate-from-config", "individual",
            with([](SignOptions& o) { o.include_intermediate = false; }), "registered", {});
  signed_by("signature-revoked-after-filing", "revoked-later", plain, "registered", {});
  // Broken signature files.
  signed_by("signature-missing", "", plain, "rejected", {"SIGNATURE_MISSING"});
  signed_by("signature-empty", "individual", plain, "rejected", {"SIGNATURE_INVALID"},
            [](const fs::path& dir) { fs::resize_file(dir / "manifest.json.p7s", 0); });
  signed_by("signature-truncated", "individual", plain, "rejected", {"SIGNATURE_INVALID"},
            [](const fs::path& dir) {
              const auto p = dir / "manifest.json.p7s";
              fs::resize_file(p, fs::file_size(p) / 2);
            });
  signed_by("signature-not-cms", "individual", plain, "rejected", {"SIGNATURE_INVALID"},
            [](const fs::path& dir) {
              write_file(dir / "manifest.json.p7s", "this is not a signature\n");
            });
  signed_by("signature-certificate-instead", "individual", plain, "rejected", {"SIGNATURE_INVALID"},
            [](const fs::path& dir) {
              write_file(dir / "manifest.json.p7s",
                         TestPki::shared().certificate_der("individual"));
            });
  // Content that is not what was signed.
  signed_by("signature-manifest-edited", "individual", plain, "rejected", {"SIGNATURE_INVALID"},
            [](const fs::path& dir) {
              std::ifstream in(dir / "manifest.json");
              std::string text((std::istreambuf_iterator<char>(in)),
                               std::istreambuf_iterator<char>());
              text.replace(text.find("1500000"), 7, "9500000");
              write_file(dir / "manifest.json", text);
            });
  signed_by("signature-document-swapped", "individual", plain, "rejected", {"DIGEST_MISMATCH"},
            [](const fs::path& dir) {
              write_file(dir / "files" / "Шарттың көшірмесі.pdf",
                         make_pdf("ШАРТ № 18", {"Басқа шарт мәтіні."}));
            });
  signed_by("signature-copied-from-another-bundle", "individual", plain, "rejected",
            {"SIGNATURE_INVALID"}, [](const fs::path& dir) {
              write_file(dir / "manifest.json.p7s",
                         TestPki::shared().sign("individual", "{\"another\": \"manifest\"}\n"));
            });
  signed_by("signature-tampered-attributes", "individual", plain, "rejected", {"SIGNATURE_INVALID"},
            [](const fs::path& dir) {
              const auto p = dir / "manifest.json.p7s";
              std::ifstream in(p, std::ios::binary);
              std::string der((std::istreambuf_iterator<char>(in)),
                              std::istreambuf_iterator<char>());
              const auto at = der.find("251016104600Z");  // the signed signingTime
              if (at == std::string::npos) throw std::runtime_error("no signingTime to tamper");
              der[at + 5] = '7';  // 16 → 17 October
              write_file(p, der);
            });
  // Certificates.
  signed_by("signature-untrusted-root", "untrusted", plain, "rejected", {"CERT_UNTRUSTED"});
  signed_by("signature-untrusted-root-embedded", "untrusted",
            with([](SignOptions& o) { o.include_untrusted_root = true; }), "rejected",
            {"CERT_UNTRUSTED"});
  signed_by("signature-signed-after-expiry", "expired", plain, "rejected", {"CERT_EXPIRED"});
  signed_by("signature-not-yet-valid", "not-yet-valid", plain, "rejected", {"CERT_EXPIRED"});
  signed_by("signature-revoked", "revoked", plain, "rejected", {"CERT_REVOKED"});
  signed_by("signature-stale-crl", "stale-crl", plain, "review", {"REVOCATION_UNKNOWN"});
  signed_by("signature-auth-key", "auth-key", plain, "rejected", {"CERT_KEY_USAGE"});
  signed_by("signature-rsa-1024", "rsa1024", plain, "rejected", {"SIGNATURE_INVALID"});
  signed_by("signature-sha1", "individual", with([](SignOptions& o) { o.sha1 = true; }), "rejected",
            {"SIGNATURE_INVALID"});
  signed_by("signature-algorithm-unknown", "individual",
            with([](SignOptions& o) { o.unknown_algorithm_oids = true; }), "review",
            {"SIGNATURE_ALGORITHM_UNSUPPORTED"});
  // Signing times: the signature's own claim is held to the certificate and to submitted_at.
  signed_by("signature-signing-time-after-submission", "individual",
            with([](SignOptions& o) { o.signing_time = "251020090000Z"; }), "rejected",
            {"BUNDLE_MALFORMED"});
  signed_by("signature-signing-time-after-expiry", "expired",
            with([](SignOptions& o) { o.signing_time = "250915090000Z"; }), "rejected",
            {"CERT_EXPIRED"});

  // ---- GOST (NCA's GOST 34.10-2015 and 34.310-2004 keys) --------------------------------
  signed_by("signature-gost-individual", "gost-individual", plain, "registered", {});
  signed_by("signature-gost-2004", "gost-2004", plain, "registered", {});
  signed_by("signature-gost-base64", "gost-individual",
            with([](SignOptions& o) { o.encoding = SignatureEncoding::kBase64; }), "registered",
            {});
  signed_by("signature-gost-intermediate-from-config", "gost-individual",
            with([](SignOptions& o) { o.include_intermediate = false; }), "registered", {});
  signed_by("signature-gost-timestamped", "gost-individual",
            with([](SignOptions& o) { o.timestamp = "20251016104510Z"; }), "registered", {});
  // Expired by submitted_at, but the trusted timestamp proves it was signed in time.
  signed_by("signature-gost-timestamped-before-expiry", "gost-expired", with([](SignOptions& o) {
              o.signing_time = "250610090000Z";
              o.timestamp = "20250610090005Z";
            }),
            "registered", {});
  signed_by("signature-gost-manifest-edited", "gost-individual", plain, "rejected",
            {"SIGNATURE_INVALID"}, [](const fs::path& dir) {
              std::ifstream in(dir / "manifest.json");
              std::string text((std::istreambuf_iterator<char>(in)),
                               std::istreambuf_iterator<char>());
              text.replace(text.find("1500000"), 7, "9500000");
              write_file(dir / "manifest.json", text);
            });
  signed_by("signature-gost-tampered-attributes", "gost-individual", plain, "rejected",
            {"SIGNATURE_INVALID"}, [](const fs::path& dir) {
              const auto p = dir / "manifest.json.p7s";
              std::ifstream in(p, std::ios::binary);
              std::string der((std::istreambuf_iterator<char>(in)),
                              std::istreambuf_iterator<char>());
              const auto at = der.find("251016104600Z");
              if (at == std::string::npos) throw std::runtime_error("no signingTime to tamper");
              der[at + 5] = '5';  // 16 → 15 October
              write_file(p, der);
            });
  signed_by("signature-gost-wrong-key", "gost-wrong-key", plain, "rejected", {"SIGNATURE_INVALID"});
  signed_by("signature-gost-untrusted-root", "gost-untrusted",
            with([](SignOptions& o) { o.include_untrusted_root = true; }), "rejected",
            {"CERT_UNTRUSTED"});
  signed_by("signature-gost-signed-after-expiry", "gost-expired", plain, "rejected",
            {"CERT_EXPIRED"});
  signed_by("signature-gost-not-yet-valid", "gost-not-yet-valid", plain, "rejected",
            {"CERT_EXPIRED"});
  signed_by("signature-gost-revoked", "gost-revoked", plain, "rejected", {"CERT_REVOKED"});
  signed_by("signature-gost-revoked-in-delta-crl", "gost-revoked-delta", plain, "rejected",
            {"CERT_REVOKED"});
  signed_by("signature-gost-revoked-after-filing", "gost-revoked-later", plain, "registered", {});
  signed_by("signature-gost-auth-key", "gost-auth-key", plain, "rejected", {"CERT_KEY_USAGE"});
  signed_by("signature-gost-stale-crl", "gost-stale-crl", plain, "review", {"REVOCATION_UNKNOWN"});
  signed_by("signature-gost-signed-after-submission", "gost-individual",
            with([](SignOptions& o) { o.signing_time = "251020090000Z"; }), "rejected",
            {"BUNDLE_MALFORMED"});
  signed_by("signature-gost-other-person", "gost-other-person", plain, "rejected",
            {"SIGNER_MISMATCH"});
  // A key or a chain on a curve the checker does not implement: a clerk decides, never
  // "untrusted" or "invalid".
  signed_by("signature-gost-unknown-curve", "gost-unknown-curve", plain, "review",
            {"SIGNATURE_ALGORITHM_UNSUPPORTED"});
  signed_by("signature-gost-chain-unknown-curve", "gost-under-unknown-curve", plain, "review",
            {"SIGNATURE_ALGORITHM_UNSUPPORTED"});
  signed_by("signature-other-person", "other-person", plain, "rejected", {"SIGNER_MISMATCH"});
  {
    Spec s = v[1];  // clean-claim-legal-entity, signed by an employee without signing right
    s.id = "signature-employee-without-authority";
    s.signer = "legal-employee";
    s.outcome = "review";
    s.codes = {"SIGNER_AUTHORITY"};
    add(s);
  }
  for (auto [id, signer, outcome] :
       {std::tuple{"signature-gost-legal-head", "gost-legal-head", "registered"},
        {"signature-gost-legal-signing-right", "gost-legal-signright", "registered"},
        {"signature-gost-employee-without-authority", "gost-legal-employee", "review"}}) {
    Spec s = v[1];  // clean-claim-legal-entity
    s.id = id;
    s.signer = signer;
    s.outcome = outcome;
    s.codes = std::string(outcome) == "review" ? std::set<std::string>{"SIGNER_AUTHORITY"}
                                               : std::set<std::string>{};
    add(s);
  }

  // ---- authority to file (spec §5.1) ----------------------------------------------------
  // A citizen's representative: Серікова Айгүл files and signs for the plaintiff Ахметов.
  const auto by_representative = [&](const std::string& id, const std::string& capacity) {
    Spec s = clean_claim(id);
    s.signer = "other-person";
    s.manifest["filer"] = {{"kind", "individual"},     {"iin", "880515300091"}, {"bin", nullptr},
                           {"name", "Серікова Айгүл"}, {"capacity", capacity},  {"represents", {0}},
                           {"authority_ref", nullptr}};
    return s;
  };
  const std::string poa_pdf =
      make_pdf("СЕНІМХАТ", {"Мен, Ахметов Арман, ЖСН 900101300126, Серікова Айгүлге "
                            "сотта менің атымнан өкілдік етуге сенім білдіремін.",
                            "Сенімхат бір жыл мерзімге берілді."});
  {
    Spec s = by_representative("authority-representative-with-power-of-attorney", "representative");
    s.manifest["appendix"].push_back("Сенімхат");
    s.docs.push_back({"Сенімхат.pdf", "Сенімхат", "power_of_attorney", poa_pdf});
    s.outcome = "registered";
    add(s);
  }
  {
    Spec s = by_representative("authority-representative-electronic-power", "representative");
    s.manifest["filer"]["authority_ref"] = "EN-2025-0001234567";
    s.outcome = "registered";
    add(s);
  }
  {
    Spec s = by_representative("authority-missing-power-of-attorney", "representative");
    s.outcome = "rejected";
    s.codes = {"AUTHORITY_MISSING"};
    add(s);
  }
  {
    Spec s = by_representative("authority-advocate-with-warrant", "advocate");
    s.manifest["appendix"].push_back("Адвокаттың ордері");
    s.docs.push_back(
        {"Адвокаттың ордері.pdf", "Адвокаттың ордері", "advocate_warrant",
         make_pdf("АДВОКАТТЫҢ ОРДЕРІ", {"Астана қалалық адвокаттар алқасы. Адвокат Серікова "
                                        "Айгүл Ахметов Арманның сотта қорғаушысы ретінде "
                                        "тапсырманы орындайды."})});
    s.outcome = "registered";
    add(s);
  }
  {
    // An advocate's authority is a warrant: a power of attorney alone is not what §5.1 asks.
    Spec s = by_representative("authority-advocate-without-warrant", "advocate");
    s.manifest["appendix"].push_back("Сенімхат");
    s.docs.push_back({"Сенімхат.pdf", "Сенімхат", "power_of_attorney", poa_pdf});
    s.outcome = "rejected";
    s.codes = {"AUTHORITY_MISSING"};
    add(s);
  }
  {
    // A company's employee without the right to sign, acting under the company's power of
    // attorney: the document shows the authority, so no SIGNER_AUTHORITY.
    Spec s = v[1];  // clean-claim-legal-entity (it carries the power of attorney)
    s.id = "authority-employee-under-power-of-attorney";
    s.signer = "legal-employee";
    s.manifest["filer"]["capacity"] = "representative";
    s.manifest["filer"]["represents"] = {1};
    s.outcome = "registered";
    add(s);
  }
  {
    Spec s = v[1];
    s.id = "authority-employee-without-power-of-attorney";
    s.signer = "legal-employee";
    s.manifest["filer"]["capacity"] = "representative";
    s.manifest["filer"]["represents"] = {1};
    s.manifest["appendix"] = {"Есеп айырысу кестесі"};
    s.docs.pop_back();  // the power of attorney
    s.outcome = "rejected";
    s.codes = {"AUTHORITY_MISSING"};
    add(s);
  }
  {
    // A representative who names no party acted for: the manifest breaks §5.1's schema.
    Spec s = by_representative("authority-representative-names-no-party", "representative");
    s.manifest["filer"]["represents"] = json::array();
    s.manifest["filer"]["authority_ref"] = "EN-2025-0001234567";
    s.outcome = "rejected";
    s.codes = {"BUNDLE_MALFORMED"};
    add(s);
  }

  // ---- resubmission (spec §5.2) -------------------------------------------------------
  // Without a registry entry for the earlier filing (`check`, or a daemon that never saw it)
  // the link cannot be confirmed: a clerk looks. The cured case is an end-to-end test (it
  // needs the refused original decided first).
  {
    Spec s = clean_claim("resubmission-of-unknown-filing");
    s.manifest["submission_id"] = "197119107899001";
    s.manifest["resubmission_of"] = "197119100000000";
    s.outcome = "review";
    s.codes = {"RESUBMISSION_INVALID"};
    add(s);
  }
  return v;
}

// ---- a realistic mix (benchmarks) ----------------------------------------------------------
// About 40 % clean claims whose contract copy is a text PDF, a scanned PDF, a JPEG scan or a
// DOCX of 1 to 20 pages; the rest one defect each (an unsigned manifest, a file changed after
// signing, a format not allowed, an unreadable or a blank scan, a blank page inside, the duty
// receipt missing). Deterministic for a seed.
const std::vector<std::string> kContractBody = {
    "Астана қ., 2024 жылғы 12 наурыз. Біз, төменде қол қоюшылар, Қарыз беруші Ахметов Арман "
    "Серікұлы және Қарыз алушы «Мысал» ЖШС, осы шартты төмендегілер туралы жасастық.",
    "1. Қарыз беруші қарыз алушыға 1 500 000 (бір миллион бес жүз мың) теңге мөлшерінде ақша "
    "береді, ал қарыз алушы оны 2024 жылғы 12 қыркүйекке дейін қайтаруға міндеттенеді.",
    "2. Қарыз сомасы қарыз алушының банктегі шотына аударылады. Қарыз алушы сыйақы төлемейді.",
    "3. Қарыз уақтылы қайтарылмаған жағдайда қарыз алушы әр күн үшін 0,1 пайыз өсімпұл төлейді.",
    "4. Шарт бойынша туындаған даулар Қазақстан Республикасының заңнамасына сәйкес сотта "
    "қаралады. Тараптар осы шартты екі данада жасады, әрқайсысының заңды күші бірдей.",
    "5. Договор займа: займодавец передаёт заёмщику денежные средства, а заёмщик обязуется "
    "вернуть их в срок, указанный в настоящем договоре.",
    "Қарыз беруші: Ахметов А. С. ____________      Қарыз алушы: «Мысал» ЖШС ____________"};

struct MixDocs {
  std::string scan_first, scan_next;  // 200 dpi gray A4 JPEGs: the first page, a later one
  std::string blurred, blank, png;
};

const MixDocs& mix_docs() {
  static const MixDocs d = [] {
    MixDocs m;
    m.scan_first = make_jpeg_scan("ШАРТ № 17", kContractBody, 200);
    m.scan_next = make_jpeg_scan("", kContractBody, 200);
    for (const auto& c : calibration_set()) {
      if (c.name == "blur-5-200") m.blurred = make_page_scan(c);
      if (c.name == "blank-noise-200") m.blank = make_page_scan(c);
    }
    m.png = make_png("Шарт № 17");
    return m;
  }();
  return d;
}

Spec mix_clean(const std::string& id, std::mt19937& rng) {
  Spec s = clean_claim(id);
  const MixDocs& d = mix_docs();
  static const int kPages[] = {1, 1, 1, 1, 2, 2, 3, 4, 5, 8, 12, 20};
  const int pages = kPages[rng() % std::size(kPages)];
  const unsigned kind = rng() % 20;  // 7 text PDF, 5 scanned PDF, 5 JPEG, 3 DOCX
  Doc& c = s.docs[1];
  if (kind < 7) {
    std::vector<std::pair<std::string, std::vector<std::string>>> p(static_cast<size_t>(pages),
                                                                    {std::string(), kContractBody});
    p[0].first = "ШАРТ № 17";
    c.content = make_pdf_pages(p);
  } else if (kind < 12) {
    std::vector<std::string> jpegs = {d.scan_first};
    while (static_cast<int>(jpegs.size()) < pages) jpegs.push_back(d.scan_next);
    const int w = static_cast<int>(210 / 25.4 * 200 + 0.5),
              h = static_cast<int>(297 / 25.4 * 200 + 0.5);
    c.content = make_pdf_of_scans(jpegs, 200, w, h);
  } else if (kind < 17) {
    c.file = "Шарттың көшірмесі.jpg";
    c.content = d.scan_first;
  } else {
    c.file = "Шарттың көшірмесі.docx";
    c.content = make_docx("ШАРТ № 17", kContractBody);
  }
  s.outcome = "registered";
  return s;
}

std::vector<Spec> mix_specs(int n, unsigned seed) {
  std::mt19937 rng(seed);
  const MixDocs& d = mix_docs();
  std::vector<Spec> v;
  for (int i = 0; i < n; ++i) {
    char id[32];
    std::snprintf(id, sizeof id, "mix-%04d", i);
    Spec s = mix_clean(id, rng);
    const unsigned defect = rng() % 100;
    if (defect < 40) {
      // clean
    } else if (defect < 49) {
      s.signer = "";
      s.outcome = "rejected";
      s.codes = {"SIGNATURE_MISSING"};
    } else if (defect < 58) {
      s.after = [](const fs::path& dir) {
        std::ofstream f(dir / "files" / "Мемлекеттік баж түбіртегі.pdf",
                        std::ios::app | std::ios::binary);
        f << "\n%appended after signing\n";
      };
      s.outcome = "rejected";
      s.codes = {"DIGEST_MISMATCH"};
    } else if (defect < 66) {
      s.docs[1].file = "Шарттың көшірмесі.png";
      s.docs[1].content = d.png;
      s.outcome = "rejected";
      s.codes = {"FORMAT_NOT_ALLOWED"};
    } else if (defect < 75) {
      s.docs[1] = {"Талап арыздың көшірмесі.jpeg", "Талап арыздың көшірмесі", "attachment",
                   d.blurred};
      s.manifest["appendix"] = {"Талап арыздың көшірмесі", "Мемлекеттік баж түбіртегі"};
      s.outcome = "rejected";
      s.codes = {"UNREADABLE"};
    } else if (defect < 83) {
      s.docs[1] = {"Талап арыздың көшірмесі.jpeg", "Талап арыздың көшірмесі", "attachment",
                   d.blank};
      s.manifest["appendix"] = {"Талап арыздың көшірмесі", "Мемлекеттік баж түбіртегі"};
      s.outcome = "rejected";
      s.codes = {"DOCUMENT_BLANK"};
    } else if (defect < 91) {
      s.docs[1].file = "Шарттың көшірмесі.pdf";
      s.docs[1].content =
          make_pdf_pages({{"ШАРТ № 17", kContractBody}, {}, {std::string(), kContractBody}});
      s.outcome = "registered";
      s.codes = {"BLANK_PAGE"};
    } else {
      s.manifest["payment"]["receipt"] = nullptr;
      s.manifest["appendix"] = {"Шарттың көшірмесі"};
      s.docs.pop_back();
      s.outcome = "rejected";
      s.codes = {"PAYMENT_MISSING"};
    }
    v.push_back(std::move(s));
  }
  return v;
}

}  // namespace

int main(int argc, char** argv) {
  // sot-samples OUT_DIR                   the samples (every outcome and finding code)
  // sot-samples OUT_DIR --mix N [SEED]     a realistic mix of N bundles instead (benchmarks)
  const bool mix = argc >= 4 && std::string(argv[2]) == "--mix";
  if (argc != 2 && !(mix && argc <= 5)) {
    std::cerr << "usage: sot-samples OUT_DIR [--mix N [SEED]]\n";
    return 2;
  }
  const fs::path out = argv[1];
  try {
    fs::remove_all(out / "bundles");
    fs::remove_all(out / "expected");
    auto specs = mix ? mix_specs(std::stoi(argv[3]),
                                 argc == 5 ? static_cast<unsigned>(std::stoul(argv[4])) : 1u)
                     : all_specs();
    for (auto& s : specs) write_bundle(out, s);
    TestPki::shared().write((out / "pki").string());
    write_file(out / "config.toml",
               "# sot-intake configuration for the generated samples and their test PKI.\n"
               "[signature]\n"
               "trust_dir = \"pki/trust\"\n"
               "intermediates_dir = \"pki/intermediates\"\n"
               "crl_dir = \"pki/crl\"\n"
               "\n"
               "[http]\n"
               "listen = \"\"   # tests and benchmarks start daemons side by side\n");
    std::cout << "sot-samples: " << specs.size() << " bundles in " << (out / "bundles").string()
              << ", expectations in " << (out / "expected").string() << "\n";
  } catch (const std::exception& e) {
    std::cerr << "sot-samples: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
