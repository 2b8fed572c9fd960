// Hostile bundles through the real CLI: each ends in a report line (a finding), never a
// crash, a hang or silence. ctest's per-test timeout catches a hang.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "generator/Documents.hpp"
#include "support/Process.hpp"
#include "support/TestBundle.hpp"

using nlohmann::json;
using namespace sot::test;
namespace fs = std::filesystem;

namespace {
json check_one(const fs::path& bundle) {
  const auto r = run_process({SOT_INTAKE_BIN, "check", bundle.string()});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  REQUIRE(std::count(r.out.begin(), r.out.end(), '\n') == 1);
  return json::parse(r.out);
}
std::set<std::string> codes(const json& report) {
  std::set<std::string> out;
  for (const auto& f : report["findings"]) out.insert(f["code"].get<std::string>());
  return out;
}
}  // namespace

TEST_CASE("hostile manifests", "[hostile]") {
  TempDir t;
  const auto dir = BundleBuilder("h").write(t.path());
  const auto manifest = dir / "manifest.json";
  SECTION("truncated JSON") {
    fs::resize_file(manifest, fs::file_size(manifest) - 7);
  }
  SECTION("a 1 GB manifest") {
    REQUIRE(::truncate(manifest.c_str(), 1ll << 30) == 0);
  }
  SECTION("30,000 nested arrays") {
    write_file(manifest, std::string(30000, '[') + std::string(30000, ']'));
  }
  SECTION("binary garbage") {
    std::string g(4096, '\0');
    for (size_t i = 0; i < g.size(); ++i) g[i] = static_cast<char>((i * 131) % 256);
    write_file(manifest, g);
  }
  SECTION("a directory named manifest.json") {
    fs::remove(manifest);
    fs::create_directory(manifest);
  }
  SECTION("a FIFO named manifest.json") {
    fs::remove(manifest);
    REQUIRE(::mkfifo(manifest.c_str(), 0600) == 0);
  }
  const json r = check_one(dir);
  CHECK(r["outcome"] == "rejected");
  CHECK(codes(r).count("BUNDLE_MALFORMED"));
}

TEST_CASE("100,000 files in files/", "[hostile]") {
  TempDir t;
  const auto dir = BundleBuilder("many").write(t.path());
  for (int i = 0; i < 100000; ++i) {
    const auto p = dir / "files" / ("f" + std::to_string(i));
    const int fd = ::open(p.c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
    REQUIRE(fd >= 0);
    ::close(fd);
  }
  const json r = check_one(dir);
  CHECK(r["outcome"] == "rejected");
  CHECK(codes(r).count("BUNDLE_MALFORMED"));
}

TEST_CASE("names in every bad form, on disk and in the manifest", "[hostile]") {
  TempDir t;
  const auto dir = BundleBuilder("names").write(t.path());
  json m = json::parse(read_file(dir / "manifest.json"));
  m["documents"][1]["file"] = "../../../etc/passwd";  // must never be followed
  write_file(dir / "manifest.json", m.dump());
  for (const std::string& name :
       {std::string("ctl\x07.pdf"), std::string("bad\xc3\x28.pdf"), std::string("a\\b.pdf"),
        std::string("c1\xc2\x9b.pdf"), std::string(255, 'n')})
    write_file(dir / "files" / name, "%PDF-1.4\n");
  const json r = check_one(dir);
  CHECK(r["outcome"] == "rejected");
  CHECK(codes(r).count("BUNDLE_MALFORMED"));
  // Every reported name is valid UTF-8 (the report itself is valid JSON, parsed above).
  for (const auto& f : r["findings"])
    if (f["file"].is_string())
      CHECK(f["file"].get<std::string>().find('\x07') == std::string::npos);
}

TEST_CASE("a bundle path that is a file or a symlink", "[hostile]") {
  TempDir t;
  write_file(t.path() / "plain", "x");
  const json r = check_one(t.path() / "plain");
  CHECK(codes(r).count("BUNDLE_MALFORMED"));
  const auto dir = BundleBuilder("real").write(t.path());
  fs::create_directory_symlink(dir, t.path() / "link");
  CHECK(codes(check_one(t.path() / "link")).count("BUNDLE_MALFORMED"));
}

TEST_CASE("a document that is a FIFO or unreadable is not the filer's rejection", "[hostile]") {
  TempDir t;
  const auto dir = BundleBuilder("fifo").write(t.path());
  const auto doc = dir / "files" / "Талап арыз.pdf";
  fs::remove(doc);
  REQUIRE(::mkfifo(doc.c_str(), 0600) == 0);
  const json r = check_one(dir);  // must not block reading the FIFO
  CHECK(codes(r).count("BUNDLE_MALFORMED"));
}

TEST_CASE("hostile PDFs through the CLI: limits act before the work", "[hostile]") {
  // A 100,000 × 100,000 px image, 5,000 fonts on a page, a stream inflating through a chain
  // of filters: each is a processing failure for a clerk, never a registration or a timeout.
  for (const char* feature : {"huge-image", "many-fonts", "filter-chain"}) {
    INFO(feature);
    TempDir t;
    BundleBuilder b(std::string("hostile-") + feature);
    b.documents[1].file = "Шарттың көшірмесі.pdf";
    b.documents[1].content = sot::samples::make_feature_pdf(feature);
    const auto run =
        run_process({SOT_INTAKE_BIN, "check", "--trust-dir", (test_pki_dir() / "trust").string(),
                     "--crl-dir", (test_pki_dir() / "crl").string(), b.write(t.path()).string()});
    REQUIRE(run.exit_code == 0);
    const json r = json::parse(run.out);
    INFO(r["findings"].dump());
    CHECK(r["outcome"] == "review");
    CHECK(codes(r) == std::set<std::string>{"PROCESSING_FAILED"});
    for (const auto& f : r["findings"]) {
      CHECK(f["file"] == "Шарттың көшірмесі.pdf");
      CHECK_THAT(f["detail"]["reason"].get<std::string>(),
                 !Catch::Contains("time budget") && !Catch::Contains("timed out"));
    }
  }
}
