# Hardening (issue 8): the concurrency test. Every public entry point from several threads at once
# on shared input, compared bit for bit with a single-threaded run; meant above all for the
# ThreadSanitizer build (cmake --workflow --preset tsan), and run in every build.
find_package(Threads REQUIRED)
rtn_add_cmocka_test(threads)
target_link_libraries(test_threads PRIVATE Threads::Threads)
