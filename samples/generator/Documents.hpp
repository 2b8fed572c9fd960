// Real documents for sample bundles, made with the libraries that read them back:
// PDFs with Kazakh/Russian text (cairo + pango, Liberation Serif), gray JPEG scans with a JFIF
// density (cairo + TurboJPEG), PNG (cairo), DOCX/XLSX/DOCM (libzip), DOC and encrypted OOXML
// compound files (libgsf).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace sot::samples {

// An A4 text PDF: a bold title and paragraphs, Liberation Serif 14.
std::string make_pdf(const std::string& title, const std::vector<std::string>& paragraphs);

// A one-page text PDF set in `font` (a fontconfig family) at `size_pt`.
std::string make_pdf_font(const std::string& font, double size_pt, const std::string& title,
                          const std::vector<std::string>& paragraphs);
// A text PDF of several A4 pages, each a title and paragraphs; an empty page stays blank.
std::string make_pdf_pages(
    const std::vector<std::pair<std::string, std::vector<std::string>>>& pages);

// A scanned PDF whose pages are the given JPEGs (all `width_px` × `height_px`, placed 1:1 at
// `dpi`), embedded as they are.
std::string make_pdf_of_scans(const std::vector<std::string>& jpegs, int dpi, int width_px,
                              int height_px);

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
std::string make_doc(const std::string& text, bool encrypted = false, bool macros = false);
std::string make_encrypted_ooxml();
// A Word 6/95 document (nFib 104, one WordDocument stream): `text` (UTF-8) stored 8-bit in
// the code page of language `lid` (0x0419 Russian: CP1251); `fast_saved` splits it into two
// pieces through a piece table (fComplex), stored in reverse order. `nfib` below 101 makes an
// older (Word 2-era) header whose text is not read.
std::string make_doc95(const std::string& text, bool fast_saved = false, unsigned lid = 0x0419,
                       unsigned nfib = 104);

// A scanned document as a PDF: each page an image of `width_mm` × `height_mm` at `dpi`,
// placed 1:1 on a page of that size. mode: "bilevel", "gray", "color" (a red stamp on it) or
// "color-of-gray" (an RGB JPEG of gray content, as a colour scan of a plain page).
std::string make_scanned_pdf(int dpi, const std::string& mode, int pages = 1, double width_mm = 210,
                             double height_mm = 297);

// A JPEG scan whose density is declared in JFIF ("jfif"), only in EXIF ("exif"), or nowhere
// ("none"); colour or gray; `width_px` × `height_px`.
std::string make_jpeg(int width_px, int height_px, int dpi, const std::string& density,
                      bool color = false);

// Declares `dpi` in a JPEG's JFIF header (no-op without one).
void set_jfif_density(std::string& jpeg, int dpi);
// Inserts an EXIF APP1 after the JPEG's JFIF header: Orientation (1-8) and, with `camera`, a
// phone's Make and Model.
void add_exif(std::string& jpeg, int orientation, bool camera);

// Minimal hand-assembled PDFs with one feature each: "plain", "javascript" (OpenAction),
// "launch" (a Launch action on a link), "embedded" (an EmbeddedFiles name tree), "no-pages",
// "deep" (an array nested 30,000 levels in the page dictionary); hostile ones:
// "huge-image" (a 100,000 × 100,000 px image in a few KB), "many-fonts" (5,000 fonts on one
// page), "filter-chain" (a content stream behind three Flate filters inflating to 256 MiB).
std::string make_feature_pdf(const std::string& feature);

// A PDF with `pages` empty A4 pages in a flat page tree (for page limits).
std::string make_many_pages_pdf(int pages);
// A scanned page (a gray JPEG of width × height px) placed at `dpi` with an OCR text layer:
// invisible text (render mode 3), or, `under_image`, ordinary text drawn before the image
// that covers it.
std::string make_scan_with_text_layer(const std::string& jpeg, int width_px, int height_px, int dpi,
                                      bool under_image);

// `pdf` encrypted with AES-256 (qpdf): with a user password, or with an owner password only.
std::string encrypt_pdf(const std::string& pdf, bool user_password);

// A DOCX whose document.xml inflates to `inflated_bytes` (a zip bomb when large).
std::string make_docx_bomb(std::uint64_t inflated_bytes);
// A DOCX whose settings attach the template at `target` (TargetMode="External").
std::string make_docx_with_template(const std::string& target);
// A DOCX whose body text is in `font` at `size_pt`.
std::string make_docx_font(const std::string& font, double size_pt);

}  // namespace sot::samples
