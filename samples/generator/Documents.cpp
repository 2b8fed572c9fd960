#include "generator/Documents.hpp"

#include <cairo-pdf.h>
#include <cairo.h>
#include <gsf/gsf.h>
#include <pango/pangocairo.h>
#include <turbojpeg.h>
#include <unicode/ucnv.h>
#include <unistd.h>
#include <zip.h>
#include <zlib.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <stdexcept>

namespace sot::samples {

namespace {

cairo_status_t append_to_string(void* closure, const unsigned char* data, unsigned int len) {
  static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), len);
  return CAIRO_STATUS_SUCCESS;
}

constexpr double kPtPerMm = 72.0 / 25.4;

// A PDF of `pages` pages of w × h pt; draw(cr, page) paints each page before it is shown.
template <typename Draw>
std::string pdf_document(double w, double h, int pages, Draw&& draw) {
  std::string out;
  cairo_surface_t* s = cairo_pdf_surface_create_for_stream(append_to_string, &out, w, h);
  cairo_t* cr = cairo_create(s);
  for (int page = 0; page < pages; ++page) {
    cairo_save(cr);
    draw(cr, page);
    cairo_restore(cr);
    cairo_show_page(cr);
  }
  cairo_destroy(cr);
  cairo_surface_finish(s);
  cairo_surface_destroy(s);
  return out;
}

// Makes cairo embed `jpeg` as it is (DCTDecode) for image surface `img`; cairo owns the copy.
void attach_jpeg(cairo_surface_t* img, const std::string& jpeg) {
  auto* copy = static_cast<unsigned char*>(std::malloc(jpeg.size()));
  std::memcpy(copy, jpeg.data(), jpeg.size());
  cairo_surface_set_mime_data(img, CAIRO_MIME_TYPE_JPEG, copy, jpeg.size(), std::free, copy);
}

// Lays out title + paragraphs from the top-left margin; units are the context's.
void draw_text(cairo_t* cr, double width, double margin, double font_px, const std::string& title,
               const std::vector<std::string>& paragraphs, const char* font = "Liberation Serif") {
  PangoLayout* layout = pango_cairo_create_layout(cr);
  pango_layout_set_width(layout, static_cast<int>((width - 2 * margin) * PANGO_SCALE));
  pango_layout_set_wrap(layout, PANGO_WRAP_WORD);
  double y = margin;
  auto put = [&](const std::string& text, bool bold, PangoAlignment align) {
    PangoFontDescription* fd = pango_font_description_from_string(font);
    pango_font_description_set_absolute_size(fd, font_px * PANGO_SCALE);
    if (bold) pango_font_description_set_weight(fd, PANGO_WEIGHT_BOLD);
    pango_layout_set_font_description(layout, fd);
    pango_font_description_free(fd);
    pango_layout_set_alignment(layout, align);
    pango_layout_set_text(layout, text.c_str(), -1);
    cairo_move_to(cr, margin, y);
    pango_cairo_show_layout(cr, layout);
    int w = 0, h = 0;
    pango_layout_get_size(layout, &w, &h);
    y += static_cast<double>(h) / PANGO_SCALE + font_px * 0.6;
  };
  put(title, true, PANGO_ALIGN_CENTER);
  for (const auto& p : paragraphs) put(p, false, PANGO_ALIGN_LEFT);
  g_object_unref(layout);
}

struct ZipWriter {
  zip_source_t* src = nullptr;
  zip_t* z = nullptr;
  ZipWriter() {
    zip_error_t err;
    zip_error_init(&err);
    src = zip_source_buffer_create(nullptr, 0, 0, &err);
    if (!src) throw std::runtime_error("zip_source_buffer_create");
    zip_source_keep(src);
    z = zip_open_from_source(src, ZIP_TRUNCATE, &err);
    if (!z) throw std::runtime_error("zip_open_from_source");
  }
  void add(const char* name, const std::string& data) {
    auto* copy = static_cast<char*>(malloc(data.size()));
    std::memcpy(copy, data.data(), data.size());
    zip_source_t* s = zip_source_buffer(z, copy, data.size(), 1);
    if (!s || zip_file_add(z, name, s, ZIP_FL_ENC_UTF_8) < 0)
      throw std::runtime_error("zip_file_add");
  }
  std::string finish() {
    if (zip_close(z) < 0) throw std::runtime_error("zip_close");
    zip_source_open(src);
    zip_source_seek(src, 0, SEEK_END);
    const zip_int64_t size = zip_source_tell(src);
    zip_source_seek(src, 0, SEEK_SET);
    std::string out(static_cast<size_t>(size), '\0');
    zip_source_read(src, out.data(), static_cast<zip_uint64_t>(size));
    zip_source_close(src);
    zip_source_free(src);
    return out;
  }
};

std::string xml_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string rels(const std::string& target) {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
         "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
         "<Relationship Id=\"rId1\" "
         "Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
         "officeDocument\" Target=\"" +
         target + "\"/></Relationships>";
}

// [Content_Types].xml of a minimal Word document.
std::string word_content_types() {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
         "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
         "<Default Extension=\"rels\" "
         "ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>"
         "<Default Extension=\"xml\" ContentType=\"application/xml\"/>"
         "<Override PartName=\"/word/document.xml\" ContentType=\"application/"
         "vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/></Types>";
}

