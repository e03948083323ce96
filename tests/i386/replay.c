/* Runs a libFuzzer harness without libFuzzer: over every file of the
 * corpus directories given as arguments, then over a fixed number of
 * pseudo-random inputs. Built with -m32, it checks a harness's model on a
 * host where size_t and pointers are 32 bits, as in the BIOS stage 2.
 * The harness aborts on a violation; reaching the end prints one PASS. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REPLAY_MAX_INPUT 4096
#define RANDOM_INPUTS    20000

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t buf[REPLAY_MAX_INPUT];

static void replay_fail(const char *what, const char *path)
{
    fprintf(stderr, "replay: cannot %s %s\n", what, path);
    exit(1);
}

/* Replays every file of `dir` in name order, so a run is the same on every
 * host. A directory that cannot be listed or a file that cannot be read
 * fails the run: a replay of fewer files than the corpus holds would pass
 * without having checked them. */
static unsigned replay_dir(const char *dir)
{
    struct dirent **names;
    int count = scandir(dir, &names, NULL, alphasort);
    if (count < 0)
        replay_fail("list", dir);
    unsigned n = 0;
    char path[4096];
    for (int i = 0; i < count; i++) {
        const char *name = names[i]->d_name;
        if (name[0] != '.') {
            snprintf(path, sizeof(path), "%s/%s", dir, name);
            FILE *f = fopen(path, "rb");
            if (!f)
                replay_fail("open", path);
            size_t len = fread(buf, 1, sizeof(buf), f);
            if (ferror(f))
                replay_fail("read", path);
            fclose(f);
            LLVMFuzzerTestOneInput(buf, len);
            n++;
        }
        free(names[i]);
    }
    free(names);
    return n;
}

int main(int argc, char **argv)
{
    unsigned files = 0;
    for (int a = 1; a < argc; a++)
        files += replay_dir(argv[a]);
    uint32_t x = 2463534242u;
    for (unsigned run = 0; run < RANDOM_INPUTS; run++) {
        size_t len = 1 + x % REPLAY_MAX_INPUT;
        for (size_t i = 0; i < len; i++) {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            buf[i] = (uint8_t)(x >> 11);
        }
        LLVMFuzzerTestOneInput(buf, len);
    }
    printf("PASS: %zu-bit replay of %u corpus files and %u random inputs\n", sizeof(void *) * 8,
           files, RANDOM_INPUTS);
    return 0;
}
