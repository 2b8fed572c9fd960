#include "cli/AdminCommands.hpp"

#include <boost/program_options.hpp>

#include <pwd.h>
#include <termios.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>

#include "cli/CheckCommand.hpp"
#include "cli/Reprocess.hpp"
#include "outcome/Signer.hpp"
#include "outcome/Status.hpp"
#include "registry/Registry.hpp"
#include "retention/Retention.hpp"
#include "review/Decisions.hpp"
#include "review/Users.hpp"
#include "rules/RuleSet.hpp"

namespace sot::cli {

namespace po = boost::program_options;
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr int kUsage = 2;
constexpr int kNotFound = 3;

// --config / --spool, common to the commands that open a spool.
void add_spool_options(po::options_description& d) {
  d.add_options()("config", po::value<std::string>(), "config file (TOML)")(
      "spool", po::value<std::string>(), "spool root (overrides the config)")(
      "registry", po::value<std::string>(),
      "registry URL: sqlite:PATH or postgresql://… (overrides [registry] url)");
}

Config spool_config(const po::variables_map& vm) {
  Config c =
      vm.count("config") ? load_config_file(vm["config"].as<std::string>()) : shipped_config();
  if (vm.count("spool")) c.spool_root = vm["spool"].as<std::string>();
  if (vm.count("registry")) c.registry_url = vm["registry"].as<std::string>();
  return c;
}

bool parse(const char* cmd, const std::vector<std::string>& args, po::options_description& desc,
           po::positional_options_description* pos, po::variables_map& vm) {
  try {
    auto parser = po::command_line_parser(args).options(desc);
    if (pos) parser.positional(*pos);
    po::store(parser.run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    std::cerr << "sot-intake " << cmd << ": " << e.what() << "\n\n" << desc;
    return false;
  }
  return true;
}

std::unique_ptr<registry::Registry> open_registry(const Config& c, bool read_only) {
  if (c.registry_url.empty()) {
    const fs::path file = registry::registry_file(c.spool_root);
    if (read_only && !fs::exists(file))
      throw registry::RegistryError(file.string() + " does not exist (has sot-intaked run on " +
                                    c.spool_root.string() + "?)");
  }
  auto reg = registry::open_registry(c.registry_url, c.spool_root, read_only);
  // A clerk's decision from the command line notifies the portal as the daemon's do.
  if (!read_only) reg->enable_outbox(!c.notify.url.empty());
  return reg;
}

std::string read_password() {
  std::string pw;
  const bool tty = ::isatty(0);
  termios old{};
  if (tty) {
    std::cerr << "password: " << std::flush;
    ::tcgetattr(0, &old);
    termios quiet = old;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    ::tcsetattr(0, TCSANOW, &quiet);
  }
  std::getline(std::cin, pw);
  if (tty) {
    ::tcsetattr(0, TCSANOW, &old);
    std::cerr << '\n';
  }
  return pw;
}

// A table cell of `width` characters (code points, not bytes: court names are Cyrillic).
std::string cell(const std::string& s, std::size_t width) {
  std::string out;
  std::size_t chars = 0;
  for (std::size_t i = 0; i < s.size() && chars < width; ++chars) {
    std::size_t len = 1;
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0xF0)
      len = 4;
    else if (c >= 0xE0)
      len = 3;
    else if (c >= 0xC0)
      len = 2;
    out += s.substr(i, len);
    i += len;
  }
  return out + std::string(width - chars, ' ');
}

}  // namespace

std::string cli_actor() {
  if (const char* sudo = std::getenv("SUDO_USER"); sudo && *sudo) return std::string("cli:") + sudo;
  if (const passwd* pw = ::getpwuid(::getuid())) return std::string("cli:") + pw->pw_name;
  return "cli:uid" + std::to_string(::getuid());
}