void gsf_once() {
  static std::once_flag once;
  std::call_once(once, [] { gsf_init(); });
}

std::string make_ole(const std::vector<std::pair<const char*, std::string>>& streams) {
  gsf_once();
  GsfOutput* mem = gsf_output_memory_new();
  GsfOutfile* ole = gsf_outfile_msole_new(mem);
  for (const auto& [name, data] : streams) {
    GsfOutput* child = gsf_outfile_new_child(ole, name, FALSE);
    gsf_output_write(child, data.size(), reinterpret_cast<const guint8*>(data.data()));
    gsf_output_close(child);
    g_object_unref(child);
  }
  gsf_output_close(GSF_OUTPUT(ole));
  g_object_unref(ole);
  const guint8* bytes = gsf_output_memory_get_bytes(GSF_OUTPUT_MEMORY(mem));
  std::string out(reinterpret_cast<const char*>(bytes), static_cast<size_t>(gsf_output_size(mem)));
  g_object_unref(mem);
  return out;
}

}  // namespace

std::string make_pdf(const std::string& title, const std::vector<std::string>& paragraphs) {
  return make_pdf_pages({{title, paragraphs}});
}

std::string make_pdf_pages(
    const std::vector<std::pair<std::string, std::vector<std::string>>>& pages) {
  const double w = 210 * kPtPerMm, h = 297 * kPtPerMm;
  return pdf_document(w, h, static_cast<int>(pages.size()), [&](cairo_t* cr, int page) {
    const auto& [title, paragraphs] = pages[static_cast<size_t>(page)];
    cairo_set_source_rgb(cr, 0, 0, 0);
    if (!title.empty() || !paragraphs.empty())
      draw_text(cr, w, 25 * kPtPerMm, 14, title, paragraphs);
  });
}

std::string make_pdf_font(const std::string& font, double size_pt, const std::string& title,
                          const std::vector<std::string>& paragraphs) {
  const double w = 210 * kPtPerMm, h = 297 * kPtPerMm;
  return pdf_document(w, h, 1, [&](cairo_t* cr, int) {
    cairo_set_source_rgb(cr, 0, 0, 0);
    draw_text(cr, w, 25 * kPtPerMm, size_pt, title, paragraphs, font.c_str());
  });
}

std::string make_pdf_of_scans(const std::vector<std::string>& jpegs, int dpi, int width_px,
                              int height_px) {
  return pdf_document(width_px * 72.0 / dpi, height_px * 72.0 / dpi, static_cast<int>(jpegs.size()),
                      [&](cairo_t* cr, int page) {
                        cairo_surface_t* img =
                            cairo_image_surface_create(CAIRO_FORMAT_RGB24, width_px, height_px);
                        attach_jpeg(img, jpegs[static_cast<size_t>(page)]);
                        cairo_scale(cr, 72.0 / dpi, 72.0 / dpi);
                        cairo_set_source_surface(cr, img, 0, 0);
                        cairo_paint(cr);
                        cairo_surface_destroy(img);
                      });
}

std::string make_jpeg_scan(const std::string& title, const std::vector<std::string>& paragraphs,
                           int dpi, double width_mm, double height_mm) {
  const int wpx = static_cast<int>(width_mm / 25.4 * dpi + 0.5);
  const int hpx = static_cast<int>(height_mm / 25.4 * dpi + 0.5);
  cairo_surface_t* s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, wpx, hpx);
  cairo_t* cr = cairo_create(s);
  cairo_set_source_rgb(cr, 0.97, 0.97, 0.96);
  cairo_paint(cr);
  cairo_set_source_rgb(cr, 0.05, 0.05, 0.05);
  const double px_per_pt = dpi / 72.0;
  draw_text(cr, wpx, 25 / 25.4 * dpi, 14 * px_per_pt, title, paragraphs);
  cairo_destroy(cr);
  cairo_surface_flush(s);
  // Gray plane from the RGB24 surface.
  std::vector<unsigned char> gray(static_cast<size_t>(wpx) * hpx);
  const unsigned char* data = cairo_image_surface_get_data(s);
  const int stride = cairo_image_surface_get_stride(s);
  for (int y = 0; y < hpx; ++y)
    for (int x = 0; x < wpx; ++x) {
      const auto* p = data + y * stride + x * 4;
      gray[static_cast<size_t>(y) * wpx + x] =
          static_cast<unsigned char>((p[0] * 29 + p[1] * 150 + p[2] * 77) >> 8);
    }
  cairo_surface_destroy(s);
  tjhandle tj = tjInitCompress();
  unsigned char* jpeg = nullptr;
  unsigned long size = 0;
  if (tjCompress2(tj, gray.data(), wpx, 0, hpx, TJPF_GRAY, &jpeg, &size, TJSAMP_GRAY, 85,
                  TJFLAG_ACCURATEDCT) != 0)
    throw std::runtime_error(std::string("tjCompress2: ") + tjGetErrorStr2(tj));
  std::string out(reinterpret_cast<char*>(jpeg), size);
  tjFree(jpeg);
  tjDestroy(tj);
  // TurboJPEG writes a JFIF APP0 with aspect-only density; set dots per inch.
  if (out.size() > 20 && static_cast<unsigned char>(out[2]) == 0xFF &&
      static_cast<unsigned char>(out[3]) == 0xE0 &&
      out.compare(6, 5, std::string("JFIF\0", 5)) == 0) {
    out[13] = 1;
    out[14] = static_cast<char>(dpi >> 8);
    out[15] = static_cast<char>(dpi & 0xFF);
    out[16] = static_cast<char>(dpi >> 8);
    out[17] = static_cast<char>(dpi & 0xFF);
  }
  return out;
}

