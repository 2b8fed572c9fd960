// Test fixtures: temporary directories and bundles written the way the portal writes them,
// with real documents from the sample generator, plus a one-call pipeline run.
#pragma once

#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/Config.hpp"
#include "core/Pipeline.hpp"
#include "generator/TestPki.hpp"

namespace sot::test {

// A fresh directory under the system temp dir, removed with everything in it.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

std::string sha256_hex(const std::string& data);
void write_file(const std::filesystem::path& p, const std::string& data);
std::string read_file(const std::filesystem::path& p);

// Text PDFs and a gray 200 dpi JPEG scan, made once per test binary (they are slow-ish).
const std::string& sample_pdf();
const std::string& sample_receipt_pdf();   // the state duty receipt
const std::string& sample_contract_pdf();  // a contract ("Шарт")
const std::string& sample_jpeg();

struct TestDocument {
  std::string file;
  std::string title;
  std::string role;
  std::string content;
};

// A clean claim (application, contract copy, duty receipt) by an individual; tests change
// `manifest` or `documents` and then write().
class BundleBuilder {
 public:
  explicit BundleBuilder(std::string id = "test-bundle");

  nlohmann::json manifest;  // documents[] is filled by write() from `documents`
  std::vector<TestDocument> documents;
  std::string signer = "individual";  // a test PKI signer (TestPki.hpp); "" leaves it unsigned
  samples::SignOptions sign_options;

  // Replaces the attachment (the contract copy) by `content` as `file` titled `title`, and
  // the appendix with it.
  void replace_attachment(std::string file, std::string title, std::string content);

  // Writes <root>/<id>/ (manifest.json with the documents' true digests, files/...) and
  // returns the bundle's path.
  std::filesystem::path write(const std::filesystem::path& root) const;

  const std::string& id() const { return id_; }

 private:
  std::string id_;
};

// The shared test PKI, written once per process: trust/, intermediates/, crl/.
const std::filesystem::path& test_pki_dir();
// The shipped config with the test PKI as trust anchors, intermediates and CRLs.
const Config& test_config();

// Runs the standard pipeline (shipped rules, test_config()) at a fixed "now".
PipelineResult run_pipeline(const std::filesystem::path& bundle);
PipelineResult run_pipeline(const std::filesystem::path& bundle, const Config& config);

std::set<std::string> codes_of(const PipelineResult& r);
// The findings with `code`.
std::vector<ResolvedFinding> findings_with(const PipelineResult& r, const std::string& code);

// 2025-10-16T12:00:00Z: after every sample's submitted_at.
SysSeconds test_now();

}  // namespace sot::test