int status_main(const std::vector<std::string>& args) {
  po::options_description desc("sot-intake status SUBMISSION_ID [options]");
  add_spool_options(desc);
  desc.add_options()("json", "print the status as JSON")("help,h", "this text")(
      "submission", po::value<std::string>(), "submission id");
  po::positional_options_description pos;
  pos.add("submission", 1);
  po::variables_map vm;
  if (!parse("status", args, desc, &pos, vm)) return kUsage;
  if (vm.count("help") || !vm.count("submission")) {
    std::cout << desc;
    return vm.count("help") ? 0 : kUsage;
  }
  try {
    const Config c = spool_config(vm);
    const auto pipeline = build_pipeline(c);
    auto reg = open_registry(c, true);
    const std::string id = vm["submission"].as<std::string>();
    const auto s = outcome::filer_status(*reg, id, pipeline->rules());
    if (!s) {
      std::cerr << "sot-intake status: no submission '" << id << "' has been received\n";
      return kNotFound;
    }
    if (vm.count("json"))
      std::cout << s->dump(2, ' ', false, json::error_handler_t::replace) << '\n';
    else
      std::cout << outcome::format_status(*s);
    return 0;
  } catch (const ConfigError& e) {
    std::cerr << "sot-intake status: configuration error: " << e.what() << '\n';
    return kUsage;
  } catch (const std::exception& e) {
    std::cerr << "sot-intake status: " << e.what() << '\n';
    return 1;
  }
}

