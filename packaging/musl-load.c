/* musl-load FILE…: loads each FILE in turn with musl's dynamic loader (this program is linked by
 * musl-gcc, so ld-musl runs it), binding every symbol now (musl has no lazy binding anyway) and
 * making each library's symbols visible to the next: proof that a musl system's loader accepts the
 * library, with no glibc in the process. */
#include <dlfcn.h>
#include <stdio.h>

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: musl-load FILE...\n");
        return 2;
    }
    for (int i = 1; i < argc; i++) {
        if (!dlopen(argv[i], RTLD_NOW | RTLD_GLOBAL)) {
            fprintf(stderr, "%s\n", dlerror());
            return 1;
        }
    }
    printf("%s: loaded by musl's loader\n", argv[argc - 1]);
    return 0;
}
