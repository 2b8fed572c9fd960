# Checks systemd/sot-intaked.service with `systemd-analyze verify` against the built daemon
# (the unit's ExecStart pointed at it) and prints its offline security exposure.
file(READ ${UNIT} text)
string(REPLACE "/usr/bin/sot-intaked" "${DAEMON}" text "${text}")
file(WRITE ${OUT}/sot-intaked.service "${text}")
execute_process(COMMAND ${ANALYZE} verify ${OUT}/sot-intaked.service
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0 OR NOT err STREQUAL "")
  message(FATAL_ERROR "systemd-analyze verify: ${rc}\n${out}${err}")
endif()
execute_process(COMMAND ${ANALYZE} security --offline=true ${OUT}/sot-intaked.service
                OUTPUT_VARIABLE security ERROR_VARIABLE security_err)
string(REGEX MATCH "Overall exposure level[^\n]*" level "${security}${security_err}")
message(STATUS "${level}")
