#include "config/Config.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>
#include <thread>

namespace sot::embedded {
extern const std::string_view kShippedConfig;
}

namespace sot {

namespace {

class Reader {
 public:
  Reader(const toml::table& root, std::string source) : root_(root), source_(std::move(source)) {}

  [[noreturn]] void fail(const std::string& key, const std::string& what,
                         const toml::node* at) const {
    std::string where;
    if (at && at->source().begin.line > 0)
      where = " (line " + std::to_string(at->source().begin.line) + ")";
    throw ConfigError(source_ + ": " + key + ": " + what + where);
  }

  const toml::node* node(const std::string& key) const { return root_.at_path(key).node(); }

  std::string str(const std::string& key, const std::string& fallback) const {
    const toml::node* n = node(key);
    if (!n) return fallback;
    if (!n->is_string()) fail(key, "expected a string", n);
    return n->as_string()->get();
  }

  std::int64_t integer(const std::string& key, std::int64_t fallback, std::int64_t min,
                       std::int64_t max) const {
    const toml::node* n = node(key);
    if (!n) return fallback;
    if (!n->is_integer()) fail(key, "expected a whole number", n);
    const std::int64_t v = n->as_integer()->get();
    if (v < min || v > max)
      fail(key, "must be between " + std::to_string(min) + " and " + std::to_string(max), n);
    return v;
  }

  void check_known(
      const std::vector<std::pair<std::string, std::vector<std::string>>>& known) const {
    for (const auto& [section, node] : root_) {
      const std::string s(section.str());
      auto it = std::find_if(known.begin(), known.end(), [&](auto& k) { return k.first == s; });
      if (it == known.end()) fail(s, "unknown section", &node);
      const toml::table* t = node.as_table();
      if (!t) fail(s, "expected a table", &node);
      for (const auto& [key, value] : *t) {
        const std::string k(key.str());
        if (std::find(it->second.begin(), it->second.end(), k) == it->second.end())
          fail(s + "." + k, "unknown key", &value);
      }
    }
  }

