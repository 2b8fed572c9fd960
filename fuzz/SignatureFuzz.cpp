// Fuzz target: manifest.json.p7s bytes → decode → verify, through the real signature stage
// against a test PKI made at start-up (so chain building, CRL lookup and identity checks run
// whenever the input still parses), GOST paths, CRLs and timestamp tokens included.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "config/Config.hpp"
#include "core/Pipeline.hpp"
#include "generator/TestPki.hpp"
#include "rules/RuleSet.hpp"
#include "signature/SignatureStage.hpp"

namespace {

namespace fs = std::filesystem;

struct World {
  fs::path root;
  fs::path bundle;
  std::unique_ptr<sot::Pipeline> pipeline;
};

World* g_world = nullptr;

void write(const fs::path& p, const std::string& data) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out.write(data.data(), static_cast<std::streamsize>(data.size()));
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  auto* w = new World;
  w->root = fs::temp_directory_path() / ("sot-fuzz-signature-" + std::to_string(::getpid()));
  fs::create_directories(w->root);
  const auto& pki = sot::samples::TestPki::shared();
  pki.write((w->root / "pki").string());
  w->bundle = w->root / "bundle";
  fs::create_directories(w->bundle / "files");
  write(w->bundle / "manifest.json", "{\"format\": \"sot-bundle/1\"}\n");
  sot::Config config = sot::shipped_config();
  auto trust = std::make_shared<const sot::signature::TrustStore>(sot::signature::TrustStore::load(
      w->root / "pki" / "trust", w->root / "pki" / "intermediates", w->root / "pki" / "crl"));
  std::vector<std::unique_ptr<const sot::Stage>> stages;
  stages.push_back(std::make_unique<sot::signature::SignatureStage>(
      trust, std::vector<std::shared_ptr<const sot::signature::SignatureVerifier>>{
                 std::make_shared<sot::signature::OpenSslVerifier>(),
                 std::make_shared<sot::signature::GostVerifier>()}));
  w->pipeline = std::make_unique<sot::Pipeline>(
      std::move(stages), std::make_shared<const sot::rules::RuleSet>(sot::rules::shipped_rules()),
      config);
  g_world = w;
  std::atexit([] {
    std::error_code ec;
    fs::remove_all(g_world->root, ec);
  });
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  write(g_world->bundle / "manifest.json.p7s",
        std::string(reinterpret_cast<const char*>(data), size));
  sot::FixedClock clock(sot::SysSeconds{std::chrono::seconds{1760612760}});  // 2025-10-16
  const sot::PipelineResult r = g_world->pipeline->run(g_world->bundle, clock);
  // Whatever the bytes, the stage reports something about them and never passes garbage.
  if (r.findings.empty() && size < 64) std::abort();
  return 0;
}
