// Tars for the pre-flight tests, written with libarchive: drafts as the portal sends them, and
// every hostile entry kind (links, devices, FIFOs, absolute and ".." names, oversized entries).
#pragma once

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace sot::test {

struct TarEntry {
  enum class Type { kFile, kDirectory, kSymlink, kHardlink, kFifo, kCharDevice, kBlockDevice };
  TarEntry(std::string n, std::string c = {}, Type t = Type::kFile, std::string l = {},
           long long s = -1)
      : name(std::move(n)), content(std::move(c)), type(t), link(std::move(l)), size(s) {}
  std::string name;
  std::string content;
  Type type;
  std::string link;  // symlink or hardlink target
  long long size;    // declared size (-1: content's)
};

// A pax tar of `entries` (as written; a declared size past the content is padded with zeros).
std::string make_tar(const std::vector<TarEntry>& entries);

// The draft tar of a bundle directory: manifest.json (optionally with every document's
// sha256 and bytes removed, as the portal may leave them out) and files/*; no signature.
std::string draft_tar(const std::filesystem::path& bundle_dir, bool strip_digests = true);

}  // namespace sot::test