 private:
  const toml::table& root_;
  std::string source_;
};

std::filesystem::path resolve(const std::filesystem::path& base, const std::string& p) {
  if (p.empty()) return {};
  std::filesystem::path path(p);
  return path.is_absolute() || base.empty() ? path : base / path;
}

}  // namespace

unsigned Config::effective_workers() const {
  if (workers > 0) return workers;
  const unsigned n = std::thread::hardware_concurrency();
  return n == 0 ? 1 : n;
}

Config load_config(std::string_view text, const std::string& source,
                   const std::filesystem::path& base_dir) {
  toml::table root;
  try {
    root = toml::parse(text, source);
  } catch (const toml::parse_error& e) {
    throw ConfigError(source + ": " + std::string(e.description()) + " (line " +
                      std::to_string(e.source().begin.line) + ", column " +
                      std::to_string(e.source().begin.column) + ")");
  }
  Reader r(root, source);
  r.check_known(
      {{"spool", {"root", "min_free_mb"}},
       {"signature", {"trust_dir", "intermediates_dir", "crl_dir"}},
       {"rules", {"file"}},
       {"workers", {"count"}},
       {"limits",
        {"manifest_max_bytes", "signature_max_bytes", "max_files", "max_documents",
         "clock_skew_seconds", "max_container_bytes"}},
       {"report", {"utc_offset"}},
       {"registry", {"number_format", "url"}},
       {"daemon", {"instance", "lease_seconds"}},
       {"notify",
        {"url", "secret", "secret_file", "ca_file", "timeout_seconds", "max_backoff_seconds",
         "dead_after_hours"}},
       {"http", {"listen", "users_file", "hosts", "review_target_hours"}},
       {"outcome", {"signing_key", "signing_cert"}},
       {"retention",
        {"rejected_files_days", "registered_archive_days", "archive_dir", "interval_minutes"}},
       {"preflight",
        {"token", "work_dir", "max_concurrent", "max_queued", "rate_per_minute",
         "retention_seconds"}}});
  Config c;
  c.source = source;
  c.spool_root = resolve(base_dir, r.str("spool.root", "/var/spool/sot-intake"));
  c.trust_dir = resolve(base_dir, r.str("signature.trust_dir", ""));
  c.intermediates_dir = resolve(base_dir, r.str("signature.intermediates_dir", ""));
  c.crl_dir = resolve(base_dir, r.str("signature.crl_dir", ""));
  c.rules_file = resolve(base_dir, r.str("rules.file", ""));
  c.workers = static_cast<unsigned>(r.integer("workers.count", 0, 0, 1024));
  c.bundle_limits.manifest_max_bytes =
      static_cast<std::uint64_t>(r.integer("limits.manifest_max_bytes", 1 << 20, 1024, 1 << 30));
  c.bundle_limits.signature_max_bytes =
      static_cast<std::uint64_t>(r.integer("limits.signature_max_bytes", 1 << 20, 1024, 1 << 30));
  c.bundle_limits.max_files =
      static_cast<std::uint32_t>(r.integer("limits.max_files", 1000, 1, 1000000));
  c.bundle_limits.manifest.max_documents =
      static_cast<std::uint32_t>(r.integer("limits.max_documents", 1000, 1, 1000000));
  c.clock_skew_seconds = r.integer("limits.clock_skew_seconds", 300, 0, 86400);
  c.facts_limits.identify.max_container_bytes = static_cast<std::uint64_t>(
      r.integer("limits.max_container_bytes", 64ll << 20, 1 << 20, 4ll << 30));

  c.min_free_bytes = static_cast<std::uint64_t>(r.integer("spool.min_free_mb", 256, 0, 1ll << 30))
                     << 20;
  c.number_format = r.str("registry.number_format", c.number_format);
  if (const std::string why = number_format_problem(c.number_format); !why.empty())
    r.fail("registry.number_format", why, r.node("registry.number_format"));
  c.registry_url = r.str("registry.url", "");
  if (!c.registry_url.empty()) {
    const auto starts = [&](const char* p) { return c.registry_url.rfind(p, 0) == 0; };
    if (starts("sqlite:") && c.registry_url.size() > 7)
      c.registry_url = "sqlite:" + resolve(base_dir, c.registry_url.substr(7)).string();
    else if (!starts("postgresql://") && !starts("postgres://"))
      r.fail("registry.url", "neither sqlite:PATH nor a postgresql:// URI", r.node("registry.url"));
  }
  c.instance = r.str("daemon.instance", "");
  for (const char ch : c.instance)
    if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '.' && ch != '-' && ch != '_' &&
        ch != ':')
      r.fail("daemon.instance", "letters, digits and . - _ : only", r.node("daemon.instance"));
  c.lease_seconds = static_cast<unsigned>(r.integer("daemon.lease_seconds", 30, 5, 3600));
  c.http_listen = r.str("http.listen", c.http_listen);
  if (!c.http_listen.empty() && !parse_listen_address(c.http_listen))
    r.fail("http.listen",
           "expected a loopback address and port like \"127.0.0.1:8470\" (or \"\" for none), "
           "got '" +
               c.http_listen + "'",
           r.node("http.listen"));
  c.users_file = resolve(base_dir, r.str("http.users_file", ""));
  c.review_target_hours =
      static_cast<unsigned>(r.integer("http.review_target_hours", 24, 1, 24 * 365));
  if (const toml::node* hosts = r.node("http.hosts")) {
    const toml::array* a = hosts->as_array();
    if (!a) r.fail("http.hosts", "expected a list of host names", hosts);
    for (const auto& h : *a) {
      if (!h.is_string() || h.as_string()->get().empty() ||
          h.as_string()->get().find_first_of(" /:@") != std::string::npos)
        r.fail("http.hosts", "expected host names (no port, no scheme)", &h);
      c.http_hosts.push_back(h.as_string()->get());
    }
  }

