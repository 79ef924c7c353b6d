/**
 * @file retention/core.h
 * @brief Export macro, version, status codes and error strings of libretention.
 *
 * Conventions that hold for every function of the library (the rest of the manual relies on them):
 *
 * - **Status.** Every function that can fail returns an `int`: ::RTN_OK (0) on success or one of
 *   the negative `RTN_E…` codes below. A code's value never changes once released, so it may be
 *   stored, compared and sent across process boundaries. rtn_strerror() names each.
 * - **Outputs.** Results are written through out-pointers, and only on success: when a function
 *   returns an error, every output is left exactly as the caller passed it. The one documented
 *   exception is the optional `bad_index` out-pointer of column functions, which is written
 *   *only* on ::RTN_EDOMAIN and tells the index of the first offending element.
 * - **Out-pointers** are required (NULL gives ::RTN_EINVAL) unless the function says "may be NULL".
 * - **Columns** are passed as (pointer, length). A NULL pointer is accepted only with length 0.
 * - **Numbers.** Counts are `uint64_t`; money, rates and durations are `double`. A NaN or an
 *   infinity among the data (amounts, rates, durations) is ::RTN_EDOMAIN; an impossible option
 *   (a confidence level outside (0, 1), NaN included; an unknown method; a reversed scale) is
 *   ::RTN_EINVAL. Rates and shares are fractions (0.1 = 10 %); NPS is in points (−100 … 100)
 *   because that is how it is defined.
 * - **No infinities out.** When finite inputs would give a result too large for a double (a CLV
 *   of 1e308 / 1e-10, say) the function returns ::RTN_EOVERFLOW instead of inf; the same code
 *   reports a count that would pass 2^64 − 1.
 * - **Undefined is not zero.** A rate whose denominator is zero (a period that started with no
 *   customers, an empty survey) is ::RTN_EUNDEFINED, never 0 %.
 * - **Threads.** The library has no global or static mutable state: every function is reentrant
 *   and may be called from any number of threads at once on distinct outputs.
 * - **Nothing aborts, exits or prints.**
 * - **Types.** Parameters are fixed-width integers, `double`, `size_t` and pointers only; no
 *   struct is passed or returned by value and no function is variadic, so every entry point is
 *   callable from Python's ctypes and other FFIs. Enumerated options are passed as `int32_t`.
 */
#ifndef RETENTION_CORE_H
#define RETENTION_CORE_H

#include <stddef.h>
#include <stdint.h>

/** @name Symbol visibility
 * `RTN_API` marks every exported function. An embedder that compiles the sources into its own
 * program may predefine it (e.g. as empty); a Windows DLL build defines `RTN_BUILDING_DLL`. @{ */
#ifndef RTN_API
#if defined(_WIN32) || defined(__CYGWIN__)
#if defined(RTN_BUILDING_DLL)
#define RTN_API __declspec(dllexport)
#elif defined(RTN_USING_DLL)
#define RTN_API __declspec(dllimport)
#else
#define RTN_API
#endif
#elif defined(__GNUC__) && __GNUC__ >= 4
#define RTN_API __attribute__((visibility("default")))
#else
#define RTN_API
#endif
#endif
/** @} */

#ifdef __cplusplus
extern "C" {
#endif

/** @name Version of the header
 * Compare with rtn_version_number() at run time to check that the header a program was compiled
 * against matches the library it loaded: the major versions must be equal, and the library's
 * number must be at least the header's. @{ */
#define RTN_VERSION_MAJOR 1
#define RTN_VERSION_MINOR 0
#define RTN_VERSION_PATCH 0
#define RTN_VERSION_STRING "1.0.0"
/** MAJOR * 10000 + MINOR * 100 + PATCH, e.g. 10000 for 1.0.0. */
#define RTN_VERSION_NUMBER (RTN_VERSION_MAJOR * 10000 + RTN_VERSION_MINOR * 100 + RTN_VERSION_PATCH)
/** @} */

/**
 * The status codes, as one list so that the enum and rtn_strerror() cannot drift apart.
 * X(name, value, message). Values are pinned forever; new codes are only ever appended.
 */
#define RTN_STATUS_LIST(X)                                                                         \
    X(RTN_OK, 0, "success")                                                                        \
    X(RTN_EINVAL, -1, "invalid argument (NULL pointer or impossible option)")                      \
    X(RTN_EDOMAIN, -2, "value outside its domain (out of scale, negative, NaN or infinite)")       \
    X(RTN_EUNDEFINED, -3, "result undefined (empty input or zero denominator)")                    \
    X(RTN_ENOMEM, -4, "out of memory")                                                             \
    X(RTN_EBUFSIZE, -5, "output buffer too small")                                                 \
    X(RTN_ENOCONV, -6, "did not converge")                                                         \
    X(RTN_ECORRUPT, -7, "corrupt or truncated serialised state")                                   \
    X(RTN_EVERSION, -8, "unsupported serialised state version")                                    \
    X(RTN_EOVERFLOW, -9, "arithmetic overflow (a count or result too large to represent)")

/** Status codes returned by every fallible function. */
typedef enum rtn_status {
#define RTN_STATUS_ENUM_(name, value, message) name = value,
    RTN_STATUS_LIST(RTN_STATUS_ENUM_)
#undef RTN_STATUS_ENUM_
} rtn_status;

/**
 * A custom allocator for the library's handles (cohort builders and tables, …), passed per handle
 * when it is created — never set globally. Pass NULL for malloc/free. With NULL, on Linux, the
 * library advises each block of 4 MiB and more for transparent huge pages (madvise
 * MADV_HUGEPAGE on its whole 2 MiB pages, as numpy does for its arrays): a large cohort add
 * writes hundreds of MB of fresh memory, and faulting it in 4 KiB at a time was a third of its
 * time. The advice is a hint that changes no contents; the system's THP setting decides
 * ("never" ignores it). It belongs to the address range, not the block: when malloc serves a
 * large block from its heap rather than a mapping of its own, that part of the heap stays
 * advised after the free. A custom allocator's memory is never advised.
 * @c alloc returns @p size bytes aligned for any type, or NULL on failure (the library then
 * returns ::RTN_ENOMEM and leaks nothing); @c free releases what @c alloc returned (never
 * called with NULL). Both receive @c opaque. The struct is read when the handle is created and
 * copied into it, so it need not outlive the call; the functions must outlive the handle.
 */
typedef struct rtn_allocator {
    void *(*alloc)(void *opaque, size_t size);
    void (*free)(void *opaque, void *ptr);
    void *opaque;
} rtn_allocator;

/**
 * A static, human-readable description of a status code.
 * @param code any value; codes the library does not know give "unknown error code".
 * @return a pointer to a constant string; never NULL, never to be freed.
 * Thread-safe.
 */
RTN_API const char *rtn_strerror(int code);

/** The library's version as a string, e.g. "1.0.0" (static storage; never NULL). Thread-safe. */
RTN_API const char *rtn_version_string(void);

/** The library's version as MAJOR * 10000 + MINOR * 100 + PATCH (see ::RTN_VERSION_NUMBER). */
RTN_API uint32_t rtn_version_number(void);

#ifdef __cplusplus
}
#endif

#endif /* RETENTION_CORE_H */
