// Pre-flight (spec §6) through the daemon's HTTP endpoint, as the portal's back end calls it:
// the token, a clean draft, a draft with exactly three defects, hostile and oversized bodies,
// 202 then the result by id, the rate limit, and kill -9 during pre-flights (no real bundle
// lost, no draft left behind).
#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <set>
#include <thread>

#include "e2e/DaemonSupport.hpp"
#include "support/HttpClient.hpp"
#include "support/Process.hpp"
#include "support/TarBuilder.hpp"
#include "support/TestBundle.hpp"

using nlohmann::json;
using namespace sot::test;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

const std::string kToken = "portal-token-7c1e9a52d4f0b6e3";

std::vector<std::pair<std::string, std::string>> bearer(const std::string& token = kToken) {
  return {{"Authorization", "Bearer " + token}};
}

// POSTs a draft; a 202 is followed to its result.
json preflight(int port, const std::string& tar, int* first_status = nullptr) {
  const auto r = http_request(port, "POST", "/api/preflight?wait=8", tar, bearer());
  if (first_status) *first_status = r.status;
  if (r.status == 200) return json::parse(r.body);
  if (r.status != 202) return json{{"http_status", r.status}, {"body", r.body}};
  const std::string location = r.headers.at("location");
  for (int i = 0; i < 300; ++i) {
    const auto g = http_request(port, "GET", location, "", bearer());
    if (g.status == 200) return json::parse(g.body);
    std::this_thread::sleep_for(200ms);
  }
  return json{{"http_status", 202}};
}

std::set<std::string> codes(const json& result) {
  std::set<std::string> out;
  for (const auto& f : result.value("findings", json::array())) out.insert(f.value("code", ""));
  return out;
}

// A request that only declares its size: the limit answers before any body is sent.
int declared_size_status(int port, unsigned long long length) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  timeval tv{10, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) return 0;
  const std::string req =
      "POST /api/preflight HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) +
      "\r\nAuthorization: Bearer " + kToken + "\r\nContent-Length: " + std::to_string(length) +
      "\r\n\r\n";
  (void)::send(fd, req.data(), req.size(), MSG_NOSIGNAL);
  char buf[512];
  const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
  ::close(fd);
  if (n < 12) return 0;
  return std::stoi(std::string(buf + 9, 3));
}

// The draft of a sample with three defects of the filer's making: a 150 dpi scan that still
// reads (SCAN_RESOLUTION_LOW, review), a camera-style file name (FILE_NAME_NOT_DESCRIPTIVE) and
// an appendix entry with no document (ATTACHMENT_COUNT_MISMATCH).
std::string defective_draft(const fs::path& work) {
  const fs::path dir = work / "defective";
  fs::remove_all(dir);
  fs::copy(samples().bundle("scan-resolution-low-readable"), dir, fs::copy_options::recursive);
  fs::remove(dir / "manifest.json.p7s");
  json m = json::parse(read_file(dir / "manifest.json"));
  for (auto& d : m["documents"])
    if (d["file"] == "Шарттың көшірмесі.pdf") d["file"] = "scan001.pdf";
  fs::rename(dir / "files" / "Шарттың көшірмесі.pdf", dir / "files" / "scan001.pdf");
  m["appendix"].push_back("Жеке куәліктің көшірмесі");
  write_file(dir / "manifest.json", m.dump(2));
  return draft_tar(dir);
}

std::string clean_draft(const fs::path& work) {
  const fs::path dir = work / "clean";
  fs::remove_all(dir);
  fs::copy(samples().bundle("clean-claim-individual"), dir, fs::copy_options::recursive);
  fs::remove(dir / "manifest.json.p7s");
  return draft_tar(dir);
}

std::string preflight_config(const fs::path& dir, const fs::path& work, int rate) {
  return write_config(dir, "[http]\nlisten = \"127.0.0.1:0\"\n[preflight]\ntoken = \"" + kToken +
                               "\"\nwork_dir = \"" + work.string() +
                               "\"\nrate_per_minute = " + std::to_string(rate) + "\n")
      .string();
}

}  // namespace

