// Real documents for sample bundles, made with the libraries that read them back:
// PDFs with Kazakh/Russian text (cairo + pango, Liberation Serif), gray JPEG scans with a JFIF
// density (cairo + TurboJPEG), PNG (cairo), DOCX/XLSX/DOCM (libzip), DOC and encrypted OOXML
// compound files (libgsf).
#pragma once

#include <string>
#include <vector>

namespace sot::samples {

// An A4 text PDF: a bold title and paragraphs, Liberation Serif 14.
std::string make_pdf(const std::string& title, const std::vector<std::string>& paragraphs);

// A page "scanned" to a gray JPEG: `width_mm` × `height_mm` at `dpi`, density in JFIF.
std::string make_jpeg_scan(const std::string& title, const std::vector<std::string>& paragraphs,
                           int dpi, double width_mm = 210, double height_mm = 297);

std::string make_png(const std::string& text);

// OOXML: `macro` makes a macro-enabled (.docm) package with a vbaProject.bin.
std::string make_docx(const std::string& title, const std::vector<std::string>& paragraphs,
                      bool macro = false);
std::string make_xlsx(const std::vector<std::vector<std::string>>& rows);

// OLE2: a Word 97-2003 document (WordDocument + 1Table streams) and a password-protected
// OOXML container (EncryptionInfo + EncryptedPackage).
std::string make_doc(const std::string& text);
std::string make_encrypted_ooxml();

}  // namespace sot::samples
