// Payment: PAYMENT_MISSING when the filing owes state duty (rules payment.duty_kinds within
// payment.duty_proceedings) and carries none of: a payment receipt document (the file
// named by payment.receipt, listed in documents, or a document with role payment_receipt),
// an online payment id, or an exemption with its basis (Tax Code art. 541).
#pragma once

#include "core/Stage.hpp"

namespace sot::payment {

class PaymentStage final : public Stage {
 public:
  std::string_view name() const override { return "payment"; }
  std::vector<std::string_view> codes() const override { return {"PAYMENT_MISSING"}; }
  void run(BundleContext& ctx, Findings& out) const override;
};

}  // namespace sot::payment
