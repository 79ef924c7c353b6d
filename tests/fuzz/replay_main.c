/* A main() for the fuzz targets when they are not linked with libFuzzer (gcc builds, CI):
 *   fuzz_x FILE...          runs each file once (a corpus or a crash reproducer)
 *   fuzz_x --random N       runs N deterministic pseudo-random inputs of 0-512 bytes
 * Exit status 0 when every input ran; an invariant failure traps. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

static uint64_t next(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * UINT64_C(2685821657736338717);
}

static int run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "%s: cannot open\n", path);
        return 1;
    }
    uint8_t *buf = NULL;
    size_t len = 0, cap = 0, got;
    do {
        if (len == cap) {
            cap = cap ? cap * 2 : 4096;
            uint8_t *grown = realloc(buf, cap);
            if (!grown) {
                free(buf);
                fclose(f);
                return 1;
            }
            buf = grown;
        }
        got = fread(buf + len, 1, cap - len, f);
        len += got;
    } while (got > 0);
    fclose(f);
    LLVMFuzzerTestOneInput(buf, len);
    free(buf);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "--random") == 0) {
        long runs = strtol(argv[2], NULL, 10);
        uint64_t seed = 0x2545F4914F6CDD1Du;
        uint8_t buf[512];
        for (long r = 0; r < runs; ++r) {
            size_t len = (size_t)(next(&seed) % sizeof buf);
            for (size_t i = 0; i < len; ++i)
                buf[i] = (uint8_t)next(&seed);
            LLVMFuzzerTestOneInput(buf, len);
        }
        printf("%ld random inputs ran\n", runs);
        return 0;
    }
    int failed = 0;
    for (int i = 1; i < argc; ++i)
        failed |= run_file(argv[i]);
    return failed;
}