int review_main(const std::vector<std::string>& args, const std::string&) {
  const char* usage =
      "Usage: sot-intake review list [--json]\n"
      "       sot-intake review show BUNDLE [--json]\n"
      "       sot-intake review register BUNDLE [--note TEXT]\n"
      "       sot-intake review reject BUNDLE --reason CODE [--reason CODE ...] [--file DOC]\n"
      "                                [--note TEXT]\n"
      "       sot-intake review reprocess BUNDLE [--note TEXT]\n"
      "  (common: --config FILE, --spool DIR; BUNDLE is its name in review/)\n";
  if (args.empty()) {
    std::cerr << usage;
    return kUsage;
  }
  const std::string verb = args.front();
  std::vector<std::string> rest(args.begin() + 1, args.end());
  po::options_description desc("review options");
  add_spool_options(desc);
  desc.add_options()("json", "JSON output")("note", po::value<std::string>(), "why (free text)")(
      "reason", po::value<std::vector<std::string>>(), "a rejection reason (a code)")(
      "file", po::value<std::string>(), "the document the reasons concern")("help,h", "this text")(
      "bundle", po::value<std::string>(), "bundle");
  po::positional_options_description pos;
  pos.add("bundle", 1);
  po::variables_map vm;
  if (!parse("review", rest, desc, &pos, vm)) return kUsage;
  if (vm.count("help") || verb == "help" || verb == "--help" || verb == "-h") {
    std::cout << usage;
    return 0;
  }
  try {
    const Config c = spool_config(vm);
    const auto pipeline = build_pipeline(c);
    spool::Spool spool(c.spool_root);
    auto reg = open_registry(c, false);
    review::Decisions decisions(spool, *reg, c, pipeline->rules());
    if (verb == "list") {
      const auto items = decisions.queue();
      if (vm.count("json")) {
        json arr = json::array();
        for (const auto& i : items)
          arr.push_back({{"bundle", i.placed_as},
                         {"submission_id", i.submission_id},
                         {"court", i.court},
                         {"kind", i.kind},
                         {"filer", i.filer},
                         {"received_at", i.received_at},
                         {"age_hours", i.age_hours},
                         {"reasons", i.reasons},
                         {"assignee", i.assignee}});
        std::cout << arr.dump(2, ' ', false, json::error_handler_t::replace) << '\n';
      } else {
        std::cout << cell("bundle", 32) << "  age (h)  " << cell("court", 16) << cell("kind", 20)
                  << "reasons\n";
        for (const auto& i : items) {
          std::string reasons;
          for (const auto& r : i.reasons) reasons += (reasons.empty() ? "" : ",") + r;
          char age[32];
          std::snprintf(age, sizeof age, "%7.1f  ", i.age_hours);
          std::cout << cell(i.placed_as, 32) << "  " << age << cell(i.court, 16) << cell(i.kind, 20)
                    << reasons << '\n';
        }
        std::cout << items.size() << " in review\n";
      }
      return 0;
    }
    if (!vm.count("bundle")) {
      std::cerr << usage;
      return kUsage;
    }
    const std::string bundle = vm["bundle"].as<std::string>();
    if (verb == "show") {
      const auto v = decisions.show(bundle);
      if (!v) {
        std::cerr << "sot-intake review: '" << bundle << "' is not in review\n";
        return kNotFound;
      }
      if (vm.count("json")) {
        std::cout << v->dump(2, ' ', false, json::error_handler_t::replace) << '\n';
        return 0;
      }
      const json& r = (*v)["report"];
      std::cout << "bundle " << (*v)["bundle"].get<std::string>() << "  submission "
                << (r.is_object() && r["submission_id"].is_string()
                        ? r["submission_id"].get<std::string>()
                        : "-")
                << "\ncourt " << (*v)["filing"]["court_code"].get<std::string>() << " "
                << (*v)["filing"]["court"].get<std::string>() << ", "
                << (*v)["filing"]["kind"].get<std::string>() << ", filer "
                << (*v)["filing"]["filer"].get<std::string>() << "\nfindings:\n";
      if (r.is_object())
        for (const auto& f : r.value("findings", json::array())) {
          std::cout << "  " << f.value("severity", "") << "  " << f.value("code", "");
          if (f["file"].is_string()) std::cout << "  " << f["file"].get<std::string>();
          if (f["page"].is_number()) std::cout << " p." << f["page"].dump();
          std::cout << "\n      " << f.value("message", json::object()).value("ru", "") << '\n';
        }
      return 0;
    }
    if (verb == "register" || verb == "reject" || verb == "reprocess") {
      review::Decision d{bundle,
                         verb,
                         cli_actor(),
                         vm.count("reason") ? vm["reason"].as<std::vector<std::string>>()
                                            : std::vector<std::string>{},
                         vm.count("note") ? vm["note"].as<std::string>() : "",
                         vm.count("file") ? vm["file"].as<std::string>() : ""};
      const auto r = decisions.decide(d);
      if (!r.ok) {
        std::cerr << "sot-intake review " << verb << ": " << r.error << '\n';
        return r.error.find("not waiting in review") != std::string::npos ? kNotFound : 1;
      }
      if (!r.error.empty()) std::cerr << "sot-intake review " << verb << ": " << r.error << '\n';
      std::cout << bundle << ": " << r.outcome
                << (r.placed_as.empty() || r.placed_as == bundle ? "" : " as " + r.placed_as)
                << (r.registration_number.empty() ? "" : " " + r.registration_number) << '\n';
      return 0;
    }
    std::cerr << "sot-intake review: unknown action '" << verb << "'\n" << usage;
    return kUsage;
  } catch (const ConfigError& e) {
    std::cerr << "sot-intake review: configuration error: " << e.what() << '\n';
    return kUsage;
  } catch (const std::exception& e) {
    std::cerr << "sot-intake review: " << e.what() << '\n';
    return 1;
  }
}

