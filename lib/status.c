/* Status strings and version: both generated from the single lists in retention/core.h. */
#include "internal.h"

const char *rtn_strerror(int code)
{
    switch (code) {
#define RTN_STATUS_CASE_(name, value, message)                                                     \
    case value:                                                                                    \
        return message;
        RTN_STATUS_LIST(RTN_STATUS_CASE_)
#undef RTN_STATUS_CASE_
    default:
        return "unknown error code";
    }
}

const char *rtn_version_string(void) { return RTN_VERSION_STRING; }

uint32_t rtn_version_number(void) { return (uint32_t)RTN_VERSION_NUMBER; }