std::string make_png(const std::string& text) {
  cairo_surface_t* s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, 600, 200);
  cairo_t* cr = cairo_create(s);
  cairo_set_source_rgb(cr, 1, 1, 1);
  cairo_paint(cr);
  cairo_set_source_rgb(cr, 0, 0, 0);
  draw_text(cr, 600, 20, 24, text, {});
  cairo_destroy(cr);
  std::string out;
  cairo_surface_write_to_png_stream(s, append_to_string, &out);
  cairo_surface_destroy(s);
  return out;
}

std::string make_docx(const std::string& title, const std::vector<std::string>& paragraphs,
                      bool macro) {
  const std::string main_type =
      macro ? "application/vnd.ms-word.document.macroEnabled.main+xml"
            : "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml";
  std::string types =
      "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
      "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
      "<Default Extension=\"rels\" "
      "ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>"
      "<Default Extension=\"xml\" ContentType=\"application/xml\"/>";
  if (macro)
    types += "<Default Extension=\"bin\" ContentType=\"application/vnd.ms-office.vbaProject\"/>";
  types += "<Override PartName=\"/word/document.xml\" ContentType=\"" + main_type + "\"/></Types>";
  std::string body;
  auto para = [&](const std::string& t, bool bold) {
    body +=
        "<w:p><w:r><w:rPr><w:rFonts w:ascii=\"Times New Roman\" w:hAnsi=\"Times New Roman\" "
        "w:cs=\"Times New Roman\"/>";
    if (bold) body += "<w:b/>";
    body += "<w:sz w:val=\"28\"/></w:rPr><w:t xml:space=\"preserve\">" + xml_escape(t) +
            "</w:t></w:r></w:p>";
  };
  para(title, true);
  for (const auto& p : paragraphs) para(p, false);
  const std::string doc =
      "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
      "<w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\">"
      "<w:body>" +
      body + "</w:body></w:document>";
  ZipWriter z;
  z.add("[Content_Types].xml", types);
  z.add("_rels/.rels", rels("word/document.xml"));
  z.add("word/document.xml", doc);
  if (macro) z.add("word/vbaProject.bin", make_ole({{"VBA", "Attribute VB_Name = \"Module1\""}}));
  return z.finish();
}

std::string make_xlsx(const std::vector<std::vector<std::string>>& rows) {
  const std::string types =
      "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
      "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
      "<Default Extension=\"rels\" "
      "ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>"
      "<Default Extension=\"xml\" ContentType=\"application/xml\"/>"
      "<Override PartName=\"/xl/workbook.xml\" "
      "ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/>"
      "<Override PartName=\"/xl/worksheets/sheet1.xml\" "
      "ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>"
      "</Types>";
  const std::string workbook =
      "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
      "<workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" "
      "xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">"
      "<sheets><sheet name=\"Кесте\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>";
  const std::string wb_rels =
      "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
      "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
      "<Relationship Id=\"rId1\" "
      "Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" "
      "Target=\"worksheets/sheet1.xml\"/></Relationships>";
  std::string data;
  int r = 1;
  for (const auto& row : rows) {
    data += "<row r=\"" + std::to_string(r) + "\">";
    char col = 'A';
    for (const auto& cell : row)
      data += std::string("<c r=\"") + col++ + std::to_string(r) + "\" t=\"inlineStr\"><is><t>" +
              xml_escape(cell) + "</t></is></c>";
    data += "</row>";
    ++r;
  }
  const std::string sheet =
      "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
      "<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">"
      "<sheetData>" +
      data + "</sheetData></worksheet>";
  ZipWriter z;
  z.add("[Content_Types].xml", types);
  z.add("_rels/.rels", rels("xl/workbook.xml"));
  z.add("xl/workbook.xml", workbook);
  z.add("xl/_rels/workbook.xml.rels", wb_rels);
  z.add("xl/worksheets/sheet1.xml", sheet);
  return z.finish();
}

