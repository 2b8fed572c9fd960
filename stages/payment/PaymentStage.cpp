#include "payment/PaymentStage.hpp"

#include "rules/RuleSet.hpp"

namespace sot::payment {

void PaymentStage::run(BundleContext& ctx, Findings& out) const {
  const Manifest* m = ctx.bundle.manifest();
  if (!m) return;
  if (!ctx.rules.duty_kinds.count(m->kind) || !ctx.rules.duty_proceedings.count(m->proceeding))
    return;
  auto missing = [&](std::string reason) {
    out.add("PAYMENT_MISSING", {{"reason", std::move(reason)}, {"kind", m->kind}});
  };
  bool has_receipt_doc = false;
  for (const auto& d : m->documents)
    if (d.role == "payment_receipt") has_receipt_doc = true;
  if (!m->payment) {
    if (!has_receipt_doc) missing("no payment information");
    return;
  }
  const Payment& p = *m->payment;
  if (p.exempt) {
    if (!p.exemption_basis) missing("exemption claimed without its basis (Tax Code art. 541)");
    return;
  }
  if (p.online_payment_id) return;
  if (p.receipt) {
    const DocumentEntry* d = m->find_document(*p.receipt);
    if (!d) missing("the receipt '" + *p.receipt + "' is not among the uploaded documents");
    return;
  }
  if (!has_receipt_doc) missing("no receipt, online payment or exemption");
}

}  // namespace sot::payment
