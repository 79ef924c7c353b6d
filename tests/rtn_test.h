/* Shared helpers of the cmocka tests. Debian's cmocka (1.1.5) has no assert_double_equal, so
 * every floating-point check in the suite goes through assert_rel() below. */
#ifndef RTN_TEST_H
#define RTN_TEST_H

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include <retention.h>

/* Passes if |actual − expected| ≤ tol · max(|expected|, tiny); equal infinities pass; NaN never
 * does. For expected = 0 the tolerance becomes absolute (tol · 1e-300 would demand exactness,
 * which is what an expected exact zero means). */
static inline void rtn_assert_rel(double actual, double expected, double tol, const char *expr,
                                  const char *file, int line)
{
    double scale = fabs(expected) > 0.0 ? fabs(expected) : 1.0;
    int ok = (actual == expected) || fabs(actual - expected) <= tol * scale;
    if (!ok) {
        print_error("%s = %.17g, expected %.17g (relative tolerance %g)\n", expr, actual,
                       expected, tol);
        _fail(file, line);
    }
}
#define assert_rel(actual, expected, tol)                                                          \
    rtn_assert_rel((actual), (expected), (tol), #actual, __FILE__, __LINE__)

/* The default tolerance: the reference values are exact to the last digit, and the library's
 * formulas take only a handful of roundings. */
#define RTN_TOL 1e-13

/* A value no function ever computes, written into outputs before a call that must fail, to
 * check that the failing call left them untouched. */
#define SENTINEL (-12345.678)

/* Calls a function with one double out-pointer named `out` that must fail with `code`, and
 * checks that it left `out` untouched: EXPECT_FAIL(RTN_EDOMAIN, rtn_churn_lifetime(-1, &out)). */
#define EXPECT_FAIL(code, call_with_out)                                                           \
    do {                                                                                           \
        double out = SENTINEL;                                                                     \
        assert_int_equal((call_with_out), (code));                                                 \
        assert_true(out == SENTINEL);                                                              \
    } while (0)

/* An allocator (rtn_allocator's functions, opaque = a `failing`) that lets `left` allocations
 * succeed and fails every one after: run a sequence of calls with left = 0, 1, 2, … to make
 * each allocation fail in turn. */
typedef struct failing {
    int left; /* allocations that succeed before the next one fails */
    int calls;
} failing;

static inline void *failing_alloc(void *opaque, size_t size)
{
    failing *f = opaque;
    f->calls++;
    if (f->left-- <= 0)
        return NULL;
    return malloc(size);
}

static inline void failing_free(void *opaque, void *p)
{
    (void)opaque;
    free(p);
}

#endif /* RTN_TEST_H */
