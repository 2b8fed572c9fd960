// Integrity: each defect made in an otherwise clean bundle gives its code, with the
// evidence in detail; nothing else changes.
#include <catch2/catch.hpp>

#include <fstream>

#include "support/TestBundle.hpp"

using namespace sot;
using namespace sot::test;
namespace fs = std::filesystem;

TEST_CASE("FILE_MISSING: listed, not uploaded", "[integrity]") {
  TempDir t;
  const auto dir = BundleBuilder().write(t.path());
  fs::remove(dir / "files" / "Шарттың көшірмесі.jpeg");
  const auto r = run_pipeline(dir);
  CHECK(codes_of(r) == std::set<std::string>{"FILE_MISSING"});
  CHECK(findings_with(r, "FILE_MISSING")[0].finding.file == "Шарттың көшірмесі.jpeg");
  CHECK(findings_with(r, "FILE_MISSING")[0].severity == Severity::kReject);
  CHECK(r.outcome == Outcome::kRejected);
}

TEST_CASE("FILE_UNLISTED: uploaded, not listed", "[integrity]") {
  TempDir t;
  const auto dir = BundleBuilder().write(t.path());
  write_file(dir / "files" / "Қосымша.pdf", sample_pdf() + "% other\n");
  const auto r = run_pipeline(dir);
  CHECK(codes_of(r) == std::set<std::string>{"FILE_UNLISTED"});
  CHECK(findings_with(r, "FILE_UNLISTED")[0].finding.file == "Қосымша.pdf");
}

TEST_CASE("DIGEST_MISMATCH: content or size changed after signing", "[integrity]") {
  TempDir t;
  const auto dir = BundleBuilder().write(t.path());
  const auto file = dir / "files" / "Талап арыз.pdf";
  SECTION("same size, one byte changed") {
    std::string data = read_file(file);
    data[11] ^= 1;  // in the binary comment of the header: still the same PDF to a reader
    write_file(file, data);
    const auto r = run_pipeline(dir);
    REQUIRE(codes_of(r) == std::set<std::string>{"DIGEST_MISMATCH"});
    const auto d = findings_with(r, "DIGEST_MISMATCH")[0].finding.detail;
    CHECK(d.at("expected_sha256") != d.at("actual_sha256"));
  }
  SECTION("bytes appended") {
    std::ofstream(file, std::ios::app) << "%%EOF\n";
    const auto r = run_pipeline(dir);
    REQUIRE(codes_of(r) == std::set<std::string>{"DIGEST_MISMATCH"});
    CHECK(findings_with(r, "DIGEST_MISMATCH")[0].finding.detail.contains("actual_bytes"));
  }
}

TEST_CASE("DUPLICATE_FILE: two files with identical content", "[integrity]") {
  TempDir t;
  BundleBuilder b;
  b.documents.push_back({"Шарттың екінші данасы.jpeg", "Шарттың екінші данасы", "attachment",
                         b.documents[1].content});
  b.manifest["appendix"].push_back("Шарттың екінші данасы");
  const auto r = run_pipeline(b.write(t.path()));
  CHECK(codes_of(r) == std::set<std::string>{"DUPLICATE_FILE"});
  CHECK(findings_with(r, "DUPLICATE_FILE")[0].severity == Severity::kReview);
  CHECK(r.outcome == Outcome::kReview);
}

TEST_CASE("BUNDLE_MALFORMED: each manifest violation is its own finding with its field",
          "[integrity]") {
  TempDir t;
  BundleBuilder b;
  b.manifest["kind"] = "lawsuit";
  b.manifest["proceeding"] = "family";
  const auto r = run_pipeline(b.write(t.path()));
  const auto found = findings_with(r, "BUNDLE_MALFORMED");
  REQUIRE(found.size() == 2);
  CHECK(found[0].finding.detail.at("field") == "kind");
  CHECK(found[1].finding.detail.at("field") == "proceeding");
  CHECK(r.outcome == Outcome::kRejected);
}

TEST_CASE("BUNDLE_MALFORMED: no manifest, or one that is not JSON", "[integrity]") {
  TempDir t;
  const auto dir = BundleBuilder().write(t.path());
  SECTION("missing") {
    fs::remove(dir / "manifest.json");
    CHECK(codes_of(run_pipeline(dir)) == std::set<std::string>{"BUNDLE_MALFORMED"});
  }
  // Changed after signing, so the signature no longer covers it either.
  SECTION("truncated") {
    fs::resize_file(dir / "manifest.json", 100);
    CHECK(codes_of(run_pipeline(dir)) ==
          std::set<std::string>{"BUNDLE_MALFORMED", "SIGNATURE_INVALID"});
  }
  SECTION("empty") {
    fs::resize_file(dir / "manifest.json", 0);
    CHECK(codes_of(run_pipeline(dir)) ==
          std::set<std::string>{"BUNDLE_MALFORMED", "SIGNATURE_INVALID"});
  }
}

TEST_CASE("BUNDLE_MALFORMED: submitted_at in the future of arrival", "[integrity]") {
  TempDir t;
  BundleBuilder b;
  SECTION("far future") {
    b.manifest["submitted_at"] = "2099-01-01T00:00:00+05:00";
    CHECK(codes_of(run_pipeline(b.write(t.path()))) == std::set<std::string>{"BUNDLE_MALFORMED"});
  }
  SECTION("within the clock tolerance is fine") {
    b.manifest["submitted_at"] = "2025-10-16T12:04:00Z";  // now is 12:00Z, skew 300 s
    CHECK(codes_of(run_pipeline(b.write(t.path()))).empty());
  }
  SECTION("just past the tolerance") {
    b.manifest["submitted_at"] = "2025-10-16T12:05:01Z";
    CHECK(codes_of(run_pipeline(b.write(t.path()))) == std::set<std::string>{"BUNDLE_MALFORMED"});
  }
}

TEST_CASE("BUNDLE_MALFORMED: a symbolic link in files/", "[integrity]") {
  TempDir t;
  const auto dir = BundleBuilder().write(t.path());
  const auto file = dir / "files" / "Шарттың көшірмесі.jpeg";
  fs::remove(file);
  fs::create_symlink("/etc/passwd", file);
  const auto r = run_pipeline(dir);
  CHECK(codes_of(r).count("BUNDLE_MALFORMED"));
  CHECK(r.outcome == Outcome::kRejected);
}