  c.outcome_signing_key = resolve(base_dir, r.str("outcome.signing_key", ""));
  c.outcome_signing_cert = resolve(base_dir, r.str("outcome.signing_cert", ""));
  if (c.outcome_signing_key.empty() != c.outcome_signing_cert.empty())
    r.fail(c.outcome_signing_key.empty() ? "outcome.signing_key" : "outcome.signing_cert",
           "signing_key and signing_cert are set together (or neither)", nullptr);
  c.retention_rejected_files_days =
      static_cast<unsigned>(r.integer("retention.rejected_files_days", 30, 0, 36500));
  c.retention_registered_archive_days =
      static_cast<unsigned>(r.integer("retention.registered_archive_days", 0, 0, 36500));
  c.retention_archive_dir = resolve(base_dir, r.str("retention.archive_dir", ""));
  if (c.retention_registered_archive_days > 0 && c.retention_archive_dir.empty())
    r.fail("retention.archive_dir", "registered_archive_days needs an archive_dir", nullptr);
  c.retention_interval_minutes =
      static_cast<unsigned>(r.integer("retention.interval_minutes", 60, 1, 7 * 24 * 60));
  c.notify.url = r.str("notify.url", "");
  if (!c.notify.url.empty()) {
    const auto& u = c.notify.url;
    const bool https = u.rfind("https://", 0) == 0;
    const bool loopback_http = u.rfind("http://127.0.0.1", 0) == 0 ||
                               u.rfind("http://localhost", 0) == 0 ||
                               u.rfind("http://[::1]", 0) == 0;
    if (!https && !loopback_http)
      r.fail("notify.url", "https:// (or http:// to a loopback relay only)", r.node("notify.url"));
  }
  c.notify.secret = r.str("notify.secret", "");
  if (const std::string file = r.str("notify.secret_file", ""); !file.empty()) {
    std::ifstream in(resolve(base_dir, file));
    std::string secret((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    while (!secret.empty() && (secret.back() == '\n' || secret.back() == '\r')) secret.pop_back();
    if (!in.good() && secret.empty())
      r.fail("notify.secret_file", "cannot be read", r.node("notify.secret_file"));
    c.notify.secret = secret;
  }
  if (!c.notify.url.empty() && c.notify.secret.size() < 16)
    r.fail("notify.secret", "the HMAC secret needs at least 16 characters (secret or secret_file)",
           r.node("notify.secret"));
  c.notify.ca_file = resolve(base_dir, r.str("notify.ca_file", ""));
  c.notify.timeout_seconds = static_cast<unsigned>(r.integer("notify.timeout_seconds", 10, 1, 300));
  c.notify.max_backoff_seconds =
      static_cast<unsigned>(r.integer("notify.max_backoff_seconds", 300, 1, 86400));
  c.notify.dead_after_hours =
      static_cast<unsigned>(r.integer("notify.dead_after_hours", 72, 1, 24 * 365));
  c.preflight.token = r.str("preflight.token", "");
  if (!c.preflight.token.empty() &&
      (c.preflight.token.size() < 16 ||
       c.preflight.token.find_first_of(" \t\r\n") != std::string::npos))
    r.fail("preflight.token", "expected at least 16 characters without spaces (or \"\" for off)",
           r.node("preflight.token"));
  {
    const std::string wd = r.str("preflight.work_dir", "");
    if (!wd.empty()) c.preflight.work_dir = resolve(base_dir, wd);
  }
  c.preflight.max_concurrent =
      static_cast<unsigned>(r.integer("preflight.max_concurrent", 1, 1, 64));
  c.preflight.max_queued = static_cast<unsigned>(r.integer("preflight.max_queued", 16, 1, 10000));
  c.preflight.rate_per_minute =
      static_cast<unsigned>(r.integer("preflight.rate_per_minute", 30, 1, 100000));
  c.preflight.retention_seconds =
      static_cast<unsigned>(r.integer("preflight.retention_seconds", 3600, 1, 7 * 86400));

  const std::string off = r.str("report.utc_offset", "+05:00");
  if (off == "local") {
    c.report_local_offset = true;
  } else {
    auto ts = parse_rfc3339("2000-01-01T00:00:00" + off);
    if (!ts || off.size() != 6)
      r.fail("report.utc_offset",
             "expected \"local\" or an offset like \"+05:00\", got '" + off + "'",
             r.node("report.utc_offset"));
    c.report_offset_minutes = ts->offset_minutes;
  }
  return c;
}

Config load_config_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError(path.string() + ": cannot be read");
  std::ostringstream ss;
  ss << in.rdbuf();
  return load_config(ss.str(), path.string(), path.parent_path());
}

nlohmann::json config_to_json(const Config& c) {
  return {{"source", c.source},
          {"spool_root", c.spool_root.string()},
          {"trust_dir", c.trust_dir.string()},
          {"intermediates_dir", c.intermediates_dir.string()},
          {"crl_dir", c.crl_dir.string()},
          {"manifest_max_bytes", c.bundle_limits.manifest_max_bytes},
          {"signature_max_bytes", c.bundle_limits.signature_max_bytes},
          {"max_files", c.bundle_limits.max_files},
          {"max_documents", c.bundle_limits.manifest.max_documents},
          {"decided_result_allowed", c.bundle_limits.decided_result_allowed},
          {"clock_skew_seconds", c.clock_skew_seconds},
          {"max_container_bytes", c.facts_limits.identify.max_container_bytes},
          {"report_local_offset", c.report_local_offset},
          {"report_offset_minutes", c.report_offset_minutes}};
}

Config config_from_json(const nlohmann::json& j) {
  Config c;
  c.source = j.at("source").get<std::string>();
  c.spool_root = j.at("spool_root").get<std::string>();
  c.trust_dir = j.at("trust_dir").get<std::string>();
  c.intermediates_dir = j.at("intermediates_dir").get<std::string>();
  c.crl_dir = j.at("crl_dir").get<std::string>();
  c.bundle_limits.manifest_max_bytes = j.at("manifest_max_bytes").get<std::uint64_t>();
  c.bundle_limits.signature_max_bytes = j.at("signature_max_bytes").get<std::uint64_t>();
  c.bundle_limits.max_files = j.at("max_files").get<std::uint32_t>();
  c.bundle_limits.manifest.max_documents = j.at("max_documents").get<std::uint32_t>();
  c.bundle_limits.decided_result_allowed = j.value("decided_result_allowed", false);
  c.clock_skew_seconds = j.at("clock_skew_seconds").get<std::int64_t>();
  c.facts_limits.identify.max_container_bytes = j.at("max_container_bytes").get<std::uint64_t>();
  c.report_local_offset = j.at("report_local_offset").get<bool>();
  c.report_offset_minutes = j.at("report_offset_minutes").get<std::int32_t>();
  return c;
}

namespace {
// Calls `literal(text)` and `field(name, width)` over a number format; false on a syntax error.
template <typename Literal, typename Field>
bool walk_number_format(const std::string& f, Literal literal, Field field) {
  std::size_t i = 0;
  while (i < f.size()) {
    const std::size_t open = f.find('{', i);
    if (open == std::string::npos) {
      literal(f.substr(i));
      break;
    }
    literal(f.substr(i, open - i));
    const std::size_t close = f.find('}', open);
    if (close == std::string::npos) return false;
    std::string name = f.substr(open + 1, close - open - 1);
    int width = 0;
    if (const auto colon = name.find(':'); colon != std::string::npos) {
      const std::string w = name.substr(colon + 1);
      if (w.empty() || w.size() > 2 ||
          !std::all_of(w.begin(), w.end(), [](char ch) { return ch >= '0' && ch <= '9'; }))
        return false;
      width = std::stoi(w);
      name.resize(colon);
    }
    field(name, width);
    i = close + 1;
  }
  return true;
}
}  // namespace

std::string number_format_problem(const std::string& format) {
  bool court = false, year = false, seq = false;
  std::string unknown;
  const bool ok = walk_number_format(
      format, [](const std::string&) {},
      [&](const std::string& name, int width) {
        if (name == "court")
          court = true;
        else if (name == "year" || name == "yy")
          year = true;
        else if (name == "seq" && width <= 12)
          seq = true;
        else
          unknown = name;
      });
  if (!ok) return "unbalanced '{' or a width that is not a number";
  if (!unknown.empty())
    return "unknown placeholder {" + unknown + "} (known: court, year, yy, seq)";
  if (!court || !year || !seq)
    return "must contain {court}, {year} (or {yy}) and {seq}: numbers are gap-free per court "
           "and year";
  if (format.size() > 64) return "longer than 64 characters";
  return "";
}

std::string format_registration_number(const std::string& format, const std::string& court,
                                       int year, long long seq) {
  std::string out;
  walk_number_format(
      format, [&](const std::string& text) { out += text; },
      [&](const std::string& name, int width) {
        std::string v = name == "court"  ? court
                        : name == "year" ? std::to_string(year)
                        : name == "yy"   ? std::to_string(year % 100)
                                         : std::to_string(seq);
        if (name == "yy" && v.size() < 2) v.insert(0, 2 - v.size(), '0');
        if (width > 0 && v.size() < static_cast<std::size_t>(width))
          v.insert(0, static_cast<std::size_t>(width) - v.size(), '0');
        out += v;
      });
  return out;
}

std::optional<ListenAddress> parse_listen_address(const std::string& text) {
  const auto colon = text.rfind(':');
  if (colon == std::string::npos || colon + 1 >= text.size() || text.size() - colon > 6)
    return std::nullopt;
  std::string host = text.substr(0, colon);
  const std::string port = text.substr(colon + 1);
  if (!std::all_of(port.begin(), port.end(), [](char ch) { return ch >= '0' && ch <= '9'; }))
    return std::nullopt;
  const long p = std::stol(port);
  if (p > 65535) return std::nullopt;
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  if (host == "localhost") host = "127.0.0.1";
  // Loopback only: the endpoint carries clerks' sessions and filers' statuses.
  const bool v4 = host.rfind("127.", 0) == 0 && std::count(host.begin(), host.end(), '.') == 3 &&
                  host.find_first_not_of("0123456789.") == std::string::npos;
  if (!v4 && host != "::1") return std::nullopt;
  return ListenAddress{host, static_cast<unsigned short>(p)};
}

Config shipped_config() {
  return load_config(embedded::kShippedConfig, "config/sot-intake.toml (shipped)", {});
}

}  // namespace sot
