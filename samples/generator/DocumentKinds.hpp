// The document-kind calibration set: the texts of the documents a filing carries — claims,
// appeals, cassation complaints, petitions, responses, court decisions and rulings, powers of
// attorney, receipts, contracts, certificates, letters — in Kazakh and Russian, each in the
// ways they come: a heading in capitals or not, under a court's address block, marked as a
// copy, or without a heading at all. Each carries its true kind and the titles a filer may
// legitimately give it (kk, ru, short forms), for the title check's false-mismatch count.
#pragma once

#include <string>
#include <vector>

namespace sot::samples {

struct KindSample {
  std::string name;      // kind-language-variant
  std::string kind;      // the kind a registry clerk would say it is (rules' kind names)
  std::string language;  // kk | ru
  std::string variant;   // heading | sentence-case | copy | address-block | no-heading
  std::string heading;   // the title line drawn at the top ("" for none)
  std::vector<std::string> paragraphs;
  std::vector<std::string> titles;  // titles that name this document correctly
};

std::vector<KindSample> kind_calibration_set();

}  // namespace sot::samples
