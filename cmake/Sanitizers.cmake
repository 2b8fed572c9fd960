# SOT_SANITIZE: "" (none), "address" (ASan + UBSan) or "thread" (TSan). Applied to everything.
set(SOT_SANITIZE "" CACHE STRING "Sanitizers: '', 'address' (ASan+UBSan) or 'thread'")
if(SOT_SANITIZE STREQUAL "address")
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
elseif(SOT_SANITIZE STREQUAL "thread")
  add_compile_options(-fsanitize=thread -fno-omit-frame-pointer)
  add_link_options(-fsanitize=thread)
elseif(NOT SOT_SANITIZE STREQUAL "")
  message(FATAL_ERROR "SOT_SANITIZE must be '', 'address' or 'thread', not '${SOT_SANITIZE}'")
endif()

# SOT_FUZZ: build the libFuzzer targets (needs clang). The library itself gets coverage
# instrumentation so the fuzzers can steer.
option(SOT_FUZZ "Build libFuzzer targets (clang only)" OFF)
if(SOT_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "SOT_FUZZ needs clang (use the 'fuzz' preset)")
  endif()
  add_compile_options(-fsanitize=fuzzer-no-link)
endif()
