# A bounded libFuzzer run, as a ctest test (tests/CMakeLists.txt, RTN_BUILD_FUZZERS):
#   cmake -DFUZZER=<libfuzz_x> -DCORPUS=<tests/fuzz/corpus/x> -DSCRATCH=<build dir> -DSECONDS=60
#         [-DSEED=0] [-DRSS_MB=2048] [-DUNIT_TIMEOUT=30] -P run_fuzzer.cmake
# The committed corpus is copied into SCRATCH/corpus (emptied first) and the fuzzer grows only
# that copy; crash, leak, timeout and out-of-memory reproducers go to SCRATCH/artifacts/. Any
# finding fails the test (libFuzzer exits non-zero); the last lines of the log give the
# executions and the coverage (edges, features) reached.
foreach(var FUZZER CORPUS SCRATCH SECONDS)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "run_fuzzer.cmake: -D${var}=... is required")
  endif()
endforeach()
if(NOT DEFINED RSS_MB)
  set(RSS_MB 2048)
endif()
if(NOT DEFINED UNIT_TIMEOUT)
  set(UNIT_TIMEOUT 30)
endif()
if(NOT DEFINED SEED)
  set(SEED 0) # libFuzzer's own choice
endif()

file(REMOVE_RECURSE ${SCRATCH})
file(MAKE_DIRECTORY ${SCRATCH}/corpus ${SCRATCH}/artifacts)
file(GLOB seeds ${CORPUS}/*)
if(seeds)
  file(COPY ${seeds} DESTINATION ${SCRATCH}/corpus)
endif()

execute_process(
  COMMAND ${FUZZER} -seed=${SEED} -max_total_time=${SECONDS} -rss_limit_mb=${RSS_MB}
          -timeout=${UNIT_TIMEOUT}
          -print_final_stats=1 -artifact_prefix=${SCRATCH}/artifacts/ ${SCRATCH}/corpus
  RESULT_VARIABLE rc
  OUTPUT_VARIABLE out
  ERROR_VARIABLE out)
file(WRITE ${SCRATCH}/fuzz.log "${out}")

# the summary: the last status line (#execs ... cov: edges ft: features corp: units) and the
# final statistics (found by position: the lines hold brackets and semicolons, which CMake's
# list functions would misread)
string(FIND "${out}" " cov: " at REVERSE)
if(at GREATER -1)
  string(SUBSTRING "${out}" 0 ${at} head)
  string(FIND "${head}" "\n" start REVERSE)
  math(EXPR start "${start} + 1")
  string(SUBSTRING "${out}" ${start} -1 tail)
  string(FIND "${tail}" "\n" stop)
  string(SUBSTRING "${tail}" 0 ${stop} final)
  message(STATUS "last status: ${final}")
endif()
string(REGEX MATCHALL "stat::[a-z_]+:[ \t]*[0-9]+" stats "${out}")
foreach(s IN LISTS stats)
  message(STATUS "${s}")
endforeach()

if(NOT rc EQUAL 0)
  # what a CI log must show, since the build directory is gone afterwards: the report from its
  # first line (a sanitizer's or libFuzzer's "==PID== ERROR", or UBSan's "file:line:col: runtime
  # error"; not the status lines before it) and the reproducer's bytes
  string(REGEX MATCH "==[0-9]+==[ ]*ERROR" first "${out}")
  if(NOT first)
    string(REGEX MATCH "[^\n]*: runtime error: " first "${out}")
  endif()
  if(first)
    string(FIND "${out}" "${first}" from)
    string(SUBSTRING "${out}" ${from} 6000 out)
  else()
    string(LENGTH "${out}" len)
    if(len GREATER 6000)
      math(EXPR from "${len} - 6000")
      string(SUBSTRING "${out}" ${from} 6000 out)
    endif()
  endif()
  file(GLOB found ${SCRATCH}/artifacts/*)
  set(bytes "")
  foreach(f IN LISTS found)
    file(SIZE ${f} size)
    if(size LESS_EQUAL 4096)
      file(READ ${f} hex HEX)
      string(APPEND bytes "${f} (${size} bytes, hex; xxd -r -p turns it back):\n${hex}\n")
    endif()
  endforeach()
  message(FATAL_ERROR "${FUZZER} failed (exit ${rc}, seed ${SEED}); reproducers: ${found}\n"
                      "replay one with: ${FUZZER} <file>\nfull log: ${SCRATCH}/fuzz.log\n"
                      "${bytes}${out}")
endif()