std::string make_doc(const std::string& text, bool encrypted, bool macros) {
  // A Word 97 File Information Block (MS-DOC 2.5): FibBase, csw = 14, cslw = 22 with
  // ccpText, cbRgFcLcb = 0x5D with fcClx/lcbClx; fWhichTblStm set, so the piece table (Clx)
  // is in "1Table"; one uncompressed piece holding the text as UTF-16LE at offset 0x200.
  auto put16 = [](std::string& b, size_t at, unsigned v) {
    b[at] = static_cast<char>(v & 0xFF);
    b[at + 1] = static_cast<char>((v >> 8) & 0xFF);
  };
  auto put32 = [](std::string& b, size_t at, std::uint32_t v) {
    for (int k = 0; k < 4; ++k) b[at + k] = static_cast<char>((v >> (8 * k)) & 0xFF);
  };
  std::string utf16;
  for (size_t i = 0; i < text.size();) {  // UTF-8 → UTF-16LE (BMP is enough for fixtures)
    const auto c = static_cast<unsigned char>(text[i]);
    unsigned cp = c;
    size_t len = 1;
    if (c >= 0xE0) {
      cp = (c & 0x0F) << 12 | (text[i + 1] & 0x3F) << 6 | (text[i + 2] & 0x3F);
      len = 3;
    } else if (c >= 0xC0) {
      cp = (c & 0x1F) << 6 | (text[i + 1] & 0x3F);
      len = 2;
    }
    utf16 += static_cast<char>(cp & 0xFF);
    utf16 += static_cast<char>(cp >> 8);
    i += len;
  }
  utf16 += std::string("\r\0", 2);  // the final paragraph mark
  const std::uint32_t chars = static_cast<std::uint32_t>(utf16.size() / 2);
  std::string fib(0x200, '\0');
  put16(fib, 0x00, 0xA5EC);
  put16(fib, 0x02, 0x00C1);
  put16(fib, 0x0A, 0x0200 | (encrypted ? 0x0100 : 0));
  put16(fib, 0x20, 14);
  put16(fib, 0x3E, 22);
  put32(fib, 0x4C, chars);
  put16(fib, 0x98, 0x5D);
  std::string clx(1 + 4 + 8 + 8, '\0');
  clx[0] = 0x02;
  put32(clx, 1, 16);
  put32(clx, 5, 0);
  put32(clx, 9, chars);
  put32(clx, 13 + 2, 0x200);  // Pcd: flags, fc (uncompressed), prm
  put32(fib, 0x1A2, 0);
  put32(fib, 0x1A6, static_cast<std::uint32_t>(clx.size()));
  std::vector<std::pair<const char*, std::string>> streams = {{"WordDocument", fib + utf16},
                                                              {"1Table", clx}};
  if (macros) streams.push_back({"Macros", "Attribute VB_Name = \"NewMacros\""});
  return make_ole(streams);
}

std::string make_doc95(const std::string& text, bool fast_saved, unsigned lid, unsigned nfib) {
  auto put16 = [](std::string& b, size_t at, unsigned v) {
    b[at] = static_cast<char>(v & 0xFF);
    b[at + 1] = static_cast<char>((v >> 8) & 0xFF);
  };
  auto put32 = [](std::string& b, size_t at, std::uint32_t v) {
    for (int k = 0; k < 4; ++k) b[at + k] = static_cast<char>((v >> (8 * k)) & 0xFF);
  };
  // UTF-8 → the language's code page (ICU), the final paragraph mark after it.
  const char* codepage =
      (lid & 0x3FF) == 0x19 || (lid & 0x3FF) == 0x3F ? "windows-1251" : "windows-1252";
  UErrorCode status = U_ZERO_ERROR;
  std::string ansi(text.size() * 2 + 8, '\0');
  const int32_t n = ucnv_convert(codepage, "UTF-8", ansi.data(), static_cast<int32_t>(ansi.size()),
                                 text.data(), static_cast<int32_t>(text.size()), &status);
  if (U_FAILURE(status))
    throw std::runtime_error("make_doc95: text not in " + std::string(codepage));
  ansi.resize(static_cast<size_t>(n));
  ansi += '\r';
  const auto chars = static_cast<std::uint32_t>(ansi.size());

  // The Word 6 FIB: wIdent, nFib, lid, flags (fComplex), fcMin/fcMac, ccpText at 0x34,
  // fcClx/lcbClx at 0x160/0x164; the text from 0x300.
  constexpr std::uint32_t kText = 0x300;
  std::string word(kText, '\0');
  put16(word, 0x00, 0xA5EC);
  put16(word, 0x02, nfib);
  put16(word, 0x06, lid);
  put16(word, 0x0A, fast_saved ? 0x0004 : 0);
  put32(word, 0x18, kText);
  put32(word, 0x1C, kText + chars);
  put32(word, 0x34, chars);
  if (!fast_saved) {
    word += ansi;
  } else {
    // Two pieces, the second half first in the file, then the Clx.
    const std::uint32_t half = chars / 2;
    const std::string first = ansi.substr(0, half), second = ansi.substr(half);
    word += second;
    word += first;
    std::string clx(1 + 4 + 3 * 4 + 2 * 8, '\0');
    clx[0] = 0x02;
    put32(clx, 1, 3 * 4 + 2 * 8);
    put32(clx, 5, 0);
    put32(clx, 9, half);
    put32(clx, 13, chars);
    put32(clx, 17 + 2, kText + static_cast<std::uint32_t>(second.size()));  // piece 1: first half
    put32(clx, 25 + 2, kText);                                              // piece 2
    put32(word, 0x160, static_cast<std::uint32_t>(word.size()));
    put32(word, 0x164, static_cast<std::uint32_t>(clx.size()));
    word += clx;
  }
  return make_ole({{"WordDocument", word}});
}

