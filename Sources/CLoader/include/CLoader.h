#ifndef LA_CLOADER_H
#define LA_CLOADER_H

#include <stddef.h>

/// Opens the shared library `soname` and resolves `count` functions by `names` into `functions`. Returns 1; or 0
/// with why in `error` ("libcurl could not be loaded: …", "libcurl has no curl_easy_init"), `label` naming the
/// library there.
int la_load_library(const char *label, const char *soname, const char *const *names, void **functions, size_t count,
                    char *error, size_t error_size);

#endif
