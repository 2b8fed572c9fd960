// Opening a bundle from disk: links are never followed, unsafe names are never opened,
// sizes and counts are bounded before anything large is read.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/Bundle.hpp"
#include "support/TestBundle.hpp"

namespace fs = std::filesystem;
using sot::Bundle;
using sot::BundleLimits;
using sot::FileEntry;
using sot::test::BundleBuilder;
using sot::test::TempDir;

namespace {
bool has_problem(const Bundle& b, const std::string& text) {
  for (const auto& p : b.problems())
    if (p.reason.find(text) != std::string::npos) return true;
  return false;
}
}  // namespace

TEST_CASE("a clean bundle opens without problems", "[bundle]") {
  TempDir t;
  const auto dir = BundleBuilder("b1").write(t.path());
  const Bundle b = Bundle::open(dir, BundleLimits{});
  CHECK(b.id() == "b1");
  CHECK(b.problems().empty());
  CHECK_FALSE(b.open_failure());
  REQUIRE(b.manifest());
  CHECK(b.has_signature());
  REQUIRE(b.files().size() == 3);
  // Listed in byte order, whatever the directory order.
  CHECK(std::is_sorted(b.files().begin(), b.files().end(),
                       [](const FileEntry& x, const FileEntry& y) { return x.name < y.name; }));
  for (const auto& f : b.files()) {
    CHECK(f.type == FileEntry::Type::kRegular);
    CHECK(f.safe_name);
  }
}

TEST_CASE("symbolic links are reported and never followed", "[bundle]") {
  TempDir t;
  const auto dir = BundleBuilder("b").write(t.path());
  SECTION("a file under files/") {
    fs::remove(dir / "files" / "Талап арыз.pdf");
    fs::create_symlink("/etc/passwd", dir / "files" / "Талап арыз.pdf");
    const Bundle b = Bundle::open(dir, BundleLimits{});
    CHECK(has_problem(b, "symbolic link"));
    std::string why;
    CHECK_FALSE(b.open_file(*b.file("Талап арыз.pdf"), &why));
  }
  SECTION("manifest.json") {
    fs::rename(dir / "manifest.json", t.path() / "real.json");
    fs::create_symlink(t.path() / "real.json", dir / "manifest.json");
    const Bundle b = Bundle::open(dir, BundleLimits{});
    CHECK(has_problem(b, "symbolic link"));
    CHECK_FALSE(b.manifest());
  }
  SECTION("files/ itself") {
    fs::rename(dir / "files", t.path() / "elsewhere");
    fs::create_directory_symlink(t.path() / "elsewhere", dir / "files");
    const Bundle b = Bundle::open(dir, BundleLimits{});
    CHECK(has_problem(b, "files/ is not a directory"));
    CHECK(b.files().empty());
  }
  SECTION("the bundle directory") {
    fs::create_directory_symlink(dir, t.path() / "link");
    const Bundle b = Bundle::open(t.path() / "link", BundleLimits{});
    CHECK(has_problem(b, "not a directory"));
  }
}

TEST_CASE("unsafe names on disk are reported, never opened", "[bundle]") {
  TempDir t;
  const auto dir = BundleBuilder("b").write(t.path());
  const std::vector<std::string> bad = {std::string("bad\x01name.pdf"), "bad\xff\xfename.pdf",
                                        "back\\slash.pdf", std::string("c1\xc2\x85.pdf")};
  for (const auto& name : bad) sot::test::write_file(dir / "files" / name, "%PDF-1.4\n");
  const Bundle b = Bundle::open(dir, BundleLimits{});
  int unsafe = 0;
  for (const auto& f : b.files())
    if (!f.safe_name) {
      ++unsafe;
      std::string why;
      CHECK_FALSE(b.open_file(f, &why));
    }
  CHECK(unsafe == 4);
  for (const auto& p : b.problems()) {
    REQUIRE(p.file);
    // Reported names are printable: no raw control or invalid bytes.
    CHECK(p.file->find('\x01') == std::string::npos);
    CHECK(p.file->find('\xff') == std::string::npos);
  }
}

TEST_CASE("FIFOs, devices and directories are not read", "[bundle]") {
  TempDir t;
  const auto dir = BundleBuilder("b").write(t.path());
  REQUIRE(::mkfifo((dir / "files" / "pipe.pdf").c_str(), 0600) == 0);
  fs::create_directory(dir / "files" / "sub.pdf");
  fs::remove(dir / "manifest.json.p7s");
  REQUIRE(::mkfifo((dir / "manifest.json.p7s").c_str(), 0600) == 0);
  const Bundle b = Bundle::open(dir, BundleLimits{});  // must not block on the FIFOs
  CHECK(has_problem(b, "is not a regular file"));
  CHECK(has_problem(b, "is a directory"));
  REQUIRE(b.signature_unreadable());
  CHECK_THAT(*b.signature_unreadable(), Catch::Contains("not a regular file"));
}

