#include "authority/AuthorityStage.hpp"

namespace sot::authority {

void AuthorityStage::run(BundleContext& ctx, Findings& out) const {
  const Manifest* m = ctx.bundle.manifest();
  if (!m || m->filer.capacity == "self") return;
  const bool advocate = m->filer.capacity == "advocate";
  const std::string needed = advocate ? "advocate_warrant" : "power_of_attorney";

  nlohmann::json represents = nlohmann::json::array();
  for (const auto i : m->filer.represents)
    if (i < m->parties.size())
      represents.push_back(
          {{"index", i}, {"role", m->parties[i].role}, {"name", m->parties[i].name}});
  nlohmann::json section = {
      {"capacity", m->filer.capacity}, {"represents", represents}, {"needed_role", needed}};

  const DocumentEntry* shown = nullptr;
  for (const auto& d : m->documents)
    if (d.role == needed) {
      shown = &d;
      break;
    }
  if (m->filer.authority_ref) {
    section["shown_by"] = "authority_ref";
    section["authority_ref"] = *m->filer.authority_ref;
  } else if (shown) {
    section["shown_by"] = "document";
    section["document"] = shown->file;
  } else {
    section["shown_by"] = nullptr;
    out.add("AUTHORITY_MISSING", {{"capacity", m->filer.capacity},
                                  {"capacity_kk", advocate ? "адвокат" : "өкіл"},
                                  {"capacity_ru", advocate ? "адвокат" : "представитель"},
                                  {"needed_role", needed},
                                  {"needed_kk", advocate ? "адвокаттың ордері" : "сенімхат"},
                                  {"needed_ru", advocate ? "ордер адвоката" : "доверенность"},
                                  {"represents", represents}});
  }
  ctx.sections["authority"] = std::move(section);
}

}  // namespace sot::authority
