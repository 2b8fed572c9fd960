// How much is on a page, from its image, before any OCR: the page is looked at at about
// 100 dpi without its outer margins (scanner edges, punched holes), ink is what is clearly
// darker than the paper given its noise, and specks smaller than ¾ mm are dropped (despeckle).
// `marks` counts the blobs of glyph size (¾ mm to 4 cm high); a blank page has almost no ink and at
// most a couple of marks, a page with a stamp or a signature only has few.
#pragma once

#include "readability/Raster.hpp"

namespace sot::readability {

struct Ink {
  double coverage = 0;    // share of the (inner) page that is ink
  int marks = 0;          // glyph-sized blobs
  int paper = 255;        // the paper's gray level
  double noise = 0;       // the paper's noise (standard deviation, gray levels, at ~100 dpi)
  bool sideways = false;  // the ink's lines run top to bottom: a page scanned turned by 90°
};

Ink measure_ink(const PageImage& img);

}  // namespace sot::readability