namespace {

// A page "scanned" at `dpi`: text on an off-white sheet as an RGB24 cairo surface.
cairo_surface_t* scan_surface(int dpi, double width_mm, double height_mm, bool red_stamp) {
  const int wpx = static_cast<int>(width_mm / 25.4 * dpi + 0.5);
  const int hpx = static_cast<int>(height_mm / 25.4 * dpi + 0.5);
  cairo_surface_t* s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, wpx, hpx);
  cairo_t* cr = cairo_create(s);
  cairo_set_source_rgb(cr, 1, 1, 1);
  cairo_paint(cr);
  cairo_set_source_rgb(cr, 0, 0, 0);
  draw_text(cr, wpx, 25 / 25.4 * dpi, 14 * dpi / 72.0, "ШАРТ № 17",
            {"Қарыз беруші 1 500 000 теңге береді.", "Займодавец передаёт 1 500 000 тенге."});
  if (red_stamp) {
    cairo_set_source_rgb(cr, 0.85, 0.1, 0.1);
    cairo_set_line_width(cr, dpi / 40.0);
    cairo_arc(cr, wpx * 0.7, hpx * 0.8, dpi * 0.8, 0, 2 * M_PI);
    cairo_stroke(cr);
  }
  cairo_destroy(cr);
  cairo_surface_flush(s);
  return s;
}

std::string encode_rgb_jpeg(cairo_surface_t* s) {
  const int w = cairo_image_surface_get_width(s), h = cairo_image_surface_get_height(s);
  const int stride = cairo_image_surface_get_stride(s);
  tjhandle tj = tjInitCompress();
  unsigned char* jpeg = nullptr;
  unsigned long size = 0;
  if (tjCompress2(tj, cairo_image_surface_get_data(s), w, stride, h, TJPF_BGRX, &jpeg, &size,
                  TJSAMP_420, 80, 0) != 0)
    throw std::runtime_error(std::string("tjCompress2: ") + tjGetErrorStr2(tj));
  std::string out(reinterpret_cast<char*>(jpeg), size);
  tjFree(jpeg);
  tjDestroy(tj);
  return out;
}

// Bilevel: an A1 surface, so cairo embeds a 1-bit image.
cairo_surface_t* to_bilevel(cairo_surface_t* rgb) {
  const int w = cairo_image_surface_get_width(rgb), h = cairo_image_surface_get_height(rgb);
  cairo_surface_t* a1 = cairo_image_surface_create(CAIRO_FORMAT_A1, w, h);
  cairo_surface_flush(a1);
  const unsigned char* src = cairo_image_surface_get_data(rgb);
  unsigned char* dst = cairo_image_surface_get_data(a1);
  const int ss = cairo_image_surface_get_stride(rgb), ds = cairo_image_surface_get_stride(a1);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      const unsigned char* p = src + y * ss + x * 4;
      if ((p[0] + p[1] + p[2]) / 3 < 128) {  // ink
        auto* word = reinterpret_cast<uint32_t*>(dst + y * ds + (x / 32) * 4);
        *word |= 1u << (x % 32);
      }
    }
  cairo_surface_mark_dirty(a1);
  return a1;
}

}  // namespace

std::string make_scanned_pdf(int dpi, const std::string& mode, int pages, double width_mm,
                             double height_mm) {
  return pdf_document(width_mm * kPtPerMm, height_mm * kPtPerMm, pages, [&](cairo_t* cr, int) {
    cairo_surface_t* img = scan_surface(dpi, width_mm, height_mm, mode == "color");
    if (mode == "color-of-gray" || mode == "color") attach_jpeg(img, encode_rgb_jpeg(img));
    cairo_scale(cr, 72.0 / dpi, 72.0 / dpi);
    if (mode == "bilevel") {
      cairo_surface_t* a1 = to_bilevel(img);
      cairo_set_source_rgb(cr, 0, 0, 0);
      cairo_mask_surface(cr, a1, 0, 0);
      cairo_surface_destroy(a1);
    } else {
      cairo_set_source_surface(cr, img, 0, 0);
      cairo_paint(cr);
    }
    cairo_surface_destroy(img);
  });
}

void set_jfif_density(std::string& jpeg, int dpi) {
  if (jpeg.size() < 18 || static_cast<unsigned char>(jpeg[3]) != 0xE0) return;
  jpeg[13] = 1;  // dots per inch
  jpeg[14] = jpeg[16] = static_cast<char>(dpi >> 8);
  jpeg[15] = jpeg[17] = static_cast<char>(dpi & 0xFF);
}