int reprocess_main(const std::vector<std::string>& args, const std::string& self_exe) {
  po::options_description desc(
      "sot-intake reprocess (--dir BACKLOG | --outcome rejected|registered|review|all) [options]");
  add_spool_options(desc);
  desc.add_options()("trust-dir", po::value<std::string>(), "directory of PEM trust anchors")(
      "crl-dir", po::value<std::string>(), "directory of CRLs")(
      "dir", po::value<std::string>(), "a directory of bundles (each a subdirectory)")(
      "outcome", po::value<std::string>(),
      "registry bundles decided so: rejected, registered, "
      "review or all")("since", po::value<std::string>(), "decided at or after (YYYY-MM-DD)")(
      "court", po::value<std::string>(), "of this court code only")(
      "workers", po::value<unsigned>(), "parallel analysis workers (default: config)")(
      "state", po::value<std::string>(), "progress file (default: per selection)")(
      "restart", "forget the progress of an earlier run of the same selection")(
      "csv", po::value<std::string>(), "write the bundles whose outcome would change (CSV)")(
      "json", po::value<std::string>(), "the same as JSON")(
      "apply", "make the changes (audited); without it nothing decided changes")(
      "progress", po::value<std::string>()->default_value("auto"), "auto, bar, lines or none")(
      "help,h", "this text");
  po::variables_map vm;
  if (!parse("reprocess", args, desc, nullptr, vm)) return kUsage;
  if (vm.count("help")) {
    std::cout << desc;
    return 0;
  }
  if (vm.count("dir") == vm.count("outcome")) {
    std::cerr << "sot-intake reprocess: give either --dir or --outcome\n\n" << desc;
    return kUsage;
  }
  ReprocessOptions o;
  try {
    o.config = spool_config(vm);
  } catch (const ConfigError& e) {
    std::cerr << "sot-intake reprocess: configuration error: " << e.what() << '\n';
    return kUsage;
  }
  if (vm.count("trust-dir")) o.config.trust_dir = vm["trust-dir"].as<std::string>();
  if (vm.count("crl-dir")) o.config.crl_dir = vm["crl-dir"].as<std::string>();
  if (vm.count("dir")) o.backlog_dir = vm["dir"].as<std::string>();
  if (vm.count("outcome")) {
    o.outcome = vm["outcome"].as<std::string>();
    if (o.outcome != "rejected" && o.outcome != "registered" && o.outcome != "review" &&
        o.outcome != "all") {
      std::cerr << "sot-intake reprocess: --outcome must be rejected, registered, review or all\n";
      return kUsage;
    }
  }
  if (vm.count("since")) {
    o.since = vm["since"].as<std::string>();
    if (!parse_date(o.since.substr(0, 10))) {
      std::cerr << "sot-intake reprocess: --since: expected YYYY-MM-DD\n";
      return kUsage;
    }
  }
  if (vm.count("court")) o.court = vm["court"].as<std::string>();
  if (vm.count("workers")) o.workers = vm["workers"].as<unsigned>();
  if (vm.count("state")) o.state_file = vm["state"].as<std::string>();
  if (vm.count("csv")) o.csv_out = vm["csv"].as<std::string>();
  if (vm.count("json")) o.json_out = vm["json"].as<std::string>();
  o.restart = vm.count("restart") > 0;
  o.apply = vm.count("apply") > 0;
  o.progress = vm["progress"].as<std::string>();
  if (o.progress != "auto" && o.progress != "bar" && o.progress != "lines" &&
      o.progress != "none") {
    std::cerr << "sot-intake reprocess: --progress must be auto, bar, lines or none\n";
    return kUsage;
  }
  o.actor = cli_actor();
  o.self_exe = self_exe;
  try {
    return run_reprocess(o);
  } catch (const ConfigError& e) {
    std::cerr << "sot-intake reprocess: configuration error: " << e.what() << '\n';
    return kUsage;
  } catch (const rules::RulesError& e) {
    std::cerr << "sot-intake reprocess: rules error: " << e.what() << '\n';
    return kUsage;
  } catch (const std::exception& e) {
    std::cerr << "sot-intake reprocess: " << e.what() << '\n';
    return 1;
  }
}

