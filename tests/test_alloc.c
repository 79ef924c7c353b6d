/* The default allocator (lib/alloc.c): blocks of 4 MiB and more are advised for transparent huge
 * pages on Linux, smaller ones are not, and both are plain memory. The advice shows in the
 * "hg" flag of the mapping's VmFlags in /proc/self/smaps. The flag checks run only where a
 * probe shows that the kernel records the advice (Linux with THP, not disabled for the process)
 * and glibc does not advise on its own (GLIBC_TUNABLES=glibc.malloc.hugetlb=…); elsewhere the
 * tests only use the memory. */
#if defined(__linux__) && !defined(_DEFAULT_SOURCE)
#define _DEFAULT_SOURCE /* madvise(), mmap() flags under -std=c11 */
#endif
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#if defined(__linux__)
#include <sys/mman.h>
#endif

#include "rtn_test.h"
#include "internal.h"

/* 1 if a mapping overlapping [p, p + size) is advised for huge pages, 0 if none is, -1 if
 * unknown. */
static int advised(const void *p, size_t size)
{
    FILE *f = fopen("/proc/self/smaps", "r");
    if (!f)
        return -1;
    char line[512];
    int overlaps = 0, found = -1;
    while (fgets(line, sizeof line, f)) {
        unsigned long lo, hi;
        if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2 && strchr(line, '-') < strchr(line, ' ')) {
            overlaps = (uintptr_t)p < hi && (uintptr_t)p + size > lo;
        } else if (strncmp(line, "VmFlags:", 8) == 0) {
            found = found < 0 ? 0 : found;
            if (overlaps && strstr(line, " hg"))
                found = 1;
        }
    }
    fclose(f);
    return found;
}

/* Whether the advice can be seen here: the kernel records it on a mapping of our own, and malloc
 * is not advising blocks itself. */
static int advice_visible(void)
{
    const char *tunables = getenv("GLIBC_TUNABLES");
    if (tunables && strstr(tunables, "hugetlb"))
        return 0;
#if defined(__linux__) && defined(MADV_HUGEPAGE) && defined(MAP_ANONYMOUS)
    size_t size = (size_t)4 << 20;
    void *m = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED)
        return 0;
    int seen = madvise(m, size, MADV_HUGEPAGE) == 0 && advised(m, size) == 1;
    munmap(m, size);
    return seen;
#else
    return 0;
#endif
}

static void touch(unsigned char *p, size_t size)
{
    for (size_t i = 0; i < size; i += 4096)
        p[i] = (unsigned char)i;
    p[size - 1] = 0xA5;
    for (size_t i = 0; i < size - 1; i += 4096)
        assert_int_equal(p[i], (unsigned char)i);
    assert_int_equal(p[size - 1], 0xA5);
}

static void large_blocks_are_advised(void **state)
{
    (void)state;
    rtn_allocator a;
    rtn__default_allocator(&a);
    /* 4 MiB − 16: with malloc's header its mapping can hold a whole 2 MiB page, so a lower
     * threshold would show */
    const size_t big = (size_t)8 << 20, small = ((size_t)4 << 20) - 16;
    unsigned char *p = rtn__alloc(&a, big, 1), *q = rtn__alloc(&a, small, 1);
    assert_non_null(p);
    assert_non_null(q);
    touch(p, big);
    touch(q, small);
    if (advice_visible()) {
        /* the block's interior (its whole 2 MiB pages) carries the advice; the small block not */
        uintptr_t mid = ((uintptr_t)p + big / 2) & ~(((uintptr_t)2 << 20) - 1);
        assert_int_equal(advised((const void *)mid, 1), 1);
        assert_int_equal(advised(q, small), 0);
    }
    rtn__free(&a, p);
    rtn__free(&a, q);
}

/* A caller's allocator is used as given: the library never advises its memory. */
static _Alignas(max_align_t) unsigned char arena[(size_t)6 << 20];
static size_t arena_used;

static void *arena_alloc(void *opaque, size_t size)
{
    (void)opaque;
    if (size > sizeof arena - arena_used)
        return NULL;
    void *p = arena + arena_used;
    arena_used += (size + 15) & ~(size_t)15;
    return p;
}

static void arena_free(void *opaque, void *p)
{
    (void)opaque;
    (void)p;
}

static void callers_allocator_is_not_advised(void **state)
{
    (void)state;
    rtn_allocator given = {arena_alloc, arena_free, NULL}, a;
    assert_int_equal(rtn__allocator_of(&given, &a), RTN_OK);
    const size_t size = (size_t)5 << 20;
    unsigned char *p = rtn__alloc(&a, size, 1);
    assert_ptr_equal(p, arena);
    touch(p, size);
    if (advice_visible())
        assert_int_equal(advised(p, size), 0);
    rtn__free(&a, p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(large_blocks_are_advised),
        cmocka_unit_test(callers_allocator_is_not_advised),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
