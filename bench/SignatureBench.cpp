// Signature verification per bundle: the signature stage alone (decode, CMS verification,
// chain to the anchors at submitted_at, CRL lookup, NCA identity; for GOST also the GOST
// paths and CRLs and, where the signer carries one, the timestamp token) and the whole current
// pipeline, on generated bundles signed by the test PKI; and, in the same run, one
// `openssl cms -verify -crl_check -attime` call on the same bundle — the check
// ../shared/bench/peer-check.sh makes several times per bundle.
//
//   sot-bench-signature [RUNS]     (default 300 runs per bundle kind)
#include <openssl/evp.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <vector>

#include "BenchUtil.hpp"
#include "config/Config.hpp"
#include "core/Pipeline.hpp"
#include "generator/Documents.hpp"
#include "generator/TestPki.hpp"
#include "rules/RuleSet.hpp"
#include "signature/SignatureStage.hpp"

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

void write(const fs::path& p, const std::string& data) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out.write(data.data(), static_cast<std::streamsize>(data.size()));
}

struct Stats {
  double median_ms;
  double p90_ms;
};

Stats stats(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return {v[v.size() / 2], v[std::min(v.size() - 1, v.size() * 9 / 10)]};
}

template <typename F>
Stats time_runs(int runs, F f) {
  std::vector<double> ms;
  for (int i = 0; i < runs; ++i) {
    const auto t0 = Clock::now();
    f();
    ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
  }
  return stats(ms);
}

using sot::bench::run_quiet;

// A claim bundle: manifest + three documents, signed by `signer`.
fs::path make_bundle(const fs::path& root, const std::string& id, const std::string& signer,
                     const sot::samples::SignOptions& options) {
  const fs::path dir = root / id;
  fs::create_directories(dir / "files");
  const std::string pdf = sot::samples::make_pdf("ТАЛАП АРЫЗ", {"Жауапкерден қарызды өндіру."});
  write(dir / "files" / "Талап арыз.pdf", pdf);
  const bool entity = signer == "legal-head" || signer == "gost-legal-head";
  std::string manifest = R"({"format":"sot-bundle/1","submission_id":"1","kind":"letter",)"
                         R"("proceeding":"civil","court":{"region":"Астана","code":"7110"},)"
                         R"("submitted_at":"2025-10-16T15:46:00+05:00","filer":{"kind":")";
  manifest += entity ? R"(legal_entity","iin":"880515300091","bin":"050140000656")"
                     : R"(individual","iin":"900101300126","bin":null)";
  manifest += R"(,"name":"Ахметов Арман"},"documents":[{"file":"Талап арыз.pdf",)"
              R"("title":"Хат","role":"main","sha256":")";
  // SHA-256 of the PDF, through the same OpenSSL the product uses.
  unsigned char md[32];
  unsigned len = 0;
  EVP_Digest(pdf.data(), pdf.size(), md, &len, EVP_sha256(), nullptr);
  static const char* hex = "0123456789abcdef";
  for (unsigned i = 0; i < len; ++i) {
    manifest += hex[md[i] >> 4];
    manifest += hex[md[i] & 15];
  }
  manifest += R"(","bytes":)" + std::to_string(pdf.size()) + "}]}\n";
  write(dir / "manifest.json", manifest);
  write(dir / "manifest.json.p7s", sot::samples::TestPki::shared().sign(signer, manifest, options));
  return dir;
}

}  // namespace

