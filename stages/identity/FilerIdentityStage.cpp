#include "identity/FilerIdentityStage.hpp"

#include "core/FileName.hpp"
#include "identity/IdentityNumber.hpp"

namespace sot::identity {

void FilerIdentityStage::run(BundleContext& ctx, Findings& out) const {
  const Manifest* m = ctx.bundle.manifest();
  if (!m) return;
  const auto filed_on = local_date(m->submitted_at.utc, m->submitted_at.offset_minutes);
  if (m->filer.iin) {
    if (auto p = iin_problem(*m->filer.iin, filed_on))
      out.add("FILER_ID_INVALID", {{"field", "IIN"},
                                   {"path", "filer.iin"},
                                   {"value", printable_name(*m->filer.iin)},
                                   {"reason", *p}});
  }
  if (m->filer.bin) {
    if (auto p = bin_problem(*m->filer.bin))
      out.add("FILER_ID_INVALID", {{"field", "BIN"},
                                   {"path", "filer.bin"},
                                   {"value", printable_name(*m->filer.bin)},
                                   {"reason", *p}});
  }
}

}  // namespace sot::identity
