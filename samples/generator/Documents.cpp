#include "generator/Documents.hpp"

#include <cairo-pdf.h>
#include <cairo.h>
#include <gsf/gsf.h>
#include <pango/pangocairo.h>
#include <turbojpeg.h>
#include <unistd.h>
#include <zip.h>

#include <cstdio>
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

// Lays out title + paragraphs from the top-left margin; units are the context's.
void draw_text(cairo_t* cr, double width, double margin, double font_px, const std::string& title,
               const std::vector<std::string>& paragraphs) {
  PangoLayout* layout = pango_cairo_create_layout(cr);
  pango_layout_set_width(layout, static_cast<int>((width - 2 * margin) * PANGO_SCALE));
  pango_layout_set_wrap(layout, PANGO_WRAP_WORD);
  double y = margin;
  auto put = [&](const std::string& text, bool bold, PangoAlignment align) {
    PangoFontDescription* fd = pango_font_description_from_string("Liberation Serif");
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
  std::string out;
  const double w = 210 * kPtPerMm, h = 297 * kPtPerMm;
  cairo_surface_t* s = cairo_pdf_surface_create_for_stream(append_to_string, &out, w, h);
  cairo_t* cr = cairo_create(s);
  cairo_set_source_rgb(cr, 0, 0, 0);
  draw_text(cr, w, 25 * kPtPerMm, 14, title, paragraphs);
  cairo_show_page(cr);
  cairo_destroy(cr);
  cairo_surface_finish(s);
  cairo_surface_destroy(s);
  return out;
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

std::string make_doc(const std::string& text) {
  // A FIB that says Word 97 (wIdent 0xA5EC, nFib 0x00C1), not encrypted, followed by text.
  std::string fib(0x200, '\0');
  fib[0] = static_cast<char>(0xEC);
  fib[1] = static_cast<char>(0xA5);
  fib[2] = static_cast<char>(0xC1);
  fib[3] = 0x00;
  return make_ole({{"WordDocument", fib + text}, {"1Table", std::string(0x200, '\0')}});
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
