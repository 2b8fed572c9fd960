#include "retention/Retention.hpp"

#include <openssl/evp.h>
#include <sys/stat.h>

#include <fstream>

#include "core/Text.hpp"

namespace sot::retention {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

std::string file_sha256(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr);
  std::vector<char> buf(1 << 16);
  while (in.read(buf.data(), static_cast<std::streamsize>(buf.size())) || in.gcount() > 0)
    EVP_DigestUpdate(ctx.get(), buf.data(), static_cast<std::size_t>(in.gcount()));
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned len = 0;
  EVP_DigestFinal_ex(ctx.get(), md, &len);
  return text::hex(std::string_view(reinterpret_cast<const char*>(md), len));
}

bool real_directory(const fs::path& p) {
  struct stat st {};
  return ::lstat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

bool older_than(const std::string& when, unsigned days, SysSeconds now) {
  const auto t = parse_rfc3339(when);
  return t && days > 0 && now - t->utc >= std::chrono::days(days);
}

}  // namespace

void set_hold(registry::Registry& registry, const std::string& bundle, bool on,
              const std::string& actor, const std::string& note) {
  registry.set_legal_hold(bundle, on);
  registry.audit(actor, on ? "legal-hold" : "legal-hold-release", bundle, {{"note", note}});
}

std::vector<Action> run(spool::Spool& spool, registry::Registry& registry, const Policy& policy,
                        SysSeconds now, bool dry_run, const std::string& actor) {
  std::vector<Action> done;
  registry::ListQuery q;
  q.outcome = "rejected";
  if (policy.rejected_files_days > 0)
    for (const auto& r : registry.list(q)) {
      if (r.state != "decided" || r.placed_as.empty() ||
          !older_than(r.updated_at, policy.rejected_files_days, now))
        continue;
      const fs::path dir = spool.outcome_dir(Outcome::kRejected) / r.placed_as;
      const fs::path files = dir / "files";
      if (!real_directory(dir) || !real_directory(files) || fs::is_empty(files)) continue;
      Action a{r.id, "rejected/" + r.placed_as, "purge", json::object()};
      if (registry.legal_hold(r.id)) {
        a.action = "held";
        done.push_back(std::move(a));
        continue;
      }
      json kept = json::array();
      std::error_code ec;
      for (const auto& e : fs::directory_iterator(files, ec)) {
        json f = {{"file", e.path().filename().string()}};
        if (e.is_regular_file(ec) && !e.is_symlink(ec)) {
          f["bytes"] = e.file_size(ec);
          f["sha256"] = file_sha256(e.path());
        }
        kept.push_back(std::move(f));
      }
      a.detail = {
          {"files", kept}, {"refused_at", r.updated_at}, {"days", policy.rejected_files_days}};
      if (!dry_run) {
        try {
          // Written down first (the registry, then the bundle), then the files go.
          registry.audit(actor, "retention-purge", r.id, a.detail);
          json record = a.detail;
          record["purged_at"] = format_rfc3339(now, 0);
          spool.write_result_at(dir, "retention.json", record.dump(2) + "\n");
          for (const auto& e : fs::directory_iterator(files)) fs::remove_all(e.path());
        } catch (const std::exception& ex) {
          a.action = "failed";
          a.detail["error"] = ex.what();
        }
      }
      done.push_back(std::move(a));
    }
  if (policy.registered_archive_days > 0 && !policy.archive_dir.empty()) {
    q.outcome = "registered";
    for (const auto& r : registry.list(q)) {
      if (r.state != "decided" || r.placed_as.empty() ||
          !older_than(r.updated_at, policy.registered_archive_days, now))
        continue;
      const fs::path dir = spool.outcome_dir(Outcome::kRegistered) / r.placed_as;
      if (!real_directory(dir)) continue;  // archived already
      Action a{r.id,
               "registered/" + r.placed_as,
               "archive",
               {{"to", (policy.archive_dir / r.placed_as).string()},
                {"registered_at", r.updated_at},
                {"days", policy.registered_archive_days}}};
      if (registry.legal_hold(r.id)) {
        a.action = "held";
      } else if (!dry_run) {
        std::error_code ec;
        fs::create_directories(policy.archive_dir, ec);
        if (fs::exists(policy.archive_dir / r.placed_as, ec)) {
          a.action = "failed";
          a.detail["error"] = "already in the archive";
        } else {
          registry.audit(actor, "retention-archive", r.id, a.detail);
          fs::rename(dir, policy.archive_dir / r.placed_as, ec);
          if (ec) {
            a.action = "failed";
            a.detail["error"] = ec.message() + " (the archive must be on the spool's filesystem)";
          }
        }
      }
      done.push_back(std::move(a));
    }
  }
  return done;
}

}  // namespace sot::retention
