#include "support/TestBundle.hpp"

#include <openssl/evp.h>
#include <unistd.h>

#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>

#include "generator/Documents.hpp"
#include "generator/TestPki.hpp"

namespace sot::test {

namespace fs = std::filesystem;
using nlohmann::json;

TempDir::TempDir() {
  std::random_device rd;
  for (int attempt = 0; attempt < 100; ++attempt) {
    const fs::path p = fs::temp_directory_path() /
                       ("sot-test-" + std::to_string(::getpid()) + "-" + std::to_string(rd()));
    std::error_code ec;
    if (fs::create_directory(p, ec)) {
      path_ = p;
      return;
    }
  }
  throw std::runtime_error("cannot create a temporary directory");
}

TempDir::~TempDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

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

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

const std::string& sample_pdf() {
  static const std::string pdf = samples::make_pdf(
      "ТАЛАП АРЫЗ", {"Талапкер: Ахметов Арман.", "Жауапкерден қарызды өндіріп беруді сұраймын."});
  return pdf;
}

const std::string& sample_receipt_pdf() {
  static const std::string pdf = samples::make_pdf(
      "МЕМЛЕКЕТТІК БАЖ ТҮБІРТЕГІ",
      {"Төлеуші: Ахметов Арман.", "Сомасы: 45 000 теңге, сотқа талап арыз үшін."});
  return pdf;
}

const std::string& sample_contract_pdf() {
  static const std::string pdf =
      samples::make_pdf("ШАРТ № 17", {"Қарыз беруші қарыз алушыға 1 500 000 теңге береді.",
                                      "Қарыз алушы соманы бір жыл ішінде қайтарады."});
  return pdf;
}

const std::string& sample_jpeg() {
  static const std::string jpeg =
      samples::make_jpeg_scan("ШАРТ", {"Шарт мәтіні."}, 200, 148, 210);  // A5 keeps it small
  return jpeg;
}

BundleBuilder::BundleBuilder(std::string id) : id_(std::move(id)) {
  manifest = {{"format", "sot-bundle/1"},
              {"submission_id", "197119107814937"},
              {"kind", "claim"},
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
                                        {"iin", "900101300126"}}})},
              {"payment",
               {{"exempt", false},
                {"exemption_basis", nullptr},
                {"claim_amount", 1500000},
                {"duty_amount", 45000},
                {"receipt", "Мемлекеттік баж түбіртегі.pdf"},
                {"online_payment_id", nullptr}}},
              {"appendix", {"Шарттың көшірмесі", "Мемлекеттік баж түбіртегі"}},
              {"documents", json::array()},
              {"circumstances_established_on", nullptr}};
  documents = {{"Талап арыз.pdf", "Талап арыз", "main", sample_pdf()},
               {"Шарттың көшірмесі.jpeg", "Шарттың көшірмесі", "attachment", sample_jpeg()},
               {"Мемлекеттік баж түбіртегі.pdf", "Мемлекеттік баж түбіртегі", "payment_receipt",
                sample_receipt_pdf()}};
}

void BundleBuilder::replace_attachment(std::string file, std::string title, std::string content) {
  manifest["appendix"] = {title, "Мемлекеттік баж түбіртегі"};
  documents[1] = {std::move(file), std::move(title), "attachment", std::move(content)};
}

fs::path BundleBuilder::write(const fs::path& root) const {
  const fs::path dir = root / id_;
  fs::create_directories(dir / "files");
  json m = manifest;
  json docs = json::array();
  for (const auto& d : documents) {
    write_file(dir / "files" / d.file, d.content);
    docs.push_back({{"file", d.file},
                    {"title", d.title},
                    {"role", d.role},
                    {"sha256", sha256_hex(d.content)},
                    {"bytes", d.content.size()}});
  }
  m["documents"] = docs;
  const std::string text = m.dump(2);
  write_file(dir / "manifest.json", text);
  if (!signer.empty())
    write_file(dir / "manifest.json.p7s",
               samples::TestPki::shared().sign(signer, text, sign_options));
  return dir;
}

SysSeconds test_now() {
  return std::chrono::sys_days{std::chrono::year{2025} / 10 / 16} + std::chrono::hours{12};
}

const fs::path& test_pki_dir() {
  static const TempDir dir;
  static const bool written = [] {
    samples::TestPki::shared().write((dir.path() / "pki").string());
    return true;
  }();
  (void)written;
  static const fs::path pki = dir.path() / "pki";
  return pki;
}

const Config& test_config() {
  static const Config config = [] {
    Config c = shipped_config();
    c.trust_dir = test_pki_dir() / "trust";
    c.intermediates_dir = test_pki_dir() / "intermediates";
    c.crl_dir = test_pki_dir() / "crl";
    return c;
  }();
  return config;
}

PipelineResult run_pipeline(const fs::path& bundle) {
  return run_pipeline(bundle, test_config());
}

PipelineResult run_pipeline(const fs::path& bundle, const Config& config) {
  const auto pipeline = build_pipeline(config);
  FixedClock clock(test_now());
  return pipeline->run(bundle, clock);
}

std::set<std::string> codes_of(const PipelineResult& r) {
  std::set<std::string> out;
  for (const auto& f : r.findings) out.insert(f.finding.code);
  return out;
}

std::vector<ResolvedFinding> findings_with(const PipelineResult& r, const std::string& code) {
  std::vector<ResolvedFinding> out;
  for (const auto& f : r.findings)
    if (f.finding.code == code) out.push_back(f);
  return out;
}

}  // namespace sot::test
