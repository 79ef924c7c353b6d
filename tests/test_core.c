/* Status codes, rtn_strerror and the version functions. */
#include <string.h>

#include "rtn_test.h"

/* The codes are pinned forever: this test fails if anyone renumbers one. */
static void codes_are_pinned(void **state)
{
    (void)state;
    assert_int_equal(RTN_OK, 0);
    assert_int_equal(RTN_EINVAL, -1);
    assert_int_equal(RTN_EDOMAIN, -2);
    assert_int_equal(RTN_EUNDEFINED, -3);
    assert_int_equal(RTN_ENOMEM, -4);
    assert_int_equal(RTN_EBUFSIZE, -5);
    assert_int_equal(RTN_ENOCONV, -6);
    assert_int_equal(RTN_ECORRUPT, -7);
    assert_int_equal(RTN_EVERSION, -8);
    assert_int_equal(RTN_EOVERFLOW, -9);
}

static void every_code_has_its_own_message(void **state)
{
    (void)state;
    const char *unknown = rtn_strerror(12345);
    assert_string_equal(unknown, "unknown error code");
    assert_string_equal(rtn_strerror(INT32_MIN), "unknown error code");
    assert_string_equal(rtn_strerror(1), "unknown error code");
    const char *seen[16] = {0};
    for (int code = 0; code >= RTN_EOVERFLOW; --code) {
        const char *msg = rtn_strerror(code);
        assert_non_null(msg);
        assert_true(strlen(msg) > 0);
        assert_string_not_equal(msg, unknown);
        for (int j = 0; j > code; --j)
            assert_string_not_equal(msg, seen[-j]);
        seen[-code] = msg;
    }
    assert_string_equal(rtn_strerror(RTN_OK), "success");
}

static void runtime_version_matches_header(void **state)
{
    (void)state;
    char expected[32];
    snprintf(expected, sizeof expected, "%d.%d.%d", RTN_VERSION_MAJOR, RTN_VERSION_MINOR,
             RTN_VERSION_PATCH);
    assert_string_equal(rtn_version_string(), expected);
    assert_string_equal(RTN_VERSION_STRING, expected);
    assert_int_equal(rtn_version_number(), RTN_VERSION_NUMBER);
    assert_int_equal(RTN_VERSION_NUMBER,
                     RTN_VERSION_MAJOR * 10000 + RTN_VERSION_MINOR * 100 + RTN_VERSION_PATCH);
    assert_int_equal(RTN_VERSION_MAJOR, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(codes_are_pinned),
        cmocka_unit_test(every_code_has_its_own_message),
        cmocka_unit_test(runtime_version_matches_header),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
