# Script mode helper for sot_embed_file: writes a C++ file holding IN's bytes as hex.
file(READ ${IN} hex HEX)
string(LENGTH "${hex}" hexlen)
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "'\\\\x\\1'," body "${hex}")
math(EXPR nbytes "${hexlen} / 2")
file(WRITE ${OUT}.tmp
  "// Generated from ${IN}; do not edit.\n#include <string_view>\n"
  "namespace sot::embedded {\nstatic const char kData[${nbytes} + 1] = {${body} 0};\n"
  "extern const std::string_view ${SYMBOL};\n"
  "const std::string_view ${SYMBOL}(kData, ${nbytes});\n}\n")
file(RENAME ${OUT}.tmp ${OUT})