namespace {

std::string be16(unsigned v) {
  return {static_cast<char>((v >> 8) & 0xFF), static_cast<char>(v & 0xFF)};
}
std::string be32(unsigned v) {
  return be16(v >> 16) + be16(v & 0xFFFF);
}

// One IFD0 entry of an EXIF block: its tag, type (2 ASCII, 3 SHORT, 5 RATIONAL), count and
// value bytes (big-endian; up to 4 stay in the entry, longer ones go after the IFD).
struct IfdEntry {
  unsigned tag, type, count;
  std::string value;
};

// An EXIF APP1 segment (big-endian TIFF, one IFD0 of `entries`, sorted by tag).
std::string exif_app1(const std::vector<IfdEntry>& entries) {
  std::string tiff("MM\0\x2A\0\0\0\x08", 8);
  std::string data;
  const auto data_at = static_cast<unsigned>(8 + 2 + entries.size() * 12 + 4);
  tiff += be16(static_cast<unsigned>(entries.size()));
  for (const auto& e : entries) {
    tiff += be16(e.tag) + be16(e.type) + be32(e.count);
    if (e.value.size() <= 4) {
      tiff += e.value + std::string(4 - e.value.size(), '\0');
    } else {
      tiff += be32(data_at + static_cast<unsigned>(data.size()));
      data += e.value;
    }
  }
  tiff += be32(0) + data;
  return "\xFF\xE1" + be16(static_cast<unsigned>(2 + 6 + tiff.size())) +
         std::string("Exif\0\0", 6) + tiff;
}

}  // namespace

void add_exif(std::string& jpeg, int orientation, bool camera) {
  std::vector<IfdEntry> entries;
  if (camera) {
    entries.push_back({0x010F, 2, 8, std::string("samsung", 8)});   // Make, with its NUL
    entries.push_back({0x0110, 2, 9, std::string("SM-A525F", 9)});  // Model
  }
  entries.push_back({0x0112, 3, 1, be16(static_cast<unsigned>(orientation))});
  // After SOI and the JFIF APP0 (2 + 18 bytes) when there is one.
  const size_t at = static_cast<unsigned char>(jpeg[3]) == 0xE0 ? 20 : 2;
  jpeg.insert(at, exif_app1(entries));
}

std::string make_jpeg(int width_px, int height_px, int dpi, const std::string& density,
                      bool color) {
  cairo_surface_t* s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, width_px, height_px);
  cairo_t* cr = cairo_create(s);
  cairo_set_source_rgb(cr, 0.97, 0.97, 0.96);
  cairo_paint(cr);
  cairo_set_source_rgb(cr, color ? 0.1 : 0.05, 0.05, color ? 0.6 : 0.05);
  draw_text(cr, width_px, width_px / 12.0, width_px / 40.0, "ШЕШІМ", {"Сот шешті."});
  cairo_destroy(cr);
  cairo_surface_flush(s);
  tjhandle tj = tjInitCompress();
  unsigned char* jpeg = nullptr;
  unsigned long size = 0;
  if (tjCompress2(tj, cairo_image_surface_get_data(s), width_px, cairo_image_surface_get_stride(s),
                  height_px, TJPF_BGRX, &jpeg, &size, color ? TJSAMP_420 : TJSAMP_GRAY, 85, 0) != 0)
    throw std::runtime_error(std::string("tjCompress2: ") + tjGetErrorStr2(tj));
  std::string out(reinterpret_cast<char*>(jpeg), size);
  tjFree(jpeg);
  tjDestroy(tj);
  cairo_surface_destroy(s);
  // out[2..]: FF E0 (JFIF APP0, 16 bytes of payload incl. length)
  const bool has_jfif = static_cast<unsigned char>(out[3]) == 0xE0;
  if (density == "jfif" && has_jfif) {
    set_jfif_density(out, dpi);
  } else if (density == "none" && has_jfif) {
    out[13] = 0;  // aspect ratio only
    out[14] = out[16] = 0;
    out[15] = out[17] = 1;
  } else if (density == "exif" && has_jfif) {
    // Replace JFIF by an EXIF APP1 holding XResolution/YResolution/ResolutionUnit (inch).
    const std::string rational = be32(static_cast<unsigned>(dpi)) + be32(1);
    const std::string app1 =
        exif_app1({{0x011A, 5, 1, rational}, {0x011B, 5, 1, rational}, {0x0128, 3, 1, be16(2)}});
    out = out.substr(0, 2) + app1 + out.substr(2 + 18);
  }
  return out;
}

namespace {
// zlib streams for hostile PDFs: `count` copies of one byte, deflated in chunks (never held
// whole), and the deflation of a given string.
std::string deflate_repeated(char byte, std::uint64_t count) {
  z_stream z{};
  if (deflateInit(&z, Z_BEST_COMPRESSION) != Z_OK) throw std::runtime_error("deflateInit");
  const std::string chunk(1 << 20, byte);
  std::string out;
  char buf[1 << 16];
  std::uint64_t left = count;
  int flush = Z_NO_FLUSH;
  do {
    const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(left, chunk.size()));
    left -= n;
    flush = left == 0 ? Z_FINISH : Z_NO_FLUSH;
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(chunk.data()));
    z.avail_in = static_cast<uInt>(n);
    do {
      z.next_out = reinterpret_cast<Bytef*>(buf);
      z.avail_out = sizeof buf;
      deflate(&z, flush);
      out.append(buf, sizeof buf - z.avail_out);
    } while (z.avail_out == 0);
  } while (flush != Z_FINISH);
  deflateEnd(&z);
  return out;
}

std::string deflate_bytes(const std::string& in) {
  uLongf n = compressBound(static_cast<uLong>(in.size()));
  std::string out(n, '\0');
  if (compress2(reinterpret_cast<Bytef*>(out.data()), &n, reinterpret_cast<const Bytef*>(in.data()),
                static_cast<uLong>(in.size()), Z_BEST_COMPRESSION) != Z_OK)
    throw std::runtime_error("compress2");
  out.resize(n);
  return out;
}

