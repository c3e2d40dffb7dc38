#include "CLoader.h"

#include <dlfcn.h>
#include <stdio.h>

int la_load_library(const char *label, const char *soname, const char *const *names, void **functions, size_t count,
                    char *error, size_t error_size) {
    void *library = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
    if (!library) {
        const char *reason = dlerror();
        snprintf(error, error_size, "%s could not be loaded: %s", label, reason ? reason : "unknown error");
        return 0;
    }
    for (size_t i = 0; i < count; i++) {
        functions[i] = dlsym(library, names[i]);
        if (!functions[i]) {
            snprintf(error, error_size, "%s has no %s", label, names[i]);
            return 0;
        }
    }
    return 1;
}
