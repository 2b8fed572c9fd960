# Every third-party library the product uses, all from Debian 12 packages
# (scripts/setup-deps.sh installs them). Found once here; targets link the imported names.
find_package(PkgConfig REQUIRED)
find_package(OpenSSL 3.0 REQUIRED)
find_package(nlohmann_json 3.10 REQUIRED)
find_package(tomlplusplus 3 REQUIRED)
find_package(Boost 1.74 REQUIRED COMPONENTS program_options regex)
pkg_check_modules(LIBZIP REQUIRED IMPORTED_TARGET libzip)  # its CMake config wants the zipcmp tools
find_package(pugixml REQUIRED)
find_package(SQLite3 REQUIRED)
# The review UI's templates (header-only; Debian's libkainjow-mustache-dev).
find_path(KAINJOW_MUSTACHE_INCLUDE_DIR kainjow/mustache.hpp REQUIRED)

pkg_check_modules(GCRYPT REQUIRED IMPORTED_TARGET libgcrypt)  # Kazakh GOST signatures
pkg_check_modules(ICU REQUIRED IMPORTED_TARGET icu-uc icu-i18n)
pkg_check_modules(GSF REQUIRED IMPORTED_TARGET libgsf-1)
pkg_check_modules(POPPLER REQUIRED IMPORTED_TARGET poppler poppler-cpp)
pkg_check_modules(TURBOJPEG REQUIRED IMPORTED_TARGET libturbojpeg)
pkg_check_modules(JPEG REQUIRED IMPORTED_TARGET libjpeg)
pkg_check_modules(EXIF REQUIRED IMPORTED_TARGET libexif)
pkg_check_modules(TIFF REQUIRED IMPORTED_TARGET libtiff-4)
pkg_check_modules(TESSERACT REQUIRED IMPORTED_TARGET tesseract lept)
pkg_check_modules(CAIRO REQUIRED IMPORTED_TARGET cairo pango pangocairo)
pkg_check_modules(SYSTEMD REQUIRED IMPORTED_TARGET libsystemd)
pkg_check_modules(LIBARCHIVE REQUIRED IMPORTED_TARGET libarchive)  # pre-flight drafts (tar)
pkg_check_modules(LIBPQ REQUIRED IMPORTED_TARGET libpq)  # the shared registry (PostgreSQL)
pkg_check_modules(SECCOMP REQUIRED IMPORTED_TARGET libseccomp)
if(SOT_BUILD_EXTRAS)
  find_package(Catch2 2 REQUIRED)
  pkg_check_modules(QPDF REQUIRED IMPORTED_TARGET libqpdf)  # test fixtures: encrypted PDFs
  pkg_check_modules(ZLIB REQUIRED IMPORTED_TARGET zlib)  # test fixtures: PDF filter chains
endif()
find_package(Threads REQUIRED)
