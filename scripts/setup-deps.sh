#!/usr/bin/env bash
# Installs, from Debian 12 packages only, whatever the build, the tests and the samples need
# and this machine does not have yet. Idempotent: a second run installs nothing and touches
# no package list. Needs root (or sudo) only when something is missing.
set -euo pipefail

PACKAGES=(
  # toolchain
  build-essential cmake ninja-build pkg-config clang libclang-rt-14-dev clang-format
  # documents: PDF, JPEG, TIFF, OOXML containers and parts, OLE2
  libpoppler-cpp-dev libpoppler-private-dev libturbojpeg0-dev libtiff-dev
  libzip-dev libpugixml-dev libgsf-1-dev libexif-dev libjpeg62-turbo-dev
  # OCR
  libtesseract-dev libleptonica-dev tesseract-ocr-kaz tesseract-ocr-rus tesseract-ocr-eng
  tesseract-ocr-osd
  # crypto, data, storage
  libssl-dev openssl libgcrypt20-dev nlohmann-json3-dev libkainjow-mustache-dev libtomlplusplus-dev libsqlite3-dev
  # the shared registry of several hosts (libpq), and the server its tests start
  libpq-dev postgresql-15
  libboost-program-options-dev libboost-filesystem-dev libboost-regex-dev libicu-dev
  # service
  libsystemd-dev libseccomp-dev systemd
  # notices and receipts
  libcairo2-dev libpango1.0-dev fonts-liberation2 fonts-dejavu-core
  # tests and sample generation
  catch2 python3 jq libqpdf-dev zlib1g-dev libarchive-dev
  # benchmarks: the command-line tools the product is measured against (never called by it),
  # including everything ../shared/bench/peer-check.sh calls
  poppler-utils tesseract-ocr qpdf imagemagick file unzip binutils
  # the review UI's browser test: headless Chromium driven by playwright-core (npm)
  chromium
  # the Debian package (scripts/deb-test.sh): Debian's packaging tools, man pages, lintian
  debhelper dpkg-dev fakeroot pandoc lintian
)

# Node.js for the browser test: any installed one will do; Debian's otherwise.
command -v node >/dev/null || PACKAGES+=(nodejs)
command -v npm >/dev/null || PACKAGES+=(npm)

# playwright-core from the npm registry, at the version package-lock.json pins.
install_browser_driver() {
  local dir
  dir="$(cd "$(dirname "$0")/.." && pwd)/tests/browser"
  if [ ! -f "$dir/node_modules/playwright-core/package.json" ]; then
    echo "setup-deps: npm ci in tests/browser (playwright-core)"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
  fi
}

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup-deps: all ${#PACKAGES[@]} packages present"
  install_browser_driver
  exit 0
fi

echo "setup-deps: installing ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
install_browser_driver
