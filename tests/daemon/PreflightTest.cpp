// Pre-flight (spec §6) without the HTTP server: the tar intake refuses every hostile entry
// kind before writing anything (checked on disk), and the service answers a draft with the
// findings and `would_be`, by token, within its rate, and forgets results after retention.
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <thread>

#include "preflight/DraftArchive.hpp"
#include "preflight/Preflight.hpp"
#include "support/TarBuilder.hpp"
#include "support/TestBundle.hpp"

using namespace sot;
using namespace sot::test;
using nlohmann::json;
namespace fs = std::filesystem;
using Type = TarEntry::Type;

namespace {

std::vector<std::string> listing(const fs::path& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(dir))
    out.push_back(fs::relative(e.path(), dir).string());
  std::sort(out.begin(), out.end());
  return out;
}

const std::string kManifest = R"({"format":"sot-bundle/1"})";

}  // namespace

TEST_CASE("draft tar: every hostile entry kind is refused and nothing is written",
          "[preflight][tar]") {
  struct Case {
    const char* what;
    std::vector<TarEntry> entries;
  };
  const std::vector<Case> cases = {
      {"a symlink",
       {{"manifest.json", kManifest}, {"files/a.pdf", "", Type::kSymlink, "/etc/passwd"}}},
      {"a hard link",
       {{"manifest.json", kManifest}, {"files/a.pdf", "", Type::kHardlink, "manifest.json"}}},
      {"a FIFO", {{"manifest.json", kManifest}, {"files/a.pdf", "", Type::kFifo}}},
      {"a character device", {{"manifest.json", kManifest}, {"files/null", "", Type::kCharDevice}}},
      {"a block device", {{"manifest.json", kManifest}, {"files/sda", "", Type::kBlockDevice}}},
      {"an absolute name", {{"manifest.json", kManifest}, {"/tmp/sot-escape", "x"}}},
      {"a '..' component", {{"manifest.json", kManifest}, {"files/../../sot-escape", "x"}}},
      {"a nested directory", {{"manifest.json", kManifest}, {"files/sub/a.pdf", "x"}}},
      {"a name outside files/", {{"manifest.json", kManifest}, {"etc/cron.d/x", "x"}}},
      {"an unsafe name", {{"manifest.json", kManifest}, {"files/a\x01.pdf", "x"}}},
      {"the same name twice",
       {{"manifest.json", kManifest}, {"files/a.pdf", "x"}, {"files/a.pdf", "y"}}},
      {"no manifest", {{"files/a.pdf", "x"}}},
  };
  for (const auto& c : cases) {
    INFO(c.what);
    TempDir t;
    const fs::path dir = t.path() / "draft";
    fs::create_directory(dir);
    const auto problem = preflight::extract_draft(make_tar(c.entries), {}, dir);
    REQUIRE(problem);
    CHECK(problem->status == 400);
    CHECK(listing(dir).empty());                                    // nothing written inside
    CHECK(listing(t.path()) == std::vector<std::string>{"draft"});  // nor beside it
    CHECK_FALSE(fs::exists("/tmp/sot-escape"));
  }
}

TEST_CASE("draft tar: sizes and counts are capped before extraction (413)", "[preflight][tar]") {
  preflight::DraftLimits limits;
  limits.max_entry_bytes = 1000;
  limits.max_total_bytes = 1500;
  limits.max_entries = 4;
  TempDir t;
  auto refused = [&](const std::vector<TarEntry>& entries) {
    const fs::path dir = t.path() / "d";
    fs::remove_all(dir);
    fs::create_directory(dir);
    const auto p = preflight::extract_draft(make_tar(entries), limits, dir);
    CHECK(listing(dir).empty());
    return p ? p->status : 0;
  };
  CHECK(refused({{"manifest.json", kManifest}, {"files/big.pdf", std::string(1001, 'x')}}) == 413);
  CHECK(refused({{"manifest.json", kManifest},
                 {"files/a.pdf", std::string(800, 'x')},
                 {"files/b.pdf", std::string(800, 'x')}}) == 413);
  CHECK(refused({{"manifest.json", kManifest},
                 {"files/a", "1"},
                 {"files/b", "2"},
                 {"files/c", "3"},
                 {"files/d", "4"}}) == 413);
  // Not a tar at all, or a compressed one: 400.
  const fs::path dir = t.path() / "e";
  fs::create_directory(dir);
  CHECK(preflight::extract_draft("%PDF-1.7 not a tar", limits, dir)->status == 400);
  CHECK(preflight::extract_draft(std::string("\x1f\x8b\x08\0\0\0\0\0", 8), limits, dir)->status ==
        400);
  CHECK(listing(dir).empty());
}

