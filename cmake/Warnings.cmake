# Project-wide warnings: -Wall -Wextra clean is a rule; SOT_WERROR turns them into errors (CI).
function(sot_set_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor
                                           -Wold-style-cast -Wcast-align
                                           -Wformat=2 -Wimplicit-fallthrough)
  if(SOT_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