int users_main(const std::vector<std::string>& args) {
  po::options_description desc(
      "sot-intake users add LOGIN --role clerk|lead [--users-file FILE | --config FILE]\n"
      "The password is read from standard input (without echo on a terminal).");
  desc.add_options()("config", po::value<std::string>(), "config file naming http.users_file")(
      "users-file", po::value<std::string>(), "the users file")(
      "role", po::value<std::string>()->default_value("clerk"), "clerk or lead")(
      "help,h", "this text")("verb", po::value<std::string>(), "add")(
      "login", po::value<std::string>(), "login");
  po::positional_options_description pos;
  pos.add("verb", 1).add("login", 1);
  po::variables_map vm;
  if (!parse("users", args, desc, &pos, vm)) return kUsage;
  if (vm.count("help") || !vm.count("verb") || vm["verb"].as<std::string>() != "add" ||
      !vm.count("login")) {
    std::cout << desc;
    return vm.count("help") ? 0 : kUsage;
  }
  fs::path file;
  try {
    if (vm.count("users-file"))
      file = vm["users-file"].as<std::string>();
    else if (vm.count("config"))
      file = load_config_file(vm["config"].as<std::string>()).users_file;
  } catch (const ConfigError& e) {
    std::cerr << "sot-intake users: configuration error: " << e.what() << '\n';
    return kUsage;
  }
  if (file.empty()) {
    std::cerr << "sot-intake users: no users file (--users-file, or http.users_file in --config)\n";
    return kUsage;
  }
  try {
    review::set_user(file, vm["login"].as<std::string>(), vm["role"].as<std::string>(),
                     read_password());
    std::cout << "sot-intake users: " << vm["login"].as<std::string>() << " ("
              << vm["role"].as<std::string>() << ") written to " << file.string() << '\n';
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "sot-intake users: " << e.what() << '\n';
    return 1;
  }
}

int verify_receipt_main(const std::vector<std::string>& args) {
  po::options_description desc(
      "sot-intake verify-receipt DIR --trust FILE|DIR\n"
      "Checks the court's signatures (.p7s) over a decided bundle's receipt or notice (DIR: the\n"
      "bundle or its result/ directory) against the court's certificates in --trust.");
  desc.add_options()("trust", po::value<std::string>(),
                     "PEM certificates the court's chain ends in")("help,h", "this text")(
      "dir", po::value<std::string>(), "the bundle or its result/");
  po::positional_options_description pos;
  pos.add("dir", 1);
  po::variables_map vm;
  if (!parse("verify-receipt", args, desc, &pos, vm)) return kUsage;
  if (vm.count("help") || !vm.count("dir") || !vm.count("trust")) {
    std::cout << desc;
    return vm.count("help") ? 0 : kUsage;
  }
  fs::path dir = vm["dir"].as<std::string>();
  std::error_code ec;
  if (fs::is_directory(dir / "result", ec)) dir /= "result";
  const auto checks = outcome::verify_outcome_signatures(dir, vm["trust"].as<std::string>());
  if (checks.empty()) {
    std::cerr << "sot-intake verify-receipt: no receipt or notice in " << dir.string() << '\n';
    return kNotFound;
  }
  bool all = true;
  for (const auto& c : checks) {
    std::cout << (c.ok ? "ok      " : "FAILED  ") << c.file << "  " << c.detail << '\n';
    all = all && c.ok;
  }
  return all ? 0 : 1;
}

