#include "generator/Calibration.hpp"

#include <cairo.h>
#include <pango/pangocairo.h>
#include <turbojpeg.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <stdexcept>

#include "generator/Documents.hpp"

namespace sot::samples {

namespace {

const std::vector<std::string> kKazakh = {
    "Талапкер жауапкерден қарыз сомасын өндіріп беруді сұрайды. Тараптар арасында 2024 жылғы "
    "12 наурызда қарыз шарты жасалды, оған сәйкес қарыз беруші 1 500 000 теңге берді.",
    "Жауапкер қарызды белгіленген мерзімде қайтармады, талапкердің жазбаша талабына жауап "
    "бермеді. Қазақстан Республикасы Азаматтық кодексінің 715-бабына сәйкес қарыз алушы "
    "алған соманы шартта көзделген мерзімде қайтаруға міндетті.",
    "Жоғарыда баяндалғандарды негізге ала отырып, сот жауапкерден талапкердің пайдасына "
    "негізгі қарызды, тұрақсыздық айыбын және мемлекеттік бажды өндіріп беруін сұраймын.",
    "Қосымша: қарыз шартының көшірмесі, қолхат, мемлекеттік баж түбіртегі, сенімхат.",
};
const std::vector<std::string> kRussian = {
    "Истец просит взыскать с ответчика сумму займа. Между сторонами 12 марта 2024 года был "
    "заключён договор займа, по которому займодавец передал заёмщику 1 500 000 тенге.",
    "Ответчик в установленный срок долг не вернул, на письменную претензию истца не ответил. "
    "Согласно статье 715 Гражданского кодекса Республики Казахстан заёмщик обязан возвратить "
    "полученную сумму в срок, предусмотренный договором.",
    "На основании изложенного прошу суд взыскать с ответчика в пользу истца основной долг, "
    "неустойку и расходы по оплате государственной пошлины.",
    "Приложение: копия договора займа, расписка, квитанция об оплате госпошлины, доверенность.",
};

void show(cairo_t* cr, PangoLayout* layout, const std::string& font, double px, bool bold,
          const std::string& text, double x, double* y, PangoAlignment align) {
  PangoFontDescription* fd = pango_font_description_from_string(font.c_str());
  pango_font_description_set_absolute_size(fd, px * PANGO_SCALE);
  if (bold) pango_font_description_set_weight(fd, PANGO_WEIGHT_BOLD);
  pango_layout_set_font_description(layout, fd);
  pango_font_description_free(fd);
  pango_layout_set_alignment(layout, align);
  pango_layout_set_text(layout, text.c_str(), -1);
  cairo_move_to(cr, x, *y);
  pango_cairo_show_layout(cr, layout);
  int w = 0, h = 0;
  pango_layout_get_size(layout, &w, &h);
  *y += static_cast<double>(h) / PANGO_SCALE + px * 0.5;
}

// Georgian: a script DejaVu draws and the OCR (kaz+rus+eng) has no model of.
const std::vector<std::string> kGeorgian = {
    "მოსარჩელე ითხოვს მოპასუხისგან სესხის თანხის დაკისრებას. მხარეებს შორის 2024 წლის 12 "
    "მარტს დაიდო სესხის ხელშეკრულება.",
    "მოპასუხემ ვალი დადგენილ ვადაში არ დააბრუნა და მოსარჩელის წერილობით პრეტენზიას არ "
    "უპასუხა.",
    "ზემოაღნიშნულიდან გამომდინარე ვითხოვ სასამართლოს მოპასუხეს დაეკისროს ძირითადი ვალი."};

// Words set by hand: each word slanted, turned and lifted a little differently.
void draw_handwriting(cairo_t* cr, const PageSpec& s, double wpx,
                      const std::vector<std::string>& paras, std::mt19937& rng) {
  const double mm = s.dpi / 25.4, px = s.font_pt * s.dpi / 72.0, margin = 20 * mm;
  std::uniform_real_distribution<double> turn(-4, 4), lift(-0.15, 0.15), size(0.88, 1.12);
  PangoLayout* layout = pango_cairo_create_layout(cr);
  double x = margin, y = margin;
  for (int round = 0; round < 2; ++round)
    for (const auto& p : paras) {
      size_t at = 0;
      while (at < p.size()) {
        size_t end = p.find(' ', at);
        if (end == std::string::npos) end = p.size();
        const std::string word = p.substr(at, end - at);
        at = end + 1;
        PangoFontDescription* fd = pango_font_description_from_string("DejaVu Sans Oblique");
        pango_font_description_set_absolute_size(fd, px * size(rng) * PANGO_SCALE);
        pango_layout_set_font_description(layout, fd);
        pango_font_description_free(fd);
        pango_layout_set_text(layout, word.c_str(), -1);
        int w = 0, h = 0;
        pango_layout_get_pixel_size(layout, &w, &h);
        if (x + w > wpx - margin) x = margin, y += px * 1.9;
        cairo_save(cr);
        cairo_translate(cr, x, y + lift(rng) * px);
        cairo_rotate(cr, turn(rng) * M_PI / 180);
        cairo_move_to(cr, 0, 0);
        pango_cairo_show_layout(cr, layout);
        cairo_restore(cr);
        x += w + px * 0.55;
      }
      x = margin, y += px * 2.4;
    }
  g_object_unref(layout);
}

void draw_page(cairo_t* cr, const PageSpec& s, double wpx, double hpx) {
  const double mm = s.dpi / 25.4;
  const double px = s.font_pt * s.dpi / 72.0;
  const double margin = 20 * mm;
  const bool kk = s.language == "kk" || s.language == "mixed";
  std::vector<std::string> mixed;  // Kazakh and Russian paragraphs in turn
  if (s.language == "mixed")
    for (size_t i = 0; i < kKazakh.size(); ++i) mixed.push_back(i % 2 ? kRussian[i] : kKazakh[i]);
  const auto& paras = s.script == "georgian"  ? kGeorgian
                      : s.language == "mixed" ? mixed
                      : kk                    ? kKazakh
                                              : kRussian;
  if (s.handwriting) {
    std::mt19937 rng(static_cast<unsigned>(std::hash<std::string>{}(s.name)));
    draw_handwriting(cr, s, wpx, paras, rng);
    return;
  }
  PangoLayout* layout = pango_cairo_create_layout(cr);
  pango_layout_set_width(layout, static_cast<int>((wpx - 2 * margin) * PANGO_SCALE));
  pango_layout_set_wrap(layout, PANGO_WRAP_WORD);
  double y = margin;
  show(cr, layout, s.script == "georgian" ? "DejaVu Sans" : s.font, px * 1.2, true,
       s.script == "georgian" ? "სარჩელი"
       : kk                   ? "ТАЛАП АРЫЗ"
                              : "ИСКОВОЕ ЗАЯВЛЕНИЕ",
       margin, &y, PANGO_ALIGN_CENTER);
  const double body_top = y;
  if (s.columns > 1) {  // the body in columns side by side, each filled top to bottom
    const double gap = 8 * mm, colw = (wpx - 2 * margin - (s.columns - 1) * gap) / s.columns;
    pango_layout_set_width(layout, static_cast<int>(colw * PANGO_SCALE));
    double bottom = y;
    for (int c = 0; c < s.columns; ++c) {
      double cy = body_top;
      for (const auto& p : paras)
        show(cr, layout, s.font, px, false, p, margin + c * (colw + gap), &cy, PANGO_ALIGN_LEFT);
      bottom = std::max(bottom, cy);
    }
    pango_layout_set_width(layout, static_cast<int>((wpx - 2 * margin) * PANGO_SCALE));
    y = bottom;
  } else {
    for (int round = 0; round < (s.photo_half ? 1 : 2); ++round)
      for (const auto& p : paras)
        show(cr, layout, s.script == "georgian" ? "DejaVu Sans" : s.font, px, false, p, margin, &y,
             PANGO_ALIGN_LEFT);
  }
  if (s.photo_half) {  // a photograph below the text: smooth tones, shapes, no letters
    const double top = std::max(y + 5 * mm, hpx / 2.0), h = hpx - margin - top;
    cairo_pattern_t* g = cairo_pattern_create_linear(margin, top, wpx - margin, top + h);
    cairo_pattern_add_color_stop_rgb(g, 0, 0.25, 0.25, 0.25);
    cairo_pattern_add_color_stop_rgb(g, 0.5, 0.7, 0.7, 0.7);
    cairo_pattern_add_color_stop_rgb(g, 1, 0.4, 0.4, 0.4);
    cairo_rectangle(cr, margin, top, wpx - 2 * margin, h);
    cairo_set_source(cr, g);
    cairo_fill(cr);
    cairo_pattern_destroy(g);
    cairo_set_source_rgb(cr, 0.85, 0.85, 0.85);
    cairo_arc(cr, wpx * 0.35, top + h * 0.45, h * 0.22, 0, 2 * M_PI);
    cairo_fill(cr);
    cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
    cairo_rectangle(cr, wpx * 0.55, top + h * 0.3, wpx * 0.2, h * 0.5);
    cairo_fill(cr);
    const double ink = 1.0 - s.contrast * 0.98;
    cairo_set_source_rgb(cr, ink, ink, ink);
  }
  if (s.stamp_over_text) {  // a blue stamp (mid-gray on a gray scan) across the body
    cairo_save(cr);
    cairo_set_source_rgba(cr, 0.35, 0.35, 0.55, 0.8);
    cairo_set_line_width(cr, std::max(1.0, s.dpi / 90.0));
    const double cx = wpx * 0.62, cy = body_top + 30 * mm;
    cairo_arc(cr, cx, cy, 20 * mm, 0, 2 * M_PI);
    cairo_stroke(cr);
    cairo_arc(cr, cx, cy, 15 * mm, 0, 2 * M_PI);
    cairo_stroke(cr);
    double ty = cy - 4 * mm;
    pango_layout_set_width(layout, static_cast<int>(28 * mm * PANGO_SCALE));
    show(cr, layout, "Liberation Sans", 2.8 * mm, true, "«МЫСАЛ» ЖШС", cx - 14 * mm, &ty,
         PANGO_ALIGN_CENTER);
    pango_layout_set_width(layout, static_cast<int>((wpx - 2 * margin) * PANGO_SCALE));
    cairo_restore(cr);
  }
  if (s.scrawl) {  // a pen signature across the last lines: loops and a long stroke
    cairo_save(cr);
    cairo_set_line_width(cr, std::max(1.5, s.dpi / 100.0));
    const double x0 = wpx * 0.45, y0 = y - 14 * mm;
    cairo_move_to(cr, x0, y0);
    for (int i = 1; i <= 90; ++i) {
      const double t = i * 0.21;
      cairo_line_to(cr, x0 + i * 0.9 * mm + std::cos(t * 1.7) * 4 * mm,
                    y0 - std::sin(t) * 7 * mm + i * 0.12 * mm);
    }
    cairo_stroke(cr);
    cairo_restore(cr);
  }
  if (s.table) {
    const double row = px * 1.8, col = (wpx - 2 * margin) / 3;
    const std::vector<std::vector<std::string>> cells =
        kk ? std::vector<std::vector<std::string>>{{"Атауы", "Күні", "Сомасы"},
                                                   {"Негізгі қарыз", "12.03.2024", "1 500 000"},
                                                   {"Тұрақсыздық айыбы", "12.03.2025", "150 000"}}
           : std::vector<std::vector<std::string>>{{"Наименование", "Дата", "Сумма"},
                                                   {"Основной долг", "12.03.2024", "1 500 000"},
                                                   {"Неустойка", "12.03.2025", "150 000"}};
    cairo_set_line_width(cr, std::max(1.0, s.dpi / 150.0));
    for (size_t r = 0; r < cells.size(); ++r) {
      for (size_t c = 0; c < 3; ++c) {
        cairo_rectangle(cr, margin + c * col, y + r * row, col, row);
        cairo_stroke(cr);
        double ty = y + r * row + px * 0.3;
        pango_layout_set_width(layout, static_cast<int>((col - px) * PANGO_SCALE));
        show(cr, layout, s.font, px * 0.9, r == 0, cells[r][c], margin + c * col + px * 0.4, &ty,
             PANGO_ALIGN_LEFT);
      }
    }
    pango_layout_set_width(layout, static_cast<int>((wpx - 2 * margin) * PANGO_SCALE));
    y += row * cells.size() + px;
  }
  if (s.signature) {
    cairo_set_line_width(cr, std::max(1.0, s.dpi / 120.0));
    const double x0 = wpx * 0.6, y0 = y + 12 * mm;
    cairo_move_to(cr, x0, y0);
    for (int i = 1; i <= 40; ++i)
      cairo_line_to(cr, x0 + i * 1.2 * mm, y0 - std::sin(i * 0.7) * 5 * mm - i * 0.1 * mm);
    cairo_stroke(cr);
  }
  if (s.stamp) {
    cairo_set_line_width(cr, std::max(1.0, s.dpi / 100.0));
    cairo_arc(cr, wpx * 0.3, y + 20 * mm, 19 * mm, 0, 2 * M_PI);
    cairo_stroke(cr);
    cairo_arc(cr, wpx * 0.3, y + 20 * mm, 15 * mm, 0, 2 * M_PI);
    cairo_stroke(cr);
    double ty = y + 17 * mm;
    pango_layout_set_width(layout, static_cast<int>(26 * mm * PANGO_SCALE));
    show(cr, layout, "Liberation Sans", 2.5 * mm, true, "ЖШС «АРМАН»", wpx * 0.3 - 13 * mm, &ty,
         PANGO_ALIGN_CENTER);
  }
  g_object_unref(layout);
  (void)hpx;
}

// Box blur of radius r over a gray buffer, horizontally then vertically.
void box_blur(std::vector<unsigned char>& g, int w, int h, int r) {
  if (r <= 0) return;
  std::vector<unsigned char> t(g.size());
  for (int y = 0; y < h; ++y) {
    int sum = 0, n = 0;
    for (int x = -r; x < w; ++x) {
      if (x + r < w) sum += g[y * w + x + r], ++n;
      if (x - r - 1 >= 0) sum -= g[y * w + x - r - 1], --n;
      if (x >= 0) t[y * w + x] = static_cast<unsigned char>(sum / n);
    }
  }
  for (int x = 0; x < w; ++x) {
    int sum = 0, n = 0;
    for (int y = -r; y < h; ++y) {
      if (y + r < h) sum += t[(y + r) * w + x], ++n;
      if (y - r - 1 >= 0) sum -= t[(y - r - 1) * w + x], --n;
      if (y >= 0) g[y * w + x] = static_cast<unsigned char>(sum / n);
    }
  }
}

// Nearest-neighbour resample of a gray buffer (the phone photo's coarse sensor).
std::vector<unsigned char> resample(const std::vector<unsigned char>& g, int w, int h, int nw,
                                    int nh) {
  std::vector<unsigned char> out(static_cast<size_t>(nw) * nh);
  for (int y = 0; y < nh; ++y)
    for (int x = 0; x < nw; ++x) {
      // area average over the source block
      const int x0 = x * w / nw, x1 = std::max(x0 + 1, (x + 1) * w / nw);
      const int y0 = y * h / nh, y1 = std::max(y0 + 1, (y + 1) * h / nh);
      int sum = 0, n = 0;
      for (int yy = y0; yy < y1 && yy < h; ++yy)
        for (int xx = x0; xx < x1 && xx < w; ++xx) sum += g[yy * w + xx], ++n;
      out[y * nw + x] = static_cast<unsigned char>(n ? sum / n : 255);
    }
  return out;
}

}  // namespace

std::string make_page_scan(const PageSpec& s) {
  int wpx = static_cast<int>(210 / 25.4 * s.dpi + 0.5);
  int hpx = static_cast<int>(297 / 25.4 * s.dpi + 0.5);
  cairo_surface_t* surf = cairo_image_surface_create(CAIRO_FORMAT_RGB24, wpx, hpx);
  cairo_t* cr = cairo_create(surf);
  cairo_set_source_rgb(cr, 0.98, 0.98, 0.97);
  cairo_paint(cr);
  const double ink = 1.0 - s.contrast * 0.98;  // 0 = black
  cairo_set_source_rgb(cr, ink, ink, ink);
  if (!s.blank) {
    cairo_save(cr);
    const double tilt = s.skew_deg + (s.phone > 0 ? 2.5 : 0);
    cairo_translate(cr, wpx / 2.0, hpx / 2.0);
    cairo_rotate(cr, tilt * M_PI / 180);
    cairo_translate(cr, -wpx / 2.0, -hpx / 2.0);
    draw_page(cr, s, wpx, hpx);
    cairo_restore(cr);
  }
  cairo_destroy(cr);
  cairo_surface_flush(surf);
  std::vector<unsigned char> g(static_cast<size_t>(wpx) * hpx);
  const unsigned char* d = cairo_image_surface_get_data(surf);
  const int stride = cairo_image_surface_get_stride(surf);
  for (int y = 0; y < hpx; ++y)
    for (int x = 0; x < wpx; ++x) g[y * wpx + x] = d[y * stride + x * 4 + 1];
  cairo_surface_destroy(surf);

  std::mt19937 rng(static_cast<unsigned>(std::hash<std::string>{}(s.name)));
  if (s.blank) {  // dust: a few specks smaller than half a millimetre
    std::uniform_int_distribution<int> px(0, wpx - 3), py(0, hpx - 3);
    for (int i = 0; i < 40; ++i) {
      const int x = px(rng), y = py(rng);
      g[y * wpx + x] = g[y * wpx + x + 1] = 90;
    }
  }
  if (s.phone > 0) {  // a coarse sensor, then back to the page's pixel size, unevenly lit
    const int nw = static_cast<int>(wpx * s.phone / s.dpi),
              nh = static_cast<int>(hpx * s.phone / s.dpi);
    auto coarse = resample(g, wpx, hpx, nw, nh);
    g = resample(coarse, nw, nh, wpx, hpx);
    box_blur(g, wpx, hpx, std::max(1, s.dpi / 150));
    for (int y = 0; y < hpx; ++y)
      for (int x = 0; x < wpx; ++x) {
        const double light = 0.62 + 0.38 * (1.0 - static_cast<double>(x + y) / (wpx + hpx));
        g[y * wpx + x] = static_cast<unsigned char>(g[y * wpx + x] * light);
      }
  }
  if (s.blur_px > 0) {
    box_blur(g, wpx, hpx, static_cast<int>(s.blur_px));
    box_blur(g, wpx, hpx, static_cast<int>(s.blur_px));
  }
  if (s.noise > 0) {
    std::normal_distribution<double> n(0, s.noise);
    for (auto& v : g) v = static_cast<unsigned char>(std::clamp(v + n(rng), 0.0, 255.0));
  }
  if (s.bilevel)  // a fax machine's black and white
    for (auto& v : g) v = v < 128 ? 0 : 255;
  // Turned: the scanner saw the page rotated clockwise by `turned` degrees.
  if (s.turned == 90 || s.turned == 270 || s.turned == 180) {
    std::vector<unsigned char> r(g.size());
    const int nw = s.turned == 180 ? wpx : hpx, nh = s.turned == 180 ? hpx : wpx;
    for (int y = 0; y < hpx; ++y)
      for (int x = 0; x < wpx; ++x) {
        int nx, ny;
        if (s.turned == 90)
          nx = hpx - 1 - y, ny = x;
        else if (s.turned == 270)
          nx = y, ny = wpx - 1 - x;
        else
          nx = wpx - 1 - x, ny = hpx - 1 - y;
        r[ny * nw + nx] = g[y * wpx + x];
      }
    g.swap(r);
    wpx = nw;
    hpx = nh;
  }
  if (s.perspective > 0) {  // keystone: rows narrower towards the top, a table around the page
    std::vector<unsigned char> r(g.size(), 70);
    for (int y = 0; y < hpx; ++y) {
      const double k = 1.0 - s.perspective * (1.0 - static_cast<double>(y) / hpx);
      for (int x = 0; x < wpx; ++x) {
        const int sx = static_cast<int>(wpx / 2.0 + (x - wpx / 2.0) / k);
        if (sx >= 0 && sx < wpx) r[y * wpx + x] = g[y * wpx + sx];
      }
    }
    g.swap(r);
  }
  if (s.dark_table) {  // the page in the middle of a frame 1.7 times its size, on dark wood
    const int nw = wpx * 17 / 10, nh = hpx * 17 / 10, ox = (nw - wpx) / 2, oy = (nh - hpx) / 2;
    std::vector<unsigned char> r(static_cast<size_t>(nw) * nh);
    for (int y = 0; y < nh; ++y)
      for (int x = 0; x < nw; ++x)
        r[y * nw + x] = static_cast<unsigned char>(40 + (x / 7 + y) % 13);
    for (int y = 0; y < hpx; ++y)
      std::copy(g.begin() + y * wpx, g.begin() + (y + 1) * wpx, r.begin() + (oy + y) * nw + ox);
    g.swap(r);
    wpx = nw;
    hpx = nh;
  }
  if (s.inverted)
    for (auto& v : g) v = static_cast<unsigned char>(255 - v);
  if (s.long_side_px > 0 && std::max(wpx, hpx) > s.long_side_px) {  // a messenger's downscale
    const double f = static_cast<double>(s.long_side_px) / std::max(wpx, hpx);
    const int nw = static_cast<int>(wpx * f + 0.5), nh = static_cast<int>(hpx * f + 0.5);
    g = resample(g, wpx, hpx, nw, nh);
    wpx = nw;
    hpx = nh;
  }
  // Stored turned so that the EXIF orientation brings it upright: 6 — turn 90° clockwise to
  // display (stored turned counter-clockwise), 8 — the other way, 3 — upside down.
  if (s.exif_orientation == 3 || s.exif_orientation == 6 || s.exif_orientation == 8) {
    const int nw = s.exif_orientation == 3 ? wpx : hpx, nh = s.exif_orientation == 3 ? hpx : wpx;
    std::vector<unsigned char> r(g.size());
    for (int y = 0; y < hpx; ++y)
      for (int x = 0; x < wpx; ++x) {
        int nx, ny;
        if (s.exif_orientation == 6)  // stored = upright turned counter-clockwise
          nx = y, ny = wpx - 1 - x;
        else if (s.exif_orientation == 8)
          nx = hpx - 1 - y, ny = x;
        else
          nx = wpx - 1 - x, ny = hpx - 1 - y;
        r[ny * nw + nx] = g[y * wpx + x];
      }
    g.swap(r);
    wpx = nw;
    hpx = nh;
  }
  tjhandle tj = tjInitCompress();
  unsigned char* jpeg = nullptr;
  unsigned long size = 0;
  if (tjCompress2(tj, g.data(), wpx, wpx, hpx, TJPF_GRAY, &jpeg, &size, TJSAMP_GRAY, s.jpeg_quality,
                  0) != 0)
    throw std::runtime_error(std::string("tjCompress2: ") + tjGetErrorStr2(tj));
  std::string out(reinterpret_cast<char*>(jpeg), size);
  tjFree(jpeg);
  tjDestroy(tj);
  if (s.density == "72" || s.density == "96") {
    set_jfif_density(out, std::stoi(s.density));
  } else if (s.density == "none") {
    if (out.size() > 18) out[13] = 0, out[14] = out[16] = 0, out[15] = out[17] = 1;
  } else {
    set_jfif_density(out, s.dpi);
  }
  if (s.exif_orientation > 1 || s.camera) add_exif(out, std::max(1, s.exif_orientation), s.camera);
  return out;
}

namespace {
// add(name, label, tweak): a page of the default spec, named and labelled, as `tweak` changes it.
auto labelled_adder(std::vector<PageSpec>& v) {
  return [&v](std::string name, std::string label, auto&& tweak) {
    PageSpec s;
    s.name = std::move(name);
    s.label = std::move(label);
    tweak(s);
    v.push_back(s);
  };
}
}  // namespace

std::vector<PageSpec> calibration_set() {
  std::vector<PageSpec> v;
  const auto add = labelled_adder(v);
  // Clean scans at 200 and 300 dpi: fonts, sizes, languages, tables, stamps, signatures.
  for (int dpi : {200, 300})
    for (const char* lang : {"kk", "ru"}) {
      const std::string base = std::string("clean-") + lang + "-" + std::to_string(dpi);
      add(base + "-serif-14", "readable",
          [&](PageSpec& s) { s.dpi = dpi, s.language = lang, s.font_pt = 14; });
      add(base + "-sans-11-table", "readable", [&](PageSpec& s) {
        s.dpi = dpi, s.language = lang, s.font = "Liberation Sans", s.font_pt = 11, s.table = true;
      });
      add(base + "-dejavu-10-stamp-signature", "readable", [&](PageSpec& s) {
        s.dpi = dpi, s.language = lang, s.font = "DejaVu Sans", s.font_pt = 10, s.stamp = true,
        s.signature = true;
      });
      add(base + "-mono-12", "readable", [&](PageSpec& s) {
        s.dpi = dpi, s.language = lang, s.font = "DejaVu Sans Mono", s.font_pt = 12;
      });
    }
  // Mild degradation a clerk reads without trouble.
  add("mild-blur-300", "readable", [](PageSpec& s) { s.blur_px = 1; });
  add("mild-noise-300", "readable", [](PageSpec& s) { s.noise = 18; });
  add("gray-ink-300", "readable", [](PageSpec& s) { s.contrast = 0.55; });
  add("jpeg-q20-200", "readable", [](PageSpec& s) { s.dpi = 200, s.jpeg_quality = 20; });
  add("skew-2-300", "readable", [](PageSpec& s) { s.skew_deg = 2; });
  add("faint-toner-200", "readable", [](PageSpec& s) { s.dpi = 200, s.contrast = 0.45; });
  add("phone-150-300", "readable", [](PageSpec& s) { s.phone = 150, s.font_pt = 13; });
  add("ru-noise-200", "readable",
      [](PageSpec& s) { s.dpi = 200, s.language = "ru", s.noise = 15; });
  // Borderline: a clerk has to look twice.
  add("blur-2-200", "readable", [](PageSpec& s) { s.dpi = 200, s.blur_px = 2; });
  add("noise-55-200", "doubtful", [](PageSpec& s) { s.dpi = 200, s.noise = 55; });
  add("washed-out-300", "doubtful", [](PageSpec& s) { s.contrast = 0.22, s.noise = 12; });
  add("phone-90-300", "doubtful", [](PageSpec& s) { s.phone = 90, s.font_pt = 11; });
  // Unreadable.
  add("blur-5-200", "unreadable", [](PageSpec& s) { s.dpi = 200, s.blur_px = 5; });
  add("blur-9-300", "unreadable", [](PageSpec& s) { s.blur_px = 9; });
  add("noise-130-200", "unreadable", [](PageSpec& s) { s.dpi = 200, s.noise = 130; });
  add("ghost-300", "unreadable", [](PageSpec& s) { s.contrast = 0.08, s.noise = 10; });
  add("jpeg-q2-blur-200", "unreadable",
      [](PageSpec& s) { s.dpi = 200, s.jpeg_quality = 2, s.blur_px = 3; });
  add("phone-45-300", "unreadable", [](PageSpec& s) { s.phone = 45, s.font_pt = 10; });
  add("tiny-5pt-blur-200", "unreadable",
      [](PageSpec& s) { s.dpi = 200, s.font_pt = 5, s.blur_px = 2; });
  // Blank pages (dust only) and turned pages (readable once turned).
  add("blank-300", "blank", [](PageSpec& s) { s.blank = true; });
  add("blank-noise-200", "blank", [](PageSpec& s) { s.dpi = 200, s.blank = true, s.noise = 6; });
  add("turned-180-300", "readable", [](PageSpec& s) { s.turned = 180; });
  add("turned-90-200", "readable", [](PageSpec& s) { s.dpi = 200, s.turned = 90; });
  return v;
}

std::vector<PageSpec> real_world_set() {
  std::vector<PageSpec> v;
  const auto add = labelled_adder(v);
  // Phone photos sent through a messenger: 1280 px long side, 72 dpi JFIF default or no
  // density, a camera's EXIF, perspective and uneven light, recompressed.
  for (const char* lang : {"kk", "ru"}) {
    const std::string l = lang;
    add("messenger-72dpi-" + l, "readable", [&](PageSpec& s) {
      s.language = lang, s.dpi = 300, s.font_pt = 13, s.phone = 150, s.long_side_px = 1280,
      s.density = "72", s.camera = true, s.perspective = 0.06, s.jpeg_quality = 70;
    });
    add("messenger-no-density-" + l, "readable", [&](PageSpec& s) {
      s.language = lang, s.dpi = 300, s.font_pt = 13, s.phone = 150, s.long_side_px = 1280,
      s.density = "none", s.jpeg_quality = 75;
    });
    add("photo-exif-6-" + l, "readable", [&](PageSpec& s) {
      s.language = lang, s.dpi = 300, s.font_pt = 12, s.phone = 200, s.long_side_px = 2048,
      s.density = "72", s.camera = true, s.exif_orientation = 6;
    });
    add("photo-exif-8-" + l, "readable", [&](PageSpec& s) {
      s.language = lang, s.dpi = 200, s.font_pt = 12, s.density = "none", s.camera = true,
      s.exif_orientation = 8;
    });
    add("inverted-" + l, "readable",
        [&](PageSpec& s) { s.language = lang, s.dpi = 200, s.font_pt = 12, s.inverted = true; });
    add("handwriting-" + l, "readable",
        [&](PageSpec& s) { s.language = lang, s.dpi = 200, s.font_pt = 13, s.handwriting = true; });
    add("handwriting-photo-" + l, "readable", [&](PageSpec& s) {
      s.language = lang, s.dpi = 300, s.font_pt = 14, s.handwriting = true, s.phone = 150,
      s.long_side_px = 1600, s.density = "none", s.camera = true;
    });
    add("export-96ppi-" + l, "readable",
        [&](PageSpec& s) { s.language = lang, s.dpi = 150, s.font_pt = 12, s.density = "72"; });
  }
  add("photo-on-dark-table", "readable", [](PageSpec& s) {
    s.dpi = 200, s.font_pt = 13, s.language = "ru", s.dark_table = true, s.density = "none",
    s.camera = true;
  });
  add("georgian-text", "doubtful", [](PageSpec& s) { s.dpi = 200, s.script = "georgian"; });
  add("small-photo-480", "unreadable", [](PageSpec& s) {
    s.dpi = 300, s.font_pt = 10, s.phone = 60, s.long_side_px = 480, s.density = "none",
    s.camera = true;
  });
  add("blurred-photo", "unreadable", [](PageSpec& s) {
    s.dpi = 200, s.font_pt = 11, s.blur_px = 6, s.density = "72", s.camera = true;
  });
  add("inverted-noise", "unreadable",
      [](PageSpec& s) { s.dpi = 200, s.noise = 130, s.inverted = true; });
  return v;
}

std::vector<PageSpec> layout_set() {
  std::vector<PageSpec> v;
  const auto add = labelled_adder(v);
  for (const char* lang : {"kk", "ru"}) {
    const std::string l = lang;
    add("serif-9-" + l, "readable", [&](PageSpec& s) {
      s.language = lang, s.dpi = 300, s.font = "DejaVu Serif", s.font_pt = 9;
    });
    add("sans-16-" + l, "readable", [&](PageSpec& s) {
      s.language = lang, s.dpi = 200, s.font = "Liberation Sans", s.font_pt = 16;
    });
    add("two-columns-" + l, "readable", [&](PageSpec& s) {
      s.language = lang, s.dpi = 200, s.font = "Liberation Serif", s.font_pt = 11, s.columns = 2;
    });
    add("stamp-over-text-" + l, "readable", [&](PageSpec& s) {
      s.language = lang, s.dpi = 200, s.font_pt = 12, s.stamp_over_text = true;
    });
    add("signature-over-text-" + l, "readable", [&](PageSpec& s) {
      s.language = lang, s.dpi = 200, s.font_pt = 12, s.scrawl = true, s.table = true;
    });
    add("half-photo-" + l, "readable",
        [&](PageSpec& s) { s.language = lang, s.dpi = 200, s.font_pt = 12, s.photo_half = true; });
    add("fax-200-" + l, "readable", [&](PageSpec& s) {
      s.language = lang, s.dpi = 200, s.font = "Liberation Sans", s.font_pt = 11, s.bilevel = true,
      s.noise = 25;
    });
    add("skew-3-" + l, "readable",
        [&](PageSpec& s) { s.language = lang, s.dpi = 200, s.font_pt = 12, s.skew_deg = 3; });
  }
  add("mixed-kk-ru-300", "readable", [](PageSpec& s) {
    s.language = "mixed", s.dpi = 300, s.font = "DejaVu Sans", s.font_pt = 11;
  });
  add("mixed-kk-ru-200-stamp", "readable", [](PageSpec& s) {
    s.language = "mixed", s.dpi = 200, s.font_pt = 12, s.stamp_over_text = true, s.scrawl = true;
  });
  add("two-columns-skew-3-fax", "readable", [](PageSpec& s) {
    s.dpi = 200, s.font_pt = 11, s.columns = 2, s.skew_deg = -3, s.bilevel = true;
  });
  // What these layouts look like when the scan is bad.
  add("fax-200-blurred", "unreadable",
      [](PageSpec& s) { s.dpi = 200, s.font_pt = 14, s.blur_px = 3, s.bilevel = true; });
  add("half-photo-blur-5", "unreadable",
      [](PageSpec& s) { s.dpi = 200, s.font_pt = 12, s.photo_half = true, s.blur_px = 5; });
  add("two-columns-blur-5", "unreadable",
      [](PageSpec& s) { s.dpi = 200, s.font_pt = 11, s.columns = 2, s.blur_px = 5; });
  add("stamp-over-text-noise-120", "unreadable",
      [](PageSpec& s) { s.dpi = 200, s.font_pt = 12, s.stamp_over_text = true, s.noise = 120; });
  add("mixed-faint-ghost", "unreadable",
      [](PageSpec& s) { s.language = "mixed", s.dpi = 300, s.contrast = 0.08, s.noise = 10; });
  return v;
}

}  // namespace sot::samples
