// sot-intaked: the spool daemon (spec §1).
//   sot-intaked [--config FILE] [--spool DIR] [--trust-dir DIR] [--crl-dir DIR] [--workers N]
//               [--bundle-timeout SECONDS] [--http-listen ADDRESS:PORT]
// Flags override the config file; without --config the shipped defaults apply. Runs until
// SIGTERM; SIGHUP reloads the config and rules. Exit status 2 on a usage or configuration
// error, 1 after a fatal spool or registry error (restart to recover), 0 after SIGTERM.
#include <boost/program_options.hpp>

#include <signal.h>
#include <unistd.h>

#include <iostream>

#include "readability/Ocr.hpp"
#include "review/Preview.hpp"
#include "rules/RuleSet.hpp"
#include "service/Service.hpp"

namespace po = boost::program_options;

int main(int argc, char** argv) {
  sot::readability::limit_ocr_threads(argv);
  // Signals wait for the service loop (signalfd): one that arrives while the configuration
  // and trust material load must not kill the daemon with its default action.
  sigset_t mask;
  sigemptyset(&mask);
  for (int s : {SIGTERM, SIGINT, SIGHUP}) sigaddset(&mask, s);
  pthread_sigmask(SIG_BLOCK, &mask, nullptr);

  po::options_description desc("sot-intaked options");
  desc.add_options()("help,h", "this text")("version", "version")(
      "config", po::value<std::string>(), "config file (TOML)")("spool", po::value<std::string>(),
                                                                "spool root")(
      "registry", po::value<std::string>(),
      "registry URL: sqlite:PATH or postgresql://… (overrides [registry] url)")(
      "trust-dir", po::value<std::string>(), "directory of PEM trust anchors")(
      "crl-dir", po::value<std::string>(), "directory of CRLs (PEM or DER)")(
      "intermediates-dir", po::value<std::string>(), "directory of PEM intermediate CAs")(
      "workers", po::value<unsigned>(), "worker threads (default: one per core)")(
      "bundle-timeout", po::value<unsigned>(), "seconds one bundle may take (default 120)")(
      "http-listen", po::value<std::string>(),
      "loopback address:port of /healthz, /metrics, /api/status and /review (\"\": none)")(
      "analysis-worker", "internal: serve as an analysis worker process on stdin/stdout")(
      "render-preview", po::value<std::vector<std::string>>()->multitoken(),
      "internal: FILE PAGE DPI, a page preview as PNG on stdout (sandboxed)")(
      "preview-text", po::value<std::vector<std::string>>()->multitoken(),
      "internal: FILE FORMAT, an office document's text on stdout (sandboxed)");
  po::variables_map vm;
  try {
    po::store(po::parse_command_line(argc, argv, desc), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    std::cerr << "sot-intaked: " << e.what() << "\n" << desc;
    return 2;
  }
  if (vm.count("help")) {
    std::cout << "Usage: sot-intaked [OPTIONS]\n\nWatches the submission spool and decides every "
                 "bundle: registered, rejected or review.\n\n"
              << desc;
    return 0;
  }
  if (vm.count("version")) {
    std::cout << "sot-intaked " << SOT_VERSION << " (bundle format sot-bundle/1)\n";
    return 0;
  }
  sot::service::ServiceOptions o;
  if (vm.count("config")) o.config_file = vm["config"].as<std::string>();
  if (vm.count("spool")) o.spool = vm["spool"].as<std::string>();
  if (vm.count("registry")) o.registry_url = vm["registry"].as<std::string>();
  if (vm.count("trust-dir")) o.trust_dir = vm["trust-dir"].as<std::string>();
  if (vm.count("crl-dir")) o.crl_dir = vm["crl-dir"].as<std::string>();
  if (vm.count("intermediates-dir"))
    o.intermediates_dir = vm["intermediates-dir"].as<std::string>();
  if (vm.count("workers")) o.workers = vm["workers"].as<unsigned>();
  if (vm.count("http-listen")) o.http_listen = vm["http-listen"].as<std::string>();
  if (vm.count("render-preview")) {
    const auto a = vm["render-preview"].as<std::vector<std::string>>();
    if (a.size() != 3) {
      std::cerr << "sot-intaked: --render-preview FILE PAGE DPI\n";
      return 2;
    }
    try {
      return sot::review::preview_main(a[0], std::stoi(a[1]), std::stoi(a[2]));
    } catch (const std::exception& e) {
      std::cerr << "sot-intaked: --render-preview: " << e.what() << '\n';
      return 2;
    }
  }
  if (vm.count("preview-text")) {
    const auto a = vm["preview-text"].as<std::vector<std::string>>();
    if (a.size() != 2) {
      std::cerr << "sot-intaked: --preview-text FILE FORMAT\n";
      return 2;
    }
    return sot::review::preview_text_main(a[0], a[1]);
  }
  if (vm.count("bundle-timeout"))
    o.worker_limits.bundle_timeout = std::chrono::seconds(vm["bundle-timeout"].as<unsigned>());
  try {
    if (vm.count("analysis-worker")) return sot::worker::worker_main(o.worker_limits);
    // Workers are this binary again; they get the configuration from the daemon.
    char self[4096];
    const ssize_t n = ::readlink("/proc/self/exe", self, sizeof self - 1);
    o.worker_argv = {n > 0 ? std::string(self, static_cast<size_t>(n)) : std::string(argv[0]),
                     "--analysis-worker"};
    sot::service::Service service(std::move(o));
    return service.run();
  } catch (const sot::ConfigError& e) {
    std::cerr << "sot-intaked: configuration error: " << e.what() << '\n';
    return 2;
  } catch (const sot::rules::RulesError& e) {
    std::cerr << "sot-intaked: rules error: " << e.what() << '\n';
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "sot-intaked: " << e.what() << '\n';
    return 1;
  }
}
