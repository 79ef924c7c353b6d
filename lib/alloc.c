/* Allocation through the caller's rtn_allocator (core.h), shared by every module that owns
 * memory: malloc/free when none is given. */
#include <stdlib.h>

#include "internal.h"

static void *default_alloc(void *opaque, size_t size)
{
    (void)opaque;
    return malloc(size);
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
