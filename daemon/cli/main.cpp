// sot-intake: the command-line companion of sot-intaked.
//   sot-intake check [--config FILE] [--trust-dir DIR] [--crl-dir DIR] [--jobs N] BUNDLE_DIR...
//   sot-intake status | review | reprocess | users … (cli/AdminCommands.hpp)
// Exit status: 0 when every bundle was processed (whatever the outcomes), 2 on a usage or
// configuration error.
#include <boost/program_options.hpp>

#include <unistd.h>

#include <algorithm>
#include <iostream>

#include "cli/AdminCommands.hpp"
#include "cli/CheckCommand.hpp"
#include "readability/Ocr.hpp"
#include "rules/RuleSet.hpp"
#include "worker/AnalysisWorker.hpp"

namespace po = boost::program_options;

namespace {

constexpr int kExitUsage = 2;

const char* kUsage =
    "Usage: sot-intake COMMAND [OPTIONS] ...\n"
    "\n"
    "Pre-screens electronic court filing bundles (sot-bundle/1).\n"
    "\n"
    "Commands:\n"
    "  check [--config FILE] [--trust-dir DIR] [--crl-dir DIR] [--intermediates-dir DIR]\n"
    "        [--jobs N] BUNDLE_DIR...\n"
    "        Run every check on bundles in place (nothing is moved) and print each\n"
    "        report.json as one JSON line, in the order given. Exit 0 when all were\n"
    "        processed, whatever the outcomes; 2 on a usage or configuration error.\n"
    "        Bundles are analysed in sandboxed worker processes, N at a time (default:\n"
    "        the config's workers, or the number of cores up to 8); one that crashes or exceeds "
    "--bundle-timeout SECONDS\n"
    "        (default 120) gets PROCESSING_FAILED.\n"
    "  status SUBMISSION_ID [--config FILE] [--spool DIR] [--json]\n"
    "        What the filer's status view shows: received, being checked, in review,\n"
    "        registered with its number, rejected with its reasons (exit 3: unknown).\n"
    "  review list|show|register|reject|reprocess [BUNDLE] [--reason CODE] [--note TEXT]\n"
    "        The clerks' review queue (the same decisions as the web UI, audited).\n"
    "  reprocess (--dir BACKLOG | --outcome STATE [--since DATE]) [--apply] [--csv F] [--json F]\n"
    "        Run today's checks again over a backlog, in parallel and resumable; prints what\n"
    "        would change. Nothing decided changes without --apply.\n"
    "  users add LOGIN --role clerk|lead [--users-file FILE | --config FILE]\n"
    "        Add or replace a clerk of the review UI (password from standard input).\n"
    "  retention run [--dry-run] | hold BUNDLE | release BUNDLE [--note TEXT]\n"
    "        Purge the files of rejected bundles past [retention] (manifest, signature,\n"
    "        result/ and hashes stay), archive old registered ones; legal holds.\n"
    "  notify list [--state pending|delivered|dead] | retry (ID | --dead)\n"
    "        The notifications to the portal (outbox); send dead-lettered ones again.\n"
    "  registry migrate --to postgresql://… | check\n"
    "        Copy the registry into PostgreSQL (idempotent, counts verified); check it.\n"
    "  verify-receipt DIR --trust FILE|DIR\n"
    "        Check the court's signatures over a decided bundle's receipt or notice.\n"
    "\n"
    "Options:\n"
    "  -h, --help     this text\n"
    "  --version      version of the program and of the shipped rules\n";

int check_main(const std::vector<std::string>& args, const std::string& self_exe) {
  po::options_description desc("check options");
  desc.add_options()("help,h", "this text")("config", po::value<std::string>(), "config file")(
      "trust-dir", po::value<std::string>(), "directory of PEM trust anchors")(
      "crl-dir", po::value<std::string>(), "directory of CRLs (PEM or DER)")(
      "intermediates-dir", po::value<std::string>(), "directory of PEM intermediate CAs")(
      "jobs,j", po::value<unsigned>(), "bundles analysed at once (default: the config's workers)")(
      "bundle-timeout", po::value<unsigned>(), "seconds one bundle may take (default 120)")(
      "in-process", "analyse in this process, one bundle after another (no isolation)")(
      "bundle", po::value<std::vector<std::string>>(), "bundle directory");
  po::positional_options_description pos;
  pos.add("bundle", -1);
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(args).options(desc).positional(pos).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    std::cerr << "sot-intake check: " << e.what() << "\n\n" << kUsage;
    return kExitUsage;
  }
  if (vm.count("help")) {
    std::cout << kUsage;
    return 0;
  }
  sot::cli::CheckOptions opts;
  if (vm.count("config")) opts.config_file = vm["config"].as<std::string>();
  if (vm.count("trust-dir")) opts.trust_dir = vm["trust-dir"].as<std::string>();
  if (vm.count("crl-dir")) opts.crl_dir = vm["crl-dir"].as<std::string>();
  if (vm.count("intermediates-dir"))
    opts.intermediates_dir = vm["intermediates-dir"].as<std::string>();
  if (vm.count("bundle"))
    for (const auto& b : vm["bundle"].as<std::vector<std::string>>()) opts.bundles.emplace_back(b);
  if (opts.bundles.empty()) {
    std::cerr << "sot-intake check: no bundle directory given\n\n" << kUsage;
    return kExitUsage;
  }
  try {
    const sot::Config config = sot::cli::resolve_config(opts);
    sot::cli::CheckRun run;
    if (!vm.count("in-process")) run.worker_argv = {self_exe, "--analysis-worker"};
    // Default: the config's workers; when it leaves them to the core count, at most 8 (each
    // worker holds its OCR engine, ~200 MB).
    run.jobs = vm.count("jobs") && vm["jobs"].as<unsigned>() > 0 ? vm["jobs"].as<unsigned>()
               : config.workers > 0                              ? config.workers
                                    : std::min(config.effective_workers(), 8u);
    if (vm.count("bundle-timeout") && vm["bundle-timeout"].as<unsigned>() > 0)
      run.bundle_timeout = std::chrono::seconds(vm["bundle-timeout"].as<unsigned>());
    sot::SystemClock clock;
    sot::cli::run_check(config, opts.bundles, run, clock, std::cout);
  } catch (const sot::ConfigError& e) {
    std::cerr << "sot-intake check: configuration error: " << e.what() << '\n';
    return kExitUsage;
  } catch (const sot::rules::RulesError& e) {
    std::cerr << "sot-intake check: rules error: " << e.what() << '\n';
    return kExitUsage;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  sot::readability::limit_ocr_threads(argv);
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) {
    std::cerr << kUsage;
    return kExitUsage;
  }
  const std::string cmd = args.front();
  if (cmd == "-h" || cmd == "--help" || cmd == "help") {
    std::cout << kUsage;
    return 0;
  }
  if (cmd == "--version") {
    std::string rules_version = "?";
    try {
      rules_version = sot::rules::shipped_rules().version;
    } catch (const std::exception&) {
    }
    std::cout << "sot-intake " << SOT_VERSION << " (bundle format sot-bundle/1, shipped rules "
              << rules_version << ")\n";
    return 0;
  }
  args.erase(args.begin());
  char self[4096];
  const ssize_t n = ::readlink("/proc/self/exe", self, sizeof self - 1);
  const std::string exe = n > 0 ? std::string(self, static_cast<size_t>(n)) : std::string(argv[0]);
  if (cmd == "check") return check_main(args, exe);
  try {
    if (cmd == "--analysis-worker") return sot::worker::worker_main(sot::worker::WorkerLimits{});
    if (cmd == "status") return sot::cli::status_main(args);
    if (cmd == "review") return sot::cli::review_main(args, exe);
    if (cmd == "reprocess") return sot::cli::reprocess_main(args, exe);
    if (cmd == "users") return sot::cli::users_main(args);
    if (cmd == "verify-receipt") return sot::cli::verify_receipt_main(args);
    if (cmd == "retention") return sot::cli::retention_main(args);
    if (cmd == "registry") return sot::cli::registry_main(args);
    if (cmd == "notify") return sot::cli::notify_main(args);
  } catch (const std::exception& e) {
    std::cerr << "sot-intake " << cmd << ": " << e.what() << '\n';
    return 1;
  }
  std::cerr << "sot-intake: unknown command '" << cmd << "'\n\n" << kUsage;
  return kExitUsage;
}
