// Page previews for the review UI: a page of a PDF (Poppler's Splash), a JPEG or a TIFF page,
// as a gray PNG at a modest resolution. The document is the filer's untrusted bytes, so it is
// opened only in a helper process (this binary with --render-preview) that runs in the
// analysis workers' sandbox, with a time and output limit.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

namespace sot::review {

constexpr int kPreviewDpi = 60;
constexpr int kMaxPreviewDpi = 150;

// PNG bytes, or nullopt with `why`.
std::optional<std::string> render_preview(const std::string& self_exe,
                                          const std::filesystem::path& file, int page, int dpi,
                                          std::string* why);

// The helper side: writes the PNG to stdout. Exit 0 on success, 1 when the page cannot be
// rendered (the reason on stderr).
int preview_main(const std::string& file, int page, int dpi);

// An office document's text (DOCX, DOC, …) for the viewer, read by the same sandboxed helper
// (--preview-text FILE FORMAT) with the document analysers' limits; at most kMaxPreviewText.
inline constexpr std::size_t kMaxPreviewText = 64 * 1024;
std::optional<std::string> preview_text(const std::string& self_exe,
                                        const std::filesystem::path& file,
                                        const std::string& format, std::string* why);
int preview_text_main(const std::string& file, const std::string& format);

}  // namespace sot::review
