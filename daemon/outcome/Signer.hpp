// The court signs what it decides: a detached CMS signature (DER, `<name>.p7s` beside it) over
// each of result/receipt.{json,pdf} and result/notice.{json,pdf}, with the court's key and
// certificate (`[outcome] signing_key`, `signing_cert`; the certificate file may carry the
// chain after it). A filer can prove what the court said; `sot-intake verify-receipt DIR`
// checks the signatures against the court's trust anchors.
//
// OpenSSL signs with what the key is (RSA, ECDSA); GOST court keys would need a GOST provider.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace sot::outcome {

class OutcomeSigner {
 public:
  // Throws std::runtime_error naming the file when the key or certificate cannot be used
  // (unreadable, not PEM, the key not the certificate's).
  static std::shared_ptr<const OutcomeSigner> load(const std::filesystem::path& key,
                                                   const std::filesystem::path& cert);
  ~OutcomeSigner();
  OutcomeSigner(const OutcomeSigner&) = delete;
  OutcomeSigner& operator=(const OutcomeSigner&) = delete;

  // The DER of a detached CMS SignedData over `data` (signing time included).
  std::string sign(const std::string& data) const;
  std::string subject() const;

 private:
  OutcomeSigner() = default;
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

struct SignatureCheck {
  std::string file;  // receipt.json, …
  bool ok = false;
  std::string detail;  // signer subject, or why not
};

// Verifies every signed outcome document in `result_dir` (receipt/notice .json/.pdf with its
// .p7s) against the PEM certificates in `trust` (a file or a directory). A document without
// its .p7s is reported as not ok.
std::vector<SignatureCheck> verify_outcome_signatures(const std::filesystem::path& result_dir,
                                                      const std::filesystem::path& trust);

}  // namespace sot::outcome
