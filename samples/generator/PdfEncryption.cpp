// encrypt_pdf (Documents.hpp) through libqpdf, in a file of its own: qpdf's headers do not
// compile with clang against libstdc++ 12, and the clang-built fuzz targets do not need it.
#include <qpdf/QPDF.hh>
#include <qpdf/QPDFWriter.hh>

#include "generator/Documents.hpp"

namespace sot::samples {

std::string encrypt_pdf(const std::string& pdf, bool user_password) {
  QPDF q;
  q.processMemoryFile("input.pdf", pdf.data(), pdf.size());
  QPDFWriter w(q);
  w.setOutputMemory();
  w.setR6EncryptionParameters(user_password ? "user-secret" : "", "owner-secret", true, false,
                              false, false, false, false, qpdf_r3p_none, true);
  w.write();
  auto buf = w.getBufferSharedPointer();
  return std::string(reinterpret_cast<const char*>(buf->getBuffer()), buf->getSize());
}

}  // namespace sot::samples
