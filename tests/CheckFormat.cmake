# Fails when a C++ source file under the project differs from its clang-format output.
file(GLOB_RECURSE sources RELATIVE ${ROOT}
     ${ROOT}/stages/*.cpp ${ROOT}/stages/*.hpp ${ROOT}/daemon/*.cpp ${ROOT}/daemon/*.hpp
     ${ROOT}/rules/*.cpp ${ROOT}/rules/*.hpp ${ROOT}/config/*.cpp ${ROOT}/config/*.hpp
     ${ROOT}/samples/*.cpp ${ROOT}/samples/*.hpp ${ROOT}/tests/*.cpp ${ROOT}/tests/*.hpp
     ${ROOT}/fuzz/*.cpp ${ROOT}/bench/*.cpp)
set(bad "")
foreach(f ${sources})
  execute_process(COMMAND ${CLANG_FORMAT} --dry-run -Werror ${ROOT}/${f}
                  RESULT_VARIABLE rc OUTPUT_QUIET ERROR_QUIET)
  if(NOT rc EQUAL 0)
    list(APPEND bad ${f})
  endif()
endforeach()
if(bad)
  message(FATAL_ERROR "not clang-formatted: ${bad}")
endif()
