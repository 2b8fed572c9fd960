// Text helpers over UTF-8, backed by ICU: validation, NFC, case folding and the tolerant
// "same title" key used to match appendix entries with documents.
//
// Security: every function accepts arbitrary bytes; invalid UTF-8 is reported, never
// decoded by guesswork.
#pragma once

#include <string>
#include <string_view>

namespace sot::text {

// Appends a code point as UTF-8; surrogates and values past U+10FFFF are dropped (decoders
// of untrusted text hand them over).
void append_utf8(std::string& out, char32_t c);

// True when `s` is well-formed UTF-8 (no overlongs, no surrogates, nothing past U+10FFFF).
bool is_valid_utf8(std::string_view s);

// NFC-normalised copy of valid UTF-8 (macOS uploads arrive decomposed).
std::string nfc(std::string_view s);

// Full Unicode case fold of valid UTF-8 (Ә → ә, І → і, Ё → ё).
std::string fold_case(std::string_view s);

// Key for tolerant title comparison: NFC, case-folded, every run of whitespace, punctuation
// (quotes «» „“ "" '' included), and symbols other than letters/digits removed, ё → е.
// "Шарт  көшірмесі." and "«шарт көшірмесі»" give the same key.
std::string title_key(std::string_view s);

// File name without its last extension ("a.b.pdf" → "a.b"), and the extension folded to
// lower case without the dot ("PDF" → "pdf"; "" when there is none).
std::string_view stem(std::string_view name);
std::string extension(std::string_view name);

// Lower-case hexadecimal of arbitrary bytes (digests, random ids).
std::string hex(std::string_view bytes);

}  // namespace sot::text