std::string assemble_pdf(const std::vector<std::string>& objects) {
  std::string out = "%PDF-1.7\n%\xE2\xE3\xCF\xD3\n";
  std::vector<size_t> offsets;
  for (size_t i = 0; i < objects.size(); ++i) {
    offsets.push_back(out.size());
    out += std::to_string(i + 1) + " 0 obj\n" + objects[i] + "\nendobj\n";
  }
  const size_t xref = out.size();
  out += "xref\n0 " + std::to_string(objects.size() + 1) + "\n0000000000 65535 f \n";
  for (size_t o : offsets) {
    char line[24];
    std::snprintf(line, sizeof line, "%010zu 00000 n \n", o);
    out += line;
  }
  out += "trailer\n<< /Size " + std::to_string(objects.size() + 1) +
         " /Root 1 0 R >>\nstartxref\n" + std::to_string(xref) + "\n%%EOF\n";
  return out;
}
}  // namespace

std::string make_feature_pdf(const std::string& feature) {
  std::string content = "BT /F1 14 Tf 72 720 Td (Hello court) Tj ET";
  std::string content_object;
  std::string catalog = "<< /Type /Catalog /Pages 2 0 R";
  std::string page =
      "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
      "/Resources << /Font << /F1 5 0 R >> >>";
  std::vector<std::string> extra;
  if (feature == "javascript") {
    catalog += " /OpenAction 6 0 R";
    extra.push_back("<< /Type /Action /S /JavaScript /JS (app.alert\\(1\\);) >>");
  } else if (feature == "launch") {
    page += " /Annots [6 0 R]";
    extra.push_back(
        "<< /Type /Annot /Subtype /Link /Rect [0 0 100 100] /A << /S /Launch /F "
        "(cmd.exe) >> >>");
  } else if (feature == "deep") {
    page += " /Deep " + std::string(30000, '[') + std::string(30000, ']');
  } else if (feature == "huge-image") {
    // A 100,000 × 100,000 gray image behind a few bytes: decoding it is 10 GB of pixels.
    page =
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        "/Resources << /Font << /F1 5 0 R >> /XObject << /Im1 6 0 R >> >>";
    content = "q 595 0 0 842 0 0 cm /Im1 Do Q";
    const std::string pixels = deflate_repeated('\xff', 1 << 20);
    extra.push_back(
        "<< /Type /XObject /Subtype /Image /Width 100000 /Height 100000 "
        "/ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /FlateDecode /Length " +
        std::to_string(pixels.size()) + " >>\nstream\n" + pixels + "\nendstream");
  } else if (feature == "many-fonts") {
    // 5,000 distinct fonts, each used once: every one is looked up and loaded.
    std::string fonts, text;
    for (int i = 0; i < 5000; ++i) {
      fonts += "/F" + std::to_string(i + 10) + " " + std::to_string(i + 6) + " 0 R ";
      text += "/F" + std::to_string(i + 10) + " 12 Tf (a) Tj ";
      extra.push_back("<< /Type /Font /Subtype /TrueType /BaseFont /Font" + std::to_string(i) +
                      " /FirstChar 97 /LastChar 97 /Widths [500] >>");
    }
    page =
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        "/Resources << /Font << /F1 5 0 R " +
        fonts + ">> >>";
    content = "BT 72 720 Td " + text + "ET";
  } else if (feature == "filter-chain") {
    // The content stream behind three Flate filters: a few hundred bytes that inflate to 256 MiB of
    // spaces.
    const std::string once = deflate_repeated(' ', 256ull << 20);
    const std::string twice = deflate_bytes(once);
    const std::string thrice = deflate_bytes(twice);
    content_object = "<< /Filter [/FlateDecode /FlateDecode /FlateDecode] /Length " +
                     std::to_string(thrice.size()) + " >>\nstream\n" + thrice + "\nendstream";
  } else if (feature == "embedded") {
    catalog += " /Names << /EmbeddedFiles << /Names [(a.exe) 6 0 R] >> >>";
    extra.push_back("<< /Type /Filespec /F (a.exe) /EF << /F 7 0 R >> >>");
    extra.push_back("<< /Type /EmbeddedFile /Length 2 >>\nstream\nMZ\nendstream");
  }
  catalog += " >>";
  page += " >>";
  std::vector<std::string> objs = {
      catalog,
      feature == "no-pages" ? "<< /Type /Pages /Kids [] /Count 0 >>"
                            : "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
      page,
      content_object.empty() ? "<< /Length " + std::to_string(content.size()) + " >>\nstream\n" +
                                   content + "\nendstream"
                             : content_object,
      "<< /Type /Font /Subtype /Type1 /BaseFont /Times-Roman >>"};
  objs.insert(objs.end(), extra.begin(), extra.end());
  return assemble_pdf(objs);
}

