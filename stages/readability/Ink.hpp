// How much is on a page, from its image, before any OCR: the page is looked at at about
// 100 dpi without its outer margins (scanner edges, punched holes), ink is what is clearly
// darker than the paper given its noise, and specks smaller than ¾ mm are dropped (despeckle).
// `marks` counts the blobs of glyph size (¾ mm to 4 cm high); a blank page has almost no ink and at
// most a couple of marks, a page with a stamp or a signature only has few.
#pragma once

#include <string>

#include "readability/Raster.hpp"

namespace sot::readability {

struct Ink {
  double coverage = 0;    // share of the (inner) page that is ink
  int marks = 0;          // glyph-sized blobs
  int paper = 255;        // the paper's gray level
  double noise = 0;       // the paper's noise (standard deviation, gray levels, at ~100 dpi)
  bool sideways = false;  // the ink's lines run top to bottom: a page scanned turned by 90°
  // What the ink says about the image's condition (at the resolution it was measured at):
  bool dark = false;      // most of the page is dark: light text on a dark ground
  int contrast = 0;       // paper level − ink level (the darkest 1 %)
  double edge_share = 0;  // mid-tones per dark pixel: low on crisp strokes, high when blurred
  double fine_noise = 0;  // the paper's noise at full resolution (standard deviation)
  double glyph_mm = 0;    // median height of the glyph-sized marks
};

// Whether the ink itself says the page image is damaged — blurred, noisy, too faint, text too
// small — rather than legible writing the OCR cannot read (handwriting, an unusual font, a
// language it has no model for). Thresholds calibrated with sot-bench-readability.
bool ink_damaged(const Ink& ink, std::string* why = nullptr);

// The damage is a blur or faint ink (not grain or specks): the page still has text lines,
// and their first ones read much as the rest.
bool ink_blurred(const Ink& ink);

Ink measure_ink(const PageImage& img);

}  // namespace sot::readability
