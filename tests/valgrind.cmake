# Hardening: valgrind memcheck over the C tests, the examples and the command-line tool
# (tests/check_valgrind.sh), registered as the ctest test valgrind_memcheck when RTN_VALGRIND=ON:
#   cmake -B build/vg -DCMAKE_BUILD_TYPE=RelWithDebInfo -DRTN_VALGRIND=ON && cmake --build build/vg
#   ctest --test-dir build/vg -R valgrind_memcheck --output-on-failure
# Included from tests/CMakeLists.txt, after the tests it runs are registered (it reads them back
# from ctest at test time, so any C test added later is covered without a change here).
option(RTN_VALGRIND "Register valgrind_memcheck: the C tests, examples and CLI under memcheck" OFF)
if(RTN_VALGRIND)
  if(RTN_SANITIZE OR RTN_TSAN)
    message(FATAL_ERROR "RTN_VALGRIND cannot be combined with RTN_SANITIZE or RTN_TSAN: "
                        "valgrind runs plain builds")
  endif()
  find_program(RTN_VALGRIND_COMMAND valgrind)
  find_program(RTN_BASH bash)
  if(NOT RTN_VALGRIND_COMMAND OR NOT RTN_BASH)
    message(FATAL_ERROR "RTN_VALGRIND needs valgrind and bash (Debian: apt-get install valgrind)")
  endif()
  if(NOT CMAKE_BUILD_TYPE MATCHES "^(Debug|RelWithDebInfo)$")
    message(STATUS "valgrind_memcheck: without -g (Debug or RelWithDebInfo) reports lack file:line")
  endif()
  add_test(NAME valgrind_memcheck
           COMMAND ${RTN_BASH} ${CMAKE_CURRENT_SOURCE_DIR}/check_valgrind.sh ${PROJECT_BINARY_DIR}
                   ${PROJECT_SOURCE_DIR})
  # Two programs at a time under valgrind: the test holds both cores, alone.
  set_tests_properties(valgrind_memcheck PROPERTIES
    # still-reachable blocks are allowed (shown, not failing): the tool's error paths exit(1)
    # with their reader and batches allocated; definite, indirect and possible leaks fail
    ENVIRONMENT "RTN_CTEST=${CMAKE_CTEST_COMMAND};VALGRIND=${RTN_VALGRIND_COMMAND};RTN_VG_JOBS=2;RTN_VG_REACHABLE=allow"
    PROCESSORS 2 RUN_SERIAL TRUE TIMEOUT 2400 SKIP_RETURN_CODE 77 LABELS valgrind)
endif()