std::string make_scan_with_text_layer(const std::string& jpeg, int width_px, int height_px, int dpi,
                                      bool under_image) {
  const double w = width_px * 72.0 / dpi, h = height_px * 72.0 / dpi;
  char cm[96];
  std::snprintf(cm, sizeof cm, "q %.2f 0 0 %.2f 0 0 cm /Im1 Do Q", w, h);
  // An OCR layer: invisible text (render mode 3), or visible text hidden under the image.
  std::string text = under_image ? "BT /F1 11 Tf" : "BT 3 Tr /F1 11 Tf";
  const char* lines[] = {"The claimant asks the court to recover the loan under the contract",
                         "of 12 March 2024 between the parties, with the penalty and costs.",
                         "The defendant did not return the money within the agreed term."};
  for (int i = 0; i < 3; ++i)
    text += " 1 0 0 1 60 " + std::to_string(static_cast<int>(h) - 80 - 16 * i) + " Tm (" +
            lines[i] + ") Tj";
  text += " ET";
  const std::string content = under_image ? text + " " + cm : std::string(cm) + " " + text;
  return assemble_pdf(
      {"<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
       "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 " + std::to_string(w) + " " +
           std::to_string(h) +
           "] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> /XObject << /Im1 6 0 R >> >> >>",
       "<< /Length " + std::to_string(content.size()) + " >>\nstream\n" + content + "\nendstream",
       "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
       "<< /Type /XObject /Subtype /Image /Width " + std::to_string(width_px) + " /Height " +
           std::to_string(height_px) +
           " /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /DCTDecode /Length " +
           std::to_string(jpeg.size()) + " >>\nstream\n" + jpeg + "\nendstream"});
}

std::string make_many_pages_pdf(int pages) {
  std::string kids;
  for (int i = 0; i < pages; ++i) kids += std::to_string(i + 3) + " 0 R ";
  std::vector<std::string> objs = {
      "<< /Type /Catalog /Pages 2 0 R >>",
      "<< /Type /Pages /Kids [" + kids + "] /Count " + std::to_string(pages) + " >>"};
  for (int i = 0; i < pages; ++i)
    objs.push_back("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>");
  return assemble_pdf(objs);
}

std::string make_docx_bomb(std::uint64_t inflated_bytes) {
  std::string body = "<w:p><w:r><w:t>";
  body += std::string(inflated_bytes, 'a');
  body += "</w:t></w:r></w:p>";
  const std::string doc =
      "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
      "<w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\">"
      "<w:body>" +
      body + "</w:body></w:document>";
  ZipWriter z;
  z.add("[Content_Types].xml", word_content_types());
  z.add("_rels/.rels", rels("word/document.xml"));
  z.add("word/document.xml", doc);
  return z.finish();
}

std::string make_docx_with_template(const std::string& target) {
  const std::string types = word_content_types();
  const std::string doc =
      "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
      "<w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\">"
      "<w:body><w:p><w:r><w:t>Мәтін</w:t></w:r></w:p></w:body></w:document>";
  const std::string settings_rels =
      "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
      "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
      "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/"
      "relationships/attachedTemplate\" Target=\"" +
      xml_escape(target) + "\" TargetMode=\"External\"/></Relationships>";
  ZipWriter z;
  z.add("[Content_Types].xml", types);
  z.add("_rels/.rels", rels("word/document.xml"));
  z.add("word/document.xml", doc);
  z.add("word/_rels/settings.xml.rels", settings_rels);
  return z.finish();
}

std::string make_docx_font(const std::string& font, double size_pt) {
  const std::string types = word_content_types();
  const std::string styles =
      "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
      "<w:styles xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\">"
      "<w:docDefaults><w:rPrDefault><w:rPr><w:rFonts w:ascii=\"" +
      xml_escape(font) + "\" w:hAnsi=\"" + xml_escape(font) + "\"/><w:sz w:val=\"" +
      std::to_string(static_cast<int>(size_pt * 2)) +
      "\"/></w:rPr></w:rPrDefault></w:docDefaults>"
      "<w:style w:type=\"paragraph\" w:default=\"1\" w:styleId=\"Normal\"><w:name "
      "w:val=\"Normal\"/></w:style></w:styles>";
  const std::string doc =
      "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
      "<w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\">"
      "<w:body><w:p><w:r><w:t>Талап арыз мәтіні стильдегі қаріппен жазылған.</w:t></w:r></w:p>"
      "</w:body></w:document>";
  const std::string doc_rels =
      "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
      "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
      "<Relationship Id=\"rId1\" "
      "Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles\" "
      "Target=\"styles.xml\"/></Relationships>";
  ZipWriter z;
  z.add("[Content_Types].xml", types);
  z.add("_rels/.rels", rels("word/document.xml"));
  z.add("word/document.xml", doc);
  z.add("word/styles.xml", styles);
  z.add("word/_rels/document.xml.rels", doc_rels);
  return z.finish();
}

std::string make_encrypted_ooxml() {
  std::string info(64, '\0');
  info[0] = 4;  // agile encryption, version 4.4
  info[2] = 4;
  info[4] = 0x40;
  std::string package(4096, '\0');
  for (size_t i = 0; i < package.size(); ++i)
    package[i] = static_cast<char>((i * 2654435761u) >> 13);
  return make_ole({{"EncryptionInfo", info}, {"EncryptedPackage", package}});
}

}  // namespace sot::samples
