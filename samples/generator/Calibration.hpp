// The readability calibration set: pages "scanned" to gray JPEGs (JFIF density) with dense
// Kazakh and Russian text in several fonts and sizes, tables, stamps and signatures — clean
// at 200 and 300 dpi, and degraded the ways real scans are: blur, noise, low contrast,
// JPEG artefacts, skew, a phone photo of a page (coarse, unevenly lit, tilted), faint toner,
// turned pages, blank pages with dust. Each page carries the label a registry clerk would
// give it: readable, doubtful, unreadable or blank.
#pragma once

#include <string>
#include <vector>

namespace sot::samples {

struct PageSpec {
  std::string name;
  std::string label;  // readable | doubtful | unreadable | blank
  int dpi = 300;
  std::string font = "Liberation Serif";
  double font_pt = 12;
  std::string language = "kk";  // kk | ru
  bool table = false, stamp = false, signature = false;
  bool blank = false;   // no text at all (dust specks only)
  double blur_px = 0;   // box-blur radius, applied twice (≈ Gaussian)
  double noise = 0;     // Gaussian noise, standard deviation in gray levels
  double contrast = 1;  // ink darkness relative to black (faint toner, washed-out copy)
  int jpeg_quality = 85;
  double skew_deg = 0;
  double phone = 0;  // a phone photo: resolution it really has (dpi), 0 for none
  int turned = 0;    // the page scanned turned by 90/180/270 degrees (clockwise)
  // Real-world capture: how phones, messengers and export tools hand pages over.
  int long_side_px = 0;          // downscaled so its long side is this (a messenger's 1280)
  std::string density = "jfif";  // jfif (the page's dpi) | 72 (a software default) | none
  int exif_orientation = 0;      // stored turned, with this EXIF orientation to display it
  bool camera = false;           // EXIF Make/Model of a phone
  bool inverted = false;         // light text on a dark background
  double perspective = 0;        // keystone: the top edge narrower by this share of the width
  std::string script;            // "" (kk/ru text) | "georgian" (a script the OCR has no model of)
  bool handwriting = false;      // words set by hand: slanted, wobbling, uneven
  bool dark_table = false;       // photographed lying on a dark table: the frame mostly dark
  // Layouts and marks of real filings:
  int columns = 1;               // body text in this many columns
  bool stamp_over_text = false;  // a round stamp pressed over the body text (blue: mid-gray)
  bool scrawl = false;           // a handwritten signature scrawled across the last lines
  bool photo_half = false;       // the lower half of the page a photograph (continuous tone)
  bool bilevel = false;          // a fax: black and white only, no gray (threshold at half)
};

// A gray JPEG of the page as specified.
std::string make_page_scan(const PageSpec& spec);

// The labelled set (about forty pages).
std::vector<PageSpec> calibration_set();

// The real-world set: pages as they really arrive — phone photos at messenger size with 72 dpi
// defaults or no density, in perspective and uneven light, stored sideways with an EXIF
// orientation, light text on dark, handwriting, a script outside kaz/rus/eng — each labelled
// as a registry clerk would judge it.
std::vector<PageSpec> real_world_set();

// The layout set: what filed pages carry besides plain text — more fonts and sizes, tables,
// stamps over text, handwritten signatures, two columns, half a page of photograph, Kazakh and
// Russian mixed on one page ("mixed"), 200 dpi bilevel faxes, skew up to 3° — labelled as a
// registry clerk would judge them.
std::vector<PageSpec> layout_set();

}  // namespace sot::samples