int main(int argc, char** argv) {
  const int runs = argc > 1 ? std::max(10, std::atoi(argv[1])) : 300;
  const fs::path root = fs::temp_directory_path() / ("sot-bench-sig-" + std::to_string(getpid()));
  fs::create_directories(root);
  const auto& pki = sot::samples::TestPki::shared();
  pki.write((root / "pki").string());

  sot::Config config = sot::shipped_config();
  config.trust_dir = root / "pki" / "trust";
  config.intermediates_dir = root / "pki" / "intermediates";
  config.crl_dir = root / "pki" / "crl";
  const auto full = sot::build_pipeline(config);
  auto trust = std::make_shared<const sot::signature::TrustStore>(
      sot::signature::TrustStore::load(config.trust_dir, config.intermediates_dir, config.crl_dir));
  std::vector<std::unique_ptr<const sot::Stage>> stages;
  stages.push_back(std::make_unique<sot::signature::SignatureStage>(
      trust, std::vector<std::shared_ptr<const sot::signature::SignatureVerifier>>{
                 std::make_shared<sot::signature::OpenSslVerifier>(),
                 std::make_shared<sot::signature::GostVerifier>()}));
  const sot::Pipeline alone(
      std::move(stages), std::make_shared<const sot::rules::RuleSet>(sot::rules::shipped_rules()),
      config);
  sot::SystemClock clock;

  // openssl cms wants the anchors and CRLs as PEM files.
  std::string ca_and_crl;
  for (const auto& d : {root / "pki" / "trust", root / "pki" / "intermediates"})
    for (const auto& e : fs::directory_iterator(d)) {
      std::ifstream in(e.path());
      ca_and_crl.append(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
  write(root / "ca.pem", ca_and_crl);

  std::printf("sot-intake signature verification, %d runs per bundle kind (median / p90)\n\n",
              runs);
  std::printf("%-30s %16s %16s %18s %8s\n", "signer", "signature stage", "whole pipeline",
              "openssl cms (1x)", "ratio");
  bool ok = true;
  struct Kind {
    const char* label;
    const char* signer;
    const char* timestamp;  // "" for none
  };
  for (const Kind& k : {Kind{"RSA-2048 individual", "individual", ""},
                        Kind{"ECDSA P-256 individual", "individual-ec", ""},
                        Kind{"RSA-2048 legal-entity head", "legal-head", ""},
                        Kind{"GOST 2015-512 individual", "gost-individual", ""},
                        Kind{"GOST 2015-512 + timestamp", "gost-individual", "20251016104510Z"},
                        Kind{"GOST 2004 individual", "gost-2004", ""},
                        Kind{"GOST 2015-512 legal head", "gost-legal-head", ""}}) {
    const std::string signer = k.signer;
    sot::samples::SignOptions options;
    options.timestamp = k.timestamp;
    const std::string id = std::string(k.signer) + (*k.timestamp ? "-ts" : "");
    const fs::path b = make_bundle(root, id, signer, options);
    const auto check = alone.run(b, clock);
    if (!check.findings.empty()) {
      std::cerr << signer << ": unexpected finding " << check.findings[0].finding.code << "\n";
      ok = false;
    }
    const Stats sig = time_runs(runs, [&] { (void)alone.run(b, clock); });
    const Stats all = time_runs(runs, [&] { (void)full->run(b, clock); });
    const std::vector<std::string> cli = {"openssl",  "cms",
                                          "-verify",  "-binary",
                                          "-inform",  "DER",
                                          "-in",      (b / "manifest.json.p7s").string(),
                                          "-content", (b / "manifest.json").string(),
                                          "-CAfile",  (root / "ca.pem").string(),
                                          "-purpose", "any",
                                          "-attime",  "1760611560",
                                          "-out",     "/dev/null"};
    if (signer.rfind("gost-", 0) == 0) {  // the openssl command cannot verify GOST at all
      std::printf("%-30s %7.3f / %6.3f %7.3f / %6.3f %18s %8s\n", k.label, sig.median_ms,
                  sig.p90_ms, all.median_ms, all.p90_ms, "-", "-");
      continue;
    }
    const Stats peer = time_runs(std::max(10, runs / 10), [&] { (void)run_quiet(cli); });
    std::printf("%-30s %7.3f / %6.3f %7.3f / %6.3f %8.2f / %7.2f %7.0fx\n", k.label, sig.median_ms,
                sig.p90_ms, all.median_ms, all.p90_ms, peer.median_ms, peer.p90_ms,
                peer.median_ms / sig.median_ms);
  }
  std::printf(
      "\nms per bundle. 'ratio' = one openssl cms call / the signature stage (medians);\n"
      "peer-check.sh makes 3-5 openssl calls per signed bundle, so its real cost is higher.\n");
  fs::remove_all(root);
  return ok ? 0 : 1;
}
