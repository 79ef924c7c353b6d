/* Allocation through the caller's rtn_allocator (core.h), shared by every module that owns
 * memory: malloc/free when none is given. */
#if defined(__linux__) && !defined(_DEFAULT_SOURCE)
#define _DEFAULT_SOURCE /* madvise() under -std=c11 */
#endif
#include <stdint.h>
#include <stdlib.h>

#if defined(__linux__)
#include <sys/mman.h>
#endif

#include "internal.h"

/* Large blocks (the cohort builder's sort buffers and state: hundreds of MB at 1e7 events) are
 * written once, front to back, right after they are allocated, so on Linux the first touch of
 * each 4 KiB page — a fault and a zeroing, about 0.4 ms per MB on the VMs we measure on — was a
 * third of a large cohort add. Transparent huge pages fault 2 MiB at a time. The kernel gives
 * them to a region only when asked (the common THP setting "madvise"), so the default allocator
 * asks for blocks of 4 MiB and more, as numpy does for its arrays: only the block's whole 2 MiB
 * pages are advised, the advice is a hint (a refusal changes nothing), and it does not change
 * what the memory holds. A caller's own allocator is never advised: its memory, its policy. */
#define HUGE_PAGE ((uintptr_t)2 << 20)
#define HUGE_ADVICE_MIN ((size_t)4 << 20)

static void advise_huge_pages(void *p, size_t size)
{
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    uintptr_t begin = ((uintptr_t)p + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
    uintptr_t end = ((uintptr_t)p + size) & ~(HUGE_PAGE - 1);
    if (end > begin)
        (void)madvise((void *)begin, (size_t)(end - begin), MADV_HUGEPAGE);
#else
    (void)p;
    (void)size;
#endif
}

static void *default_alloc(void *opaque, size_t size)
{
    (void)opaque;
    void *p = malloc(size);
    if (p && size >= HUGE_ADVICE_MIN)
        advise_huge_pages(p, size);
    return p;
}

static void default_free(void *opaque, void *p)
{
    (void)opaque;
    free(p);
}

void rtn__default_allocator(rtn_allocator *a)
{
    a->alloc = default_alloc;
    a->free = default_free;
    a->opaque = NULL;
}

void *rtn__alloc(const rtn_allocator *a, size_t count, size_t size)
{
    if (count == 0)
        count = 1; /* a valid, freeable pointer for empty arrays */
    if (count > SIZE_MAX / size)
        return NULL;
    return a->alloc(a->opaque, count * size);
}

void rtn__free(const rtn_allocator *a, void *p)
{
    if (p)
        a->free(a->opaque, p);
}

int rtn__allocator_of(const rtn_allocator *given, rtn_allocator *out)
{
    if (given && (!given->alloc || !given->free))
        return RTN_EINVAL;
    if (given)
        *out = *given;
    else
        rtn__default_allocator(out);
    return RTN_OK;
}