TEST_CASE("draft tar: a portal's draft is extracted and its digests completed",
          "[preflight][tar]") {
  TempDir t;
  BundleBuilder b("src");
  b.signer = "";
  const std::string tar = draft_tar(b.write(t.path()));
  const fs::path dir = t.path() / "draft";
  fs::create_directory(dir);
  std::vector<preflight::DraftEntry> entries;
  REQUIRE_FALSE(preflight::inspect_draft(tar, {}, &entries));
  CHECK(entries.size() == 4);
  REQUIRE_FALSE(preflight::extract_draft(tar, {}, dir));
  CHECK(listing(dir) == std::vector<std::string>{"files", "files/Мемлекеттік баж түбіртегі.pdf",
                                                 "files/Талап арыз.pdf",
                                                 "files/Шарттың көшірмесі.jpeg", "manifest.json"});
  struct stat st {};
  REQUIRE(::stat((dir / "files" / "Талап арыз.pdf").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  preflight::complete_manifest(dir, 1 << 20);
  const json m = json::parse(read_file(dir / "manifest.json"));
  CHECK(m["documents"][0]["sha256"] == sha256_hex(sample_pdf()));
  CHECK(m["documents"][0]["bytes"] == sample_pdf().size());
  // A "./"-prefixed tar (what `tar -C dir -cf - .` writes) is the same draft.
  const fs::path dir2 = t.path() / "draft2";
  fs::create_directory(dir2);
  REQUIRE_FALSE(preflight::extract_draft(make_tar({{"./", "", Type::kDirectory},
                                                   {"./manifest.json", kManifest},
                                                   {"./files/", "", Type::kDirectory},
                                                   {"./files/a.pdf", "x"}}),
                                         {}, dir2));
  CHECK(listing(dir2) == std::vector<std::string>{"files", "files/a.pdf", "manifest.json"});
}

TEST_CASE("pre-flight service: token, rate, answer, result by id, retention", "[preflight]") {
  TempDir t;
  preflight::PreflightOptions o;
  o.token = "s3cret-portal-token-0001";
  o.work_dir = t.path() / "work";
  o.rate_per_minute = 4;
  o.retention = std::chrono::seconds(2);
  const Config config = test_config();
  const auto pipe = build_pipeline(config);
  preflight::Preflight pf(o, {[&] { return config; }, [&] { return pipe; }});
  http::Request req;
  req.method = "POST";
  req.path = "/api/preflight";
  CHECK(pf.admit(req)->status == 401);
  req.headers["authorization"] = "Bearer wrong-token-wrong-token";
  CHECK(pf.admit(req)->status == 401);
  CHECK(pf.post(req).status == 401);
  req.headers["authorization"] = "Bearer " + o.token;

  BundleBuilder b("src");
  b.signer = "";
  req.body = draft_tar(b.write(t.path()));
  REQUIRE_FALSE(pf.admit(req));
  req.query["wait"] = "60";
  const auto done = pf.post(req);
  REQUIRE(done.status == 200);
  const json r = json::parse(done.body);
  CHECK(r["would_be"] == "registered");
  CHECK(r["findings"].empty());
  CHECK_FALSE(r.contains("outcome"));
  CHECK(r["documents"].size() == 3);
  CHECK(r["preflight"]["signature_checked"] == false);

  // wait=0: 202 at once, then the result by id.
  REQUIRE_FALSE(pf.admit(req));
  req.query["wait"] = "0";
  const auto later = pf.post(req);
  REQUIRE(later.status == 202);
  const std::string id = json::parse(later.body)["id"];
  int status = 0;
  for (int i = 0; i < 600 && status != 200; ++i) {
    status = pf.get(id).status;
    if (status != 200) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  CHECK(status == 200);
  CHECK(pf.get("0123456789abcdef01234567").status == 404);
  // Nothing of a checked draft stays on disk.
  CHECK(listing(o.work_dir).empty());
  // The rate: 4 a minute, two taken above, two more pass, the fifth is 429.
  CHECK_FALSE(pf.admit(req));
  CHECK_FALSE(pf.admit(req));
  const auto limited = pf.admit(req);
  REQUIRE(limited);
  CHECK(limited->status == 429);
  // Past retention the result is gone.
  std::this_thread::sleep_for(std::chrono::milliseconds(2200));
  CHECK(pf.get(id).status == 404);
  // A bad tar is 400 and leaves nothing behind.
  req.body = "not a tar";
  CHECK(pf.post(req).status == 400);
  CHECK(listing(o.work_dir).empty());
}
