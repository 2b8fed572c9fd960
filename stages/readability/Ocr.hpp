// OCR with Tesseract 5 (kaz+rus+eng by default): one engine per thread, initialised once and
// reused for every page that thread reads (the language models take a good part of a second
// to load; a page takes a fraction of that). OpenMP inside Tesseract is held to one thread
// (limit_ocr_threads): the daemon already runs one bundle per core, and Tesseract's own
// threads make it several times slower on a loaded machine.
//
// Orientation (OSD) has its own engine, made on first use: it is asked only about pages whose
// ink runs sideways and pages that read badly, to tell a turned page from an unreadable one.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "readability/Raster.hpp"

namespace sot::readability {

struct OcrResult {
  int words = 0;  // recognised words with two or more letters
  double mean_confidence = 0;
  double confident_share = 0;  // of words at or above the confident threshold
  std::string text;            // recognised text (capped)
  bool timed_out = false;
  int lines = 0;         // text lines recognised (Tesseract's LSTM reads a page line by line)
  bool partial = false;  // stopped after `max_lines` lines: the rest of the image was not read
  std::string error;     // the engine could not be used (its data missing, …)
};

struct Orientation {
  int degrees = 0;  // clockwise rotation that makes the page upright: 0, 90, 180, 270
  double confidence = 0;
};

class OcrEngine {
 public:
  // The engine of the calling thread for `languages` (re-made when they change).
  static OcrEngine& for_this_thread(const std::string& languages);
  ~OcrEngine();

  bool ready() const { return error_.empty(); }
  const std::string& error() const { return error_; }

  // The page is prepared first as an eye would: uneven lighting flattened (leptonica's
  // background normalisation), the grain of a noisy scan averaged out. With `max_lines` > 0
  // recognition stops after that many text lines in reading order (the layout analysis still
  // sees the whole image): the result is `partial` when there were more. `single_block` skips
  // the page layout analysis (columns, blocks, pictures): the image is one block of lines.
  OcrResult recognize(const PageImage& img, int confident_threshold,
                      std::chrono::milliseconds limit, int max_lines = 0,
                      bool single_block = false);
  std::optional<Orientation> orientation(const PageImage& img);

 private:
  explicit OcrEngine(std::string languages);
  OcrResult read(Pix* pix, double dpi, int confident_threshold, std::chrono::milliseconds limit,
                 int max_lines, bool single_block);
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::string languages_;
  std::string error_;
};

// Tesseract's LSTM asks OpenMP for several threads explicitly, which only OMP_THREAD_LIMIT
// caps, and libgomp reads that once, when it is loaded. A program that OCRs calls this first
// thing in main(): without OMP_THREAD_LIMIT in its environment it sets it to 1 and re-executes
// itself (/proc/self/exe, same arguments); with it (an operator's choice) nothing happens.
void limit_ocr_threads(char** argv);

// `img` turned clockwise by `degrees` (a multiple of 90).
PageImage rotate(const PageImage& img, int degrees);

}  // namespace sot::readability
