# Talking to the daemon as its clients do (an HTTP client, draft tars for pre-flight): used by
# the tests and the benchmarks, whichever is configured first defines it.
if(NOT TARGET sot_test_clients)
  add_library(sot_test_clients STATIC ${PROJECT_SOURCE_DIR}/tests/support/HttpClient.cpp
                                      ${PROJECT_SOURCE_DIR}/tests/support/TarBuilder.cpp)
  target_include_directories(sot_test_clients PUBLIC ${PROJECT_SOURCE_DIR}/tests)
  target_link_libraries(sot_test_clients PUBLIC nlohmann_json::nlohmann_json
                        PRIVATE PkgConfig::LIBARCHIVE)
  sot_set_warnings(sot_test_clients)
endif()