int retention_main(const std::vector<std::string>& args) {
  const char* usage =
      "Usage: sot-intake retention run [--dry-run] [--json]\n"
      "       sot-intake retention hold BUNDLE [--note TEXT]\n"
      "       sot-intake retention release BUNDLE [--note TEXT]\n"
      "  (common: --config FILE, --spool DIR; the policy is the config's [retention])\n";
  if (args.empty()) {
    std::cerr << usage;
    return kUsage;
  }
  const std::string verb = args.front();
  std::vector<std::string> rest(args.begin() + 1, args.end());
  po::options_description desc("retention options");
  add_spool_options(desc);
  desc.add_options()("dry-run", "say what is due, change nothing")("json", "JSON output")(
      "note", po::value<std::string>(), "why (free text)")("help,h", "this text")(
      "bundle", po::value<std::string>(), "bundle id");
  po::positional_options_description pos;
  pos.add("bundle", 1);
  po::variables_map vm;
  if (!parse("retention", rest, desc, &pos, vm)) return kUsage;
  if (vm.count("help") || (verb != "run" && verb != "hold" && verb != "release")) {
    std::cout << usage;
    return vm.count("help") ? 0 : kUsage;
  }
  try {
    const Config c = spool_config(vm);
    spool::Spool spool(c.spool_root);
    auto reg = open_registry(c, false);
    if (verb == "hold" || verb == "release") {
      if (!vm.count("bundle")) {
        std::cerr << usage;
        return kUsage;
      }
      const std::string bundle = vm["bundle"].as<std::string>();
      if (!reg->find(bundle)) {
        std::cerr << "sot-intake retention: no bundle '" << bundle << "' in the registry\n";
        return kNotFound;
      }
      retention::set_hold(*reg, bundle, verb == "hold", cli_actor(),
                          vm.count("note") ? vm["note"].as<std::string>() : "");
      std::cout << bundle << (verb == "hold" ? ": on legal hold\n" : ": legal hold released\n");
      return 0;
    }
    const bool dry = vm.count("dry-run") > 0;
    const auto actions = retention::run(
        spool, *reg,
        {c.retention_rejected_files_days, c.retention_registered_archive_days,
         c.retention_archive_dir},
        std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now()), dry,
        cli_actor());
    int failed = 0;
    json out = json::array();
    for (const auto& a : actions) {
      failed += a.action == "failed";
      out.push_back(
          {{"bundle", a.bundle}, {"placed", a.placed}, {"action", a.action}, {"detail", a.detail}});
      if (!vm.count("json"))
        std::cout << (dry && a.action != "held" ? "would " : "") << a.action << "  " << a.placed
                  << (a.detail.contains("files")
                          ? "  (" + std::to_string(a.detail["files"].size()) + " files)"
                          : std::string())
                  << (a.detail.contains("error") ? "  " + a.detail["error"].get<std::string>()
                                                 : std::string())
                  << '\n';
    }
    if (vm.count("json"))
      std::cout << out.dump(2, ' ', false, json::error_handler_t::replace) << '\n';
    else
      std::cout << actions.size() << " bundle(s) due" << (dry ? " (dry run: nothing changed)" : "")
                << '\n';
    return failed ? 1 : 0;
  } catch (const ConfigError& e) {
    std::cerr << "sot-intake retention: configuration error: " << e.what() << '\n';
    return kUsage;
  } catch (const std::exception& e) {
    std::cerr << "sot-intake retention: " << e.what() << '\n';
    return 1;
  }
}

int notify_main(const std::vector<std::string>& args) {
  const char* usage =
      "Usage: sot-intake notify list [--state pending|delivered|dead] [--submission ID] [--json]\n"
      "       sot-intake notify retry (EVENT_ID | --dead)\n"
      "  (common: --config FILE, --spool DIR, --registry URL)\n"
      "  list:  the notifications to the portal in the registry's outbox, oldest first.\n"
      "  retry: send dead-lettered notifications again (one, or every dead one).\n";
  if (args.empty() || (args.front() != "list" && args.front() != "retry")) {
    std::cerr << usage;
    return kUsage;
  }
  const std::string verb = args.front();
  std::vector<std::string> rest(args.begin() + 1, args.end());
  po::options_description desc("notify options");
  add_spool_options(desc);
  desc.add_options()("state", po::value<std::string>()->default_value(""),
                     "pending, delivered, dead")(
      "submission", po::value<std::string>()->default_value(""), "one submission's")(
      "limit", po::value<std::size_t>()->default_value(1000), "at most this many")(
      "json", "JSON output")("dead", "every dead-lettered one")("help,h", "this text")(
      "event", po::value<long long>(), "event id");
  po::positional_options_description pos;
  pos.add("event", 1);
  po::variables_map vm;
  if (!parse("notify", rest, desc, &pos, vm)) return kUsage;
  if (vm.count("help")) {
    std::cout << usage;
    return 0;
  }
  try {
    const Config c = spool_config(vm);
    if (verb == "list") {
      auto reg = open_registry(c, true);
      const auto events =
          reg->events(vm["state"].as<std::string>(), vm["submission"].as<std::string>(),
                      vm["limit"].as<std::size_t>());
      json out = json::array();
      for (const auto& e : events) {
        out.push_back({{"id", e.id},
                       {"submission_id", e.submission},
                       {"bundle", e.bundle},
                       {"type", e.type},
                       {"created_at", e.created_at},
                       {"state", e.state},
                       {"attempts", e.attempts},
                       {"last_error", e.last_error},
                       {"delivered_at", e.delivered_at}});
        if (!vm.count("json"))
          std::cout << e.id << "  " << e.created_at << "  " << e.state << "  " << e.type << "  "
                    << e.submission << "  attempts " << e.attempts
                    << (e.last_error.empty() ? "" : "  " + e.last_error) << '\n';
      }
      if (vm.count("json"))
        std::cout << out.dump(2, ' ', false, json::error_handler_t::replace) << '\n';
      return 0;
    }
    if (!vm.count("dead") && !vm.count("event")) {
      std::cerr << usage;
      return kUsage;
    }
    auto reg = open_registry(c, false);
    const int n = reg->retry_events(vm.count("dead") ? 0 : vm["event"].as<long long>());
    reg->audit(cli_actor(), "notify-retry", "",
               {{"event", vm.count("dead") ? json("all dead") : json(vm["event"].as<long long>())},
                {"events", n}});
    std::cout << n << " notification(s) will be sent again\n";
    return n > 0 || vm.count("dead") ? 0 : kNotFound;
  } catch (const ConfigError& e) {
    std::cerr << "sot-intake notify: configuration error: " << e.what() << '\n';
    return kUsage;
  } catch (const std::exception& e) {
    std::cerr << "sot-intake notify: " << e.what() << '\n';
    return 1;
  }
}

