// Signature: the filer's NCA signature over manifest.json (spec §2-3), verified as a court
// must. One valid signature proves every file, since the manifest carries their digests.
//
//   SIGNATURE_MISSING                no manifest.json.p7s
//   SIGNATURE_INVALID                not a CMS SignedData (empty, truncated, a certificate…),
//                                    messageDigest ≠ SHA of manifest.json (edited after
//                                    signing), signature value does not verify, MD5/SHA-1,
//                                    RSA under 2048 bits, signer certificate absent
//   CERT_UNTRUSTED                   no chain to a configured trust anchor (CMS certificates
//                                    are path-building material only, never anchors)
//   CERT_EXPIRED                     a chain certificate not valid at the validation time, or
//                                    the signer's certificate not valid at the signature's
//                                    own claimed signingTime
//   CERT_REVOKED                     revoked, per a CRL, at or before the validation time
//   REVOCATION_UNKNOWN               no CRL of the issuer covers the validation time (review)
//   CERT_KEY_USAGE                   not a signing certificate (an NCA AUTH key)
//   SIGNATURE_ALGORITHM_UNSUPPORTED  no verifier for the algorithm (one we do not implement)
//   SIGNER_MISMATCH                  the certificate's IIN/BIN is not the manifest's filer
//   SIGNER_AUTHORITY                 a legal entity's employee without signing right (review)
//   BUNDLE_MALFORMED                 the signingTime or timestamp is later than submitted_at
//                                    beyond the clock tolerance
//   PROCESSING_FAILED                no trust anchors configured (never the filer's fault)
//
// Validation time = the best signature time: a trusted RFC 3161 timestamp token's time when
// the signer carries one, else the manifest's submitted_at (a backlog reprocessed later gets
// the day's verdict); the signingTime, else the arrival time, when the manifest is unusable.
// RSA and ECDSA chains are verified by OpenSSL, GOST chains and CRLs by CertificatePath. Every
// finding carries an ETSI EN 319 102-1 indication and sub-indication; report.json gets a
// "signature" section. Config: signature.trust_dir, signature.intermediates_dir, signature.crl_dir.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "core/Stage.hpp"
#include "signature/SignatureVerifier.hpp"
#include "signature/TrustStore.hpp"

namespace sot::signature {

class SignatureStage final : public Stage {
 public:
  // `verifiers` are tried in order; OpenSslVerifier is the usual first one.
  SignatureStage(std::shared_ptr<const TrustStore> trust,
                 std::vector<std::shared_ptr<const SignatureVerifier>> verifiers,
                 std::int64_t clock_skew_seconds = 300);

  std::string_view name() const override { return "signature"; }
  std::vector<std::string_view> codes() const override {
    return {"SIGNATURE_MISSING", "SIGNATURE_INVALID",
            "CERT_UNTRUSTED",    "CERT_EXPIRED",
            "CERT_REVOKED",      "REVOCATION_UNKNOWN",
            "CERT_KEY_USAGE",    "SIGNATURE_ALGORITHM_UNSUPPORTED",
            "SIGNER_MISMATCH",   "SIGNER_AUTHORITY",
            "BUNDLE_MALFORMED",  "PROCESSING_FAILED"};
  }
  void run(BundleContext& ctx, Findings& out) const override;

 private:
  std::shared_ptr<const TrustStore> trust_;
  std::vector<std::shared_ptr<const SignatureVerifier>> verifiers_;
  std::int64_t clock_skew_seconds_;
};

}  // namespace sot::signature
