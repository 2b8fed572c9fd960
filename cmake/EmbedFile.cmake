# sot_embed_file(OUT_CPP SYMBOL FILE): compiles FILE's bytes into the binary as
#   extern const std::string_view SYMBOL;
# so the shipped defaults (rules, config) work without an install step. Regenerated when FILE
# changes.
set(SOT_EMBED_SCRIPT ${CMAKE_CURRENT_LIST_DIR}/EmbedFileScript.cmake)
function(sot_embed_file out_cpp symbol file)
  add_custom_command(
    OUTPUT ${out_cpp}
    COMMAND ${CMAKE_COMMAND} -DIN=${file} -DOUT=${out_cpp} -DSYMBOL=${symbol} -P ${SOT_EMBED_SCRIPT}
    DEPENDS ${file} ${SOT_EMBED_SCRIPT}
    COMMENT "Embedding ${file}")
endfunction()
