# Hardening (numerics): extreme but valid inputs — counts of 2^40 … 2^64 − 1, 10^8 identical
# timestamps and durations, revenue sums that cancel, durations from 1e-9 to 1e12, interval edges,
# model predictions at extreme x and T (tests/test_extremes.c). The Python property tests
# (tests/python/test_properties.py) run with the other Python tests, in python_tests.
rtn_add_cmocka_test(extremes)
# The two 10^8-row tests take a few seconds in an optimised build; a sanitizer or valgrind build
# runs them at 10^7 rows (see the file comment). Generous, for slow CI machines.
set_tests_properties(test_extremes PROPERTIES TIMEOUT 600)