TEST_CASE("sizes and counts are bounded before reading", "[bundle]") {
  TempDir t;
  const auto dir = BundleBuilder("b").write(t.path());
  SECTION("a 1 GB manifest is refused unread") {
    REQUIRE(::truncate((dir / "manifest.json").c_str(), 1ll << 30) == 0);
    const Bundle b = Bundle::open(dir, BundleLimits{});
    CHECK_FALSE(b.manifest());
    CHECK(has_problem(b, "over the limit"));
  }
  SECTION("files/ listing stops at the limit") {
    BundleLimits limits;
    limits.max_files = 10;
    for (int i = 0; i < 50; ++i) sot::test::write_file(dir / "files" / std::to_string(i), "x");
    const Bundle b = Bundle::open(dir, limits);
    CHECK(b.files_truncated());
    CHECK(b.files().size() == 10);
    CHECK(has_problem(b, "more than 10 entries"));
  }
}

TEST_CASE("a bundle that cannot be read at all is an open failure, not the filer's fault",
          "[bundle]") {
  TempDir t;
  const Bundle b = Bundle::open(t.path() / "does-not-exist", BundleLimits{});
  CHECK(b.open_failure());
  CHECK(b.problems().empty());
}

TEST_CASE("a signature file is read when present", "[bundle]") {
  TempDir t;
  const auto dir = BundleBuilder("b").write(t.path());
  sot::test::write_file(dir / "manifest.json.p7s", "MIIB");
  const Bundle b = Bundle::open(dir, BundleLimits{});
  REQUIRE(b.has_signature());
  CHECK(*b.signature_bytes() == "MIIB");
}

TEST_CASE("a bundle is its three entries: anything else is malformed and never read",
          "[bundle][trust]") {
  TempDir t;
  const auto dir = BundleBuilder("b").write(t.path());
  SECTION("a result directory with a report of its own") {
    fs::create_directories(dir / "result");
    sot::test::write_file(dir / "result" / "report.json", R"({"outcome":"registered"})");
    const Bundle b = Bundle::open(dir, BundleLimits{});
    REQUIRE(b.problems().size() == 1);
    CHECK(has_problem(b, "'result' is not part of a bundle"));
    // A decided bundle's own result/ (reprocessing a spool's outcome directories) is not.
    BundleLimits decided;
    decided.decided_result_allowed = true;
    CHECK(Bundle::open(dir, decided).problems().empty());
  }
  SECTION("result as a file, or as a link even where a result/ may be") {
    sot::test::write_file(dir / "result", "x");
    CHECK(has_problem(Bundle::open(dir, BundleLimits{}), "'result' is not part of a bundle"));
    BundleLimits decided;
    decided.decided_result_allowed = true;
    CHECK(has_problem(Bundle::open(dir, decided), "'result' is not part of a bundle"));
    fs::remove(dir / "result");
    fs::create_directory_symlink(t.path(), dir / "result");
    CHECK(has_problem(Bundle::open(dir, decided), "'result' is a symbolic link"));
  }
  SECTION("any other file") {
    sot::test::write_file(dir / "notes.txt", "x");
    CHECK(has_problem(Bundle::open(dir, BundleLimits{}), "'notes.txt' is not part of a bundle"));
  }
}

TEST_CASE("a document that is a hard link to a file elsewhere is never read", "[bundle][trust]") {
  TempDir t;
  const auto dir = BundleBuilder("b").write(t.path());
  // The filer's "document" is another name of a file outside the bundle.
  const fs::path outside = t.path() / "someone-elses.pdf";
  fs::rename(dir / "files" / "Талап арыз.pdf", outside);
  fs::create_hard_link(outside, dir / "files" / "Талап арыз.pdf");
  const Bundle b = Bundle::open(dir, BundleLimits{});
  CHECK(has_problem(b, "hard link"));
  const FileEntry* f = b.file("Талап арыз.pdf");
  REQUIRE(f);
  CHECK(f->type != FileEntry::Type::kRegular);
  std::string why;
  CHECK_FALSE(b.open_file(*f, &why));
  // The whole pipeline: the bundle is malformed; the file is never analysed.
  const auto r = sot::test::run_pipeline(dir);
  CHECK(r.outcome == sot::Outcome::kRejected);
  const auto malformed = sot::test::findings_with(r, "BUNDLE_MALFORMED");
  REQUIRE_FALSE(malformed.empty());
  CHECK(malformed[0].finding.file == "Талап арыз.pdf");
  for (const auto& d : r.documents) CHECK((d.file != "Талап арыз.pdf" || !d.sha256));
}
