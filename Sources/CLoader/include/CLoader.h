#ifndef LA_CLOADER_H
#define LA_CLOADER_H

#include <pthread.h>
#include <stddef.h>

/// A shared library loaded on first use. The first caller of `la_library_load` opens it, resolves `names` into
/// `functions` and runs `ready`; every later caller gets the same outcome without trying again.
struct la_library {
    const char *label;  // names the library in messages: "libcurl"
    const char *soname;
    const char *const *names;
    void **functions;  // as many slots as `names`
    size_t count;
    /// Runs once every function is resolved (to copy them into typed pointers, or to initialise the library);
    /// returns 1, or 0 with why in `error`.
    int (*ready)(void *const *functions, char *error, size_t error_size);
    pthread_mutex_t lock;
    int attempted;
    int loaded;
    char error[256];
};

#define LA_LIBRARY(label_, soname_, names_, functions_, ready_)                                                     \
    {.label = (label_), .soname = (soname_), .names = (names_), .functions = (functions_),                          \
     .count = sizeof(names_) / sizeof((names_)[0]), .ready = (ready_), .lock = PTHREAD_MUTEX_INITIALIZER}

/// NULL once `library` is loaded and ready; otherwise why not ("libcurl could not be loaded: …").
const char *la_library_load(struct la_library *library);

/// Opens the shared library `soname` and resolves `count` functions by `names` into `functions`. Returns 1; or 0
/// with why in `error` ("libcurl could not be loaded: …", "libcurl has no curl_easy_init"), `label` naming the
/// library there.
int la_load_library(const char *label, const char *soname, const char *const *names, void **functions, size_t count,
                    char *error, size_t error_size);

#endif
