# Beyond one machine (issue 9): libretention inside the engines that hold the data.
#   postgresql_extension  tests/postgresql/check_postgresql.sh: the PGXS extension of
#                         examples/postgresql/, built against an install of this build, in a
#                         throwaway cluster; parallel aggregates equal to the serial run and to
#                         the library's own results (skipped without PostgreSQL's server files)
#   dask_cluster          tests/dask/: examples/dask/ on a distributed.LocalCluster of worker
#                         processes; merged partial states equal to the single-process result
# Both load the plain shared library into an uninstrumented process (a server, an interpreter):
# not in sanitizer builds.
if(NOT RTN_BUILD_SHARED OR RTN_SANITIZE)
  return()
endif()

if(RTN_BUILD_STATIC AND RTN_BUILD_EXAMPLES)
  add_test(NAME postgresql_extension
           COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/postgresql/check_postgresql.sh
                   ${PROJECT_BINARY_DIR} ${PROJECT_SOURCE_DIR} ${CMAKE_COMMAND})
  # both it and install_check run `cmake --install` on this build (install_manifest.txt)
  set_tests_properties(postgresql_extension PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 600
                       RESOURCE_LOCK build_install)
  set_tests_properties(install_check PROPERTIES RESOURCE_LOCK build_install)
endif()

if(RTN_PYTHON)
  # skips itself when python3-dask / python3-distributed are not installed
  add_test(NAME dask_cluster COMMAND ${RTN_PYTHON} -m pytest -q -p no:cacheprovider
                                    ${CMAKE_CURRENT_SOURCE_DIR}/dask
           WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
  set_tests_properties(dask_cluster PROPERTIES TIMEOUT 600 ENVIRONMENT
    "RETENTION_LIBRARY=$<TARGET_FILE:retention_shared>;PYTHONPATH=${PROJECT_SOURCE_DIR}/examples/python:${PROJECT_SOURCE_DIR}/examples/dask")
endif()