int registry_main(const std::vector<std::string>& args) {
  const char* usage =
      "Usage: sot-intake registry migrate --to URL [--config FILE | --spool DIR]\n"
      "       sot-intake registry check [--config FILE | --spool DIR]\n"
      "  migrate: copy the configured registry (by default the spool's SQLite file) into URL\n"
      "           (postgresql://…), creating its schema; rows already there are kept, so it\n"
      "           can be run again; the row counts of every table are compared at the end.\n"
      "  check:   the schema version, the database's integrity and the numbers' gap-freedom.\n";
  if (args.empty() || (args.front() != "migrate" && args.front() != "check")) {
    std::cerr << usage;
    return kUsage;
  }
  const std::string verb = args.front();
  std::vector<std::string> rest(args.begin() + 1, args.end());
  po::options_description desc("registry options");
  add_spool_options(desc);
  desc.add_options()("to", po::value<std::string>(), "target registry URL")("help,h", "this text");
  po::variables_map vm;
  if (!parse("registry", rest, desc, nullptr, vm)) return kUsage;
  if (vm.count("help")) {
    std::cout << usage;
    return 0;
  }
  try {
    const Config c = spool_config(vm);
    if (verb == "check") {
      auto reg = open_registry(c, true);
      const std::string verdict = reg->integrity_check();
      std::cout << reg->describe() << ": schema " << registry::kSchemaVersion << ", " << verdict
                << '\n';
      return verdict == "ok" ? 0 : 1;
    }
    if (!vm.count("to")) {
      std::cerr << usage;
      return kUsage;
    }
    const std::string to_url = vm["to"].as<std::string>();
    auto from = open_registry(c, true);
    auto to = registry::open_registry(to_url, c.spool_root);
    std::cout << "copying " << from->describe() << " into " << to->describe() << '\n';
    const auto counts = registry::copy_registry(*from, *to);
    for (const auto& n : counts)
      std::cout << "  " << n.table << ": " << n.source << " rows, " << n.target
                << " in the target\n";
    std::cout << "done: every table's rows are in the target ("
              << (to->integrity_check() == "ok" ? "numbers gap-free" : to->integrity_check())
              << "). Set [registry] url = \"" << to_url << "\" and restart the daemons.\n";
    return 0;
  } catch (const ConfigError& e) {
    std::cerr << "sot-intake registry: configuration error: " << e.what() << '\n';
    return kUsage;
  } catch (const std::exception& e) {
    std::cerr << "sot-intake registry: " << e.what() << '\n';
    return 1;
  }
}

}  // namespace sot::cli
