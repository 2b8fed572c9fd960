// build_pipeline: the product's stages in order, configured once from Config and the rules.
#include "attachments/AttachmentsStage.hpp"
#include "authority/AuthorityStage.hpp"
#include "core/Pipeline.hpp"
#include "deadline/DeadlineStage.hpp"
#include "document/DocumentStage.hpp"
#include "document/TextFormatStage.hpp"
#include "filename/FileNameStage.hpp"
#include "format/FormatStage.hpp"
#include "identity/FilerIdentityStage.hpp"
#include "integrity/IntegrityStage.hpp"
#include "payment/PaymentStage.hpp"
#include "readability/ReadabilityStage.hpp"
#include "resubmission/ResubmissionStage.hpp"
#include "scan/ScanStage.hpp"
#include "signature/SignatureStage.hpp"
#include "size/SizeStage.hpp"

namespace sot {

std::shared_ptr<const Pipeline> build_pipeline(const Config& config) {
  return build_pipeline(config, config.rules_file.empty()
                                    ? rules::shipped_rules()
                                    : rules::load_rules_file(config.rules_file));
}

std::shared_ptr<const Pipeline> build_pipeline(const Config& config, rules::RuleSet rule_set) {
  auto rules = std::make_shared<const rules::RuleSet>(std::move(rule_set));
  std::vector<std::unique_ptr<const Stage>> stages;
  stages.push_back(std::make_unique<integrity::IntegrityStage>(config.clock_skew_seconds));
  auto trust = std::make_shared<const signature::TrustStore>(
      signature::TrustStore::load(config.trust_dir, config.intermediates_dir, config.crl_dir));
  stages.push_back(std::make_unique<signature::SignatureStage>(
      std::move(trust),
      std::vector<std::shared_ptr<const signature::SignatureVerifier>>{
          std::make_shared<signature::OpenSslVerifier>(),
          std::make_shared<signature::GostVerifier>()},
      config.clock_skew_seconds));
  stages.push_back(std::make_unique<size::SizeStage>());
  stages.push_back(std::make_unique<format::FormatStage>());
  stages.push_back(std::make_unique<document::DocumentStage>());
  // Readability before scan: a low resolution that still reads clearly is for a clerk.
  stages.push_back(std::make_unique<readability::ReadabilityStage>());
  stages.push_back(std::make_unique<scan::ScanStage>());
  stages.push_back(std::make_unique<document::TextFormatStage>());
  stages.push_back(std::make_unique<filename::FileNameStage>());
  stages.push_back(std::make_unique<identity::FilerIdentityStage>());
  stages.push_back(std::make_unique<authority::AuthorityStage>());
  stages.push_back(std::make_unique<attachments::AttachmentsStage>());
  stages.push_back(std::make_unique<payment::PaymentStage>());
  stages.push_back(std::make_unique<resubmission::ResubmissionStage>());
  stages.push_back(std::make_unique<deadline::DeadlineStage>());
  return std::make_shared<const Pipeline>(std::move(stages), std::move(rules), config);
}

}  // namespace sot
