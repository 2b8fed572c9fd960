// JPEG analysis with libjpeg-turbo's libjpeg API (the TurboJPEG 2.1 API in Debian 12 has no
// scan or pixel limits; libjpeg's progress monitor and header give both) and libexif:
// dimensions, components, density from JFIF or else EXIF XResolution, or inferred from the
// nearest standard sheet; a full decode at 1/8 scale (every entropy-coded byte is still read,
// so truncation and corruption show) that also samples whether a colour image has colour.
#include <csetjmp>
#include <cstdio>
// clang-format off: jpeglib.h needs <cstdio> first
#include <jerror.h>
#include <jpeglib.h>
// clang-format on
#include <libexif/exif-data.h>

#include <algorithm>
#include <cmath>
#include <cstring>

#include "analysis/DocumentAnalysis.hpp"

namespace sot::analysis {

namespace {

struct ErrorManager {
  jpeg_error_mgr pub;
  std::jmp_buf jump;
  std::uint32_t max_scans = 0;
  bool premature_end = false;
  char message[JMSG_LENGTH_MAX] = "";
};

void on_error(j_common_ptr cinfo) {
  auto* err = reinterpret_cast<ErrorManager*>(cinfo->err);
  (*cinfo->err->format_message)(cinfo, err->message);
  std::longjmp(err->jump, 1);
}

void on_message(j_common_ptr cinfo, int level) {
  if (level >= 0) return;  // trace messages
  auto* err = reinterpret_cast<ErrorManager*>(cinfo->err);
  if (cinfo->err->msg_code == JWRN_JPEG_EOF) err->premature_end = true;
  ++cinfo->err->num_warnings;
}

void on_progress(j_common_ptr cinfo) {
  if (!cinfo->is_decompressor) return;
  auto* d = reinterpret_cast<j_decompress_ptr>(cinfo);
  auto* err = reinterpret_cast<ErrorManager*>(cinfo->err);
  if (static_cast<std::uint32_t>(d->input_scan_number) > err->max_scans) {
    std::snprintf(err->message, sizeof err->message, "more than %u progressive scans",
                  err->max_scans);
    std::longjmp(err->jump, 2);
  }
}

// What the APP1 (EXIF) marker says: XResolution in dots per inch, whether a camera made the
// image (Make or Model), and the orientation to display it upright.
struct ExifFacts {
  double dpi = 0;
  bool camera = false;
  int orientation = 1;
};

ExifFacts exif_facts(jpeg_saved_marker_ptr markers) {
  ExifFacts out;
  for (auto* m = markers; m; m = m->next) {
    if (m->marker != JPEG_APP0 + 1 || m->data_length < 6) continue;
    ExifData* ed = exif_data_new_from_data(m->data, m->data_length);
    if (!ed) continue;
    const ExifByteOrder order = exif_data_get_byte_order(ed);
    if (ExifEntry* e = exif_data_get_entry(ed, EXIF_TAG_X_RESOLUTION);
        e && e->format == EXIF_FORMAT_RATIONAL && e->size >= 8) {
      const ExifRational r = exif_get_rational(e->data, order);
      double dpi = r.denominator != 0 ? static_cast<double>(r.numerator) / r.denominator : 0;
      if (ExifEntry* u = exif_data_get_entry(ed, EXIF_TAG_RESOLUTION_UNIT);
          dpi > 0 && u && u->format == EXIF_FORMAT_SHORT && u->size >= 2 &&
          exif_get_short(u->data, order) == 3)
        dpi *= 2.54;  // dots per centimetre
      if (dpi > 0) out.dpi = dpi;
    }
    for (ExifTag tag : {EXIF_TAG_MAKE, EXIF_TAG_MODEL})
      if (ExifEntry* e = exif_data_get_entry(ed, tag); e && e->size > 1 && e->data && e->data[0])
        out.camera = true;
    if (ExifEntry* e = exif_data_get_entry(ed, EXIF_TAG_ORIENTATION);
        e && e->format == EXIF_FORMAT_SHORT && e->size >= 2) {
      const int o = exif_get_short(e->data, order);
      if (o >= 1 && o <= 8) out.orientation = o;
    }
    exif_data_unref(ed);
    break;
  }
  return out;
}

// What one libjpeg pass finds. Plain data only: libjpeg reports errors by longjmp, which must
// not cross C++ objects with destructors.
struct JpegScan {
  int status = 0;  // 0 ok, 1 error, 2 scan limit
  char message[JMSG_LENGTH_MAX] = "";
  bool header_read = false;
  int width = 0, height = 0, components = 0;
  bool progressive = false;
  bool jfif = false;
  int density_unit = 0, x_density = 0, y_density = 0;
  double exif_dpi = 0;
  bool camera = false;
  int orientation = 1;
  bool too_large = false;
  bool premature_end = false;
  unsigned long long sampled = 0, coloured = 0;
};

void scan_jpeg(const unsigned char* data, unsigned long size, std::uint32_t max_scans,
               std::uint64_t max_pixels, JpegScan* out) {
  jpeg_decompress_struct cinfo;
  std::memset(&cinfo, 0, sizeof cinfo);
  ErrorManager err;
  cinfo.err = jpeg_std_error(&err.pub);
  err.pub.error_exit = on_error;
  err.pub.emit_message = on_message;
  err.max_scans = max_scans;
  jpeg_progress_mgr progress;
  std::memset(&progress, 0, sizeof progress);
  progress.progress_monitor = on_progress;
  if (const int jumped = setjmp(err.jump)) {
    out->status = jumped;
    std::memcpy(out->message, err.message, sizeof out->message);
    jpeg_destroy_decompress(&cinfo);
    return;
  }
  jpeg_create_decompress(&cinfo);
  cinfo.progress = &progress;
  jpeg_mem_src(&cinfo, data, size);
  jpeg_save_markers(&cinfo, JPEG_APP0 + 1, 0xFFFF);
  jpeg_read_header(&cinfo, TRUE);
  out->header_read = true;
  out->width = static_cast<int>(cinfo.image_width);
  out->height = static_cast<int>(cinfo.image_height);
  out->components = cinfo.num_components;
  out->progressive = cinfo.progressive_mode != 0;
  out->jfif = cinfo.saw_JFIF_marker != 0;
  out->density_unit = cinfo.density_unit;
  out->x_density = cinfo.X_density;
  out->y_density = cinfo.Y_density;
  {
    const ExifFacts exif = exif_facts(cinfo.marker_list);
    out->exif_dpi = exif.dpi;
    out->camera = exif.camera;
    out->orientation = exif.orientation;
  }
  const std::uint64_t pixels = static_cast<std::uint64_t>(out->width) * out->height;
  if (pixels == 0 || pixels > max_pixels) {
    out->too_large = true;
    jpeg_destroy_decompress(&cinfo);
    return;
  }
  // Decode everything at 1/8 scale: every entropy-coded byte is still read, so truncation
  // and damage show, and colour can be sampled.
  cinfo.scale_num = 1;
  cinfo.scale_denom = 8;
  cinfo.dct_method = JDCT_IFAST;
  if (cinfo.num_components == 3) cinfo.out_color_space = JCS_RGB;
  jpeg_start_decompress(&cinfo);
  const int comps = cinfo.output_components;
  JSAMPARRAY rows = (*cinfo.mem->alloc_sarray)(reinterpret_cast<j_common_ptr>(&cinfo), JPOOL_IMAGE,
                                               cinfo.output_width * comps, 1);
  while (cinfo.output_scanline < cinfo.output_height) {
    if (jpeg_read_scanlines(&cinfo, rows, 1) != 1) break;
    if (comps != 3) continue;
    const unsigned char* row = rows[0];
    for (JDIMENSION x = 0; x < cinfo.output_width; ++x) {
      const int r = row[3 * x], g = row[3 * x + 1], b = row[3 * x + 2];
      ++out->sampled;
      if (std::max({r, g, b}) - std::min({r, g, b}) > 48) ++out->coloured;
    }
  }
  out->premature_end = err.premature_end;
  if (!err.premature_end) jpeg_finish_decompress(&cinfo);
  jpeg_destroy_decompress(&cinfo);
}

}  // namespace

AnalysisFacts analyze_jpeg(std::string_view data, const AnalysisLimits& limits) {
  AnalysisFacts f;
  f.format = "jpeg";
  f.analysed = true;
  JpegScan scan;
  scan_jpeg(reinterpret_cast<const unsigned char*>(data.data()),
            static_cast<unsigned long>(data.size()), limits.max_jpeg_scans, limits.max_image_pixels,
            &scan);
  if (scan.status == 2) {
    f.limit = std::string("JPEG has ") + scan.message;
    return f;
  }
  if (scan.status == 1) {
    f.corrupt = std::string("JPEG cannot be decoded: ") + scan.message;
    return f;
  }
  f.pages = 1;
  f.notes["components"] = scan.components;
  f.notes["progressive"] = scan.progressive;
  if (scan.too_large) {
    f.limit = "JPEG of " + std::to_string(scan.width) + "×" + std::to_string(scan.height) +
              " pixels, over the limit of " + std::to_string(limits.max_image_pixels);
    return f;
  }
  if (scan.premature_end) {
    f.corrupt = "truncated: the JPEG data ends before the image is complete";
    return f;
  }
  // As displayed: EXIF orientations 5-8 turn the stored image by 90°.
  const bool turned = scan.orientation >= 5;
  const int width = turned ? scan.height : scan.width;
  const int height = turned ? scan.width : scan.height;
  PageFacts page;
  page.number = 1;
  page.is_scan = true;
  page.orientation = scan.orientation;
  ImageFacts img;
  img.width_px = width;
  img.height_px = height;
  img.bits_per_component = 8;
  img.coverage = 1;
  img.color = scan.components == 1 ? "gray" : "color";

  // Density: JFIF, else EXIF — declared, unless it is 72 or 96, the defaults software writes
  // whatever the image is (a messenger's photo, a screenshot): then the page is taken as the
  // nearest standard sheet, like an image without any density, and the figure is an estimate.
  double dpi_x = 0, dpi_y = 0;
  if (scan.jfif && scan.density_unit != 0 && scan.x_density > 0 && scan.y_density > 0) {
    const double k = scan.density_unit == 2 ? 2.54 : 1.0;
    dpi_x = (turned ? scan.y_density : scan.x_density) * k;
    dpi_y = (turned ? scan.x_density : scan.y_density) * k;
    page.density_source = "jfif";
  } else if (scan.exif_dpi > 0) {
    dpi_x = dpi_y = scan.exif_dpi;
    page.density_source = "exif";
  }
  page.resolution_source = "declared";
  if (dpi_x > 0 && (std::lround(dpi_x) == 72 || std::lround(dpi_x) == 96)) {
    f.notes["declared_dpi_ignored"] = dpi_x;
    dpi_x = dpi_y = 0;
    infer_density(width, height, page, &dpi_x, &dpi_y);
    page.resolution_source = "default";
  } else if (dpi_x <= 0) {
    infer_density(width, height, page, &dpi_x, &dpi_y);
  }
  // A camera's photo: the EXIF says so, or a frame without density in a camera's aspect.
  const double aspect = static_cast<double>(std::max(width, height)) / std::min(width, height);
  page.photo = scan.camera ||
               (page.resolution_source != "declared" &&
                (std::abs(aspect - 4.0 / 3.0) < 0.02 || std::abs(aspect - 16.0 / 9.0) < 0.02));
  if (scan.camera) f.notes["camera"] = true;
  img.dpi_x = dpi_x;
  img.dpi_y = dpi_y;
  img.placed_width_mm = width / dpi_x * 25.4;
  img.placed_height_mm = height / dpi_y * 25.4;
  page.width_mm = img.placed_width_mm;
  page.height_mm = img.placed_height_mm;
  page.dpi = std::min(dpi_x, dpi_y);
  page.color_mode = img.color;
  if (scan.components == 3 && scan.sampled > 0)
    page.color_content = scan.coloured * 1000 > scan.sampled * 5;
  page.images.push_back(img);
  f.page_facts.push_back(std::move(page));
  return f;
}

}  // namespace sot::analysis