TEST_CASE("pre-flight over HTTP: token, findings, would_be, limits, 202, rate",
          "[daemon][preflight]") {
  TempDir t;
  const fs::path spool = t.path() / "spool";
  const fs::path work = t.path() / "preflight";
  const fs::path log = t.path() / "log";
  const int pid = start_daemon_with(
      spool, log, {"--config", preflight_config(t.path(), work, 12), "--workers", "1"});
  const int port = wait_for_http_port(log.string());
  REQUIRE(port > 0);
  const std::string clean = clean_draft(t.path());

  CHECK(http_request(port, "POST", "/api/preflight", clean).status == 401);
  const auto wrong =
      http_request(port, "POST", "/api/preflight", clean, bearer("guess-guess-guess"));
  CHECK(wrong.status == 401);
  CHECK(wrong.headers.count("www-authenticate") == 1);
  CHECK(http_request(port, "GET", "/api/preflight", "", bearer()).status == 405);

  const json ok = preflight(port, clean);
  CHECK(ok["would_be"] == "registered");
  CHECK(ok["findings"].empty());
  CHECK(ok["documents"].size() == 3);

  const json bad = preflight(port, defective_draft(t.path()));
  CHECK(codes(bad) == std::set<std::string>{"SCAN_RESOLUTION_LOW", "FILE_NAME_NOT_DESCRIPTIVE",
                                            "ATTACHMENT_COUNT_MISMATCH"});
  CHECK(bad["would_be"] == "rejected");
  for (const auto& f : bad["findings"]) {
    INFO(f.dump());
    CHECK_FALSE(f["message"]["kk"].get<std::string>().empty());
    CHECK_FALSE(f["message"]["ru"].get<std::string>().empty());
    CHECK_FALSE(f["action"]["ru"].get<std::string>().empty());
  }

  // Hostile and oversized bodies: refused, nothing extracted.
  const auto link =
      http_request(port, "POST", "/api/preflight",
                   make_tar({{"manifest.json", "{}"},
                             {"files/a.pdf", "", TarEntry::Type::kSymlink, "/etc/shadow"}}),
                   bearer());
  CHECK(link.status == 400);
  CHECK(declared_size_status(port, 50ull << 30) == 413);

  // No waiting: 202 with where to ask, then the result there.
  const auto later = http_request(port, "POST", "/api/preflight?wait=0", clean, bearer());
  REQUIRE(later.status == 202);
  const std::string location = later.headers.at("location");
  CHECK(location.rfind("/api/preflight/", 0) == 0);
  CHECK(http_request(port, "GET", location).status == 401);  // the portal's result only
  int status = 0;
  for (int i = 0; i < 300 && status != 200; ++i) {
    status = http_request(port, "GET", location, "", bearer()).status;
    if (status != 200) std::this_thread::sleep_for(100ms);
  }
  CHECK(status == 200);
  CHECK(http_request(port, "GET", "/api/preflight/00000000000000000000aaaa", "", bearer()).status ==
        404);

  // The token's rate (12 a minute): some more requests and it says 429.
  int limited = 0;
  std::string retry_after;
  for (int i = 0; i < 20 && !limited; ++i) {
    const auto r = http_request(port, "POST", "/api/preflight", "not a tar", bearer());
    if (r.status == 429) {
      limited = i + 1;
      retry_after = r.headers.count("retry-after") ? r.headers.at("retry-after") : "";
    } else {
      CHECK(r.status == 400);
    }
  }
  ::kill(pid, SIGTERM);
  CHECK(wait_for(pid) == 0);
  INFO(read_file(log));
  CHECK(limited > 0);
  CHECK_FALSE(retry_after.empty());
  // Nothing of a draft entered the spool or the registry, nor stays in the work directory.
  CHECK(decided(spool) == 0);
  CHECK(count_in(spool / "incoming") == 0);
  CHECK(count_in(spool / "active") == 0);
  CHECK(registry_outcomes(spool).empty());
  CHECK(count_in(work) == 0);
}

TEST_CASE("kill -9 during pre-flights loses no real bundle and leaves no draft behind",
          "[daemon][preflight][kill]") {
  TempDir t;
  const fs::path spool = t.path() / "spool";
  const fs::path work = t.path() / "preflight";
  const fs::path log = t.path() / "log";
  const std::string config = preflight_config(t.path(), work, 600);
  int pid = start_daemon_with(spool, log, {"--config", config, "--workers", "1"});
  int port = wait_for_http_port(log.string());
  REQUIRE(port > 0);
  const std::vector<std::string> real = {"clean-letter", "clean-claim-individual",
                                         "scan-resolution-low", "duplicate-file"};
  for (const auto& id : real) deliver(spool, samples().bundle(id), id);
  const std::string draft = defective_draft(t.path());
  for (int i = 0; i < 3; ++i)
    CHECK(http_request(port, "POST", "/api/preflight?wait=0", draft, bearer()).status == 202);
  std::this_thread::sleep_for(300ms);
  ::kill(pid, SIGKILL);
  wait_for(pid);
  // Restarted: every real bundle is decided, and the drafts of the killed run are gone.
  const fs::path log2 = t.path() / "log2";
  pid = start_daemon_with(spool, log2, {"--config", config, "--workers", "1"});
  port = wait_for_http_port(log2.string());
  const bool all =
      wait_until([&] { return decided(spool) == static_cast<int>(real.size()); }, 120s);
  const int left = count_in(work);
  ::kill(pid, SIGTERM);
  CHECK(wait_for(pid) == 0);
  INFO(read_file(log) + read_file(log2));
  CHECK(all);
  CHECK(left == 0);
  for (const auto& id : real) {
    INFO(id);
    const std::string outcome = samples().expected.at(id)["outcome"];
    CHECK(fs::is_directory(spool / outcome / id));
  }
}
