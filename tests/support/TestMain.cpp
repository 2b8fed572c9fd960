// The one translation unit with Catch2's main().
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include "readability/Ocr.hpp"

int main(int argc, char** argv) {
  sot::readability::limit_ocr_threads(argv);  // the OCR tests run as the product does
  return Catch::Session().run(argc, argv);
}
