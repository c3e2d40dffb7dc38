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

const char *la_library_load(struct la_library *library) {
    pthread_mutex_lock(&library->lock);
    if (!library->attempted) {
        library->attempted = 1;
        library->loaded = la_load_library(library->label, library->soname, library->names, library->functions,
                                          library->count, library->error, sizeof library->error) &&
                          (!library->ready || library->ready(library->functions, library->error, sizeof library->error));
    }
    const char *error = library->loaded ? NULL : library->error;
    pthread_mutex_unlock(&library->lock);
    return error;
}
