#include "CCurl.h"

#include <CLoader.h>
#include <stdio.h>

static const char *const names[] = {
    "curl_global_init", "curl_easy_init", "curl_easy_cleanup", "curl_easy_perform", "curl_easy_strerror",
    "curl_easy_setopt", "curl_easy_getinfo", "curl_slist_append", "curl_slist_free_all",
};
static struct {
    CURLcode (*global_init)(long flags);
    CURL *(*easy_init)(void);
    void (*easy_cleanup)(CURL *curl);
    CURLcode (*easy_perform)(CURL *curl);
    const char *(*easy_strerror)(CURLcode code);
    CURLcode (*easy_setopt)(CURL *curl, CURLoption option, ...);
    CURLcode (*easy_getinfo)(CURL *curl, CURLINFO info, ...);
    struct curl_slist *(*slist_append)(struct curl_slist *list, const char *value);
    void (*slist_free_all)(struct curl_slist *list);
} api;

static int ready(void *const *functions, char *error, size_t error_size) {
    api.global_init = (CURLcode (*)(long))functions[0];
    api.easy_init = (CURL * (*)(void)) functions[1];
    api.easy_cleanup = (void (*)(CURL *))functions[2];
    api.easy_perform = (CURLcode (*)(CURL *))functions[3];
    api.easy_strerror = (const char *(*)(CURLcode))functions[4];
    api.easy_setopt = (CURLcode (*)(CURL *, CURLoption, ...))functions[5];
    api.easy_getinfo = (CURLcode (*)(CURL *, CURLINFO, ...))functions[6];
    api.slist_append = (struct curl_slist * (*)(struct curl_slist *, const char *)) functions[7];
    api.slist_free_all = (void (*)(struct curl_slist *))functions[8];
    // curl_global_init is not thread-safe; running it inside the once-only load keeps it so.
    CURLcode code = api.global_init(CURL_GLOBAL_DEFAULT);
    if (code != CURLE_OK) {
        snprintf(error, error_size, "libcurl initialisation failed: %s", api.easy_strerror(code));
        return 0;
    }
    return 1;
}

static void *functions[sizeof names / sizeof names[0]];
static struct la_library library = LA_LIBRARY("libcurl", "libcurl.so.4", names, functions, ready);

const char *la_curl_load_error(void) { return la_library_load(&library); }

CURL *la_curl_easy_init(void) { return la_curl_load_error() ? NULL : api.easy_init(); }

struct curl_slist *la_curl_slist_append(struct curl_slist *list, const char *value) {
    return la_curl_load_error() ? NULL : api.slist_append(list, value);
}

// Everything below takes a handle, a list or a code from libcurl, which exist only once it is loaded.
void la_curl_easy_cleanup(CURL *curl) { api.easy_cleanup(curl); }
CURLcode la_curl_easy_perform(CURL *curl) { return api.easy_perform(curl); }
const char *la_curl_easy_strerror(CURLcode code) { return api.easy_strerror(code); }

void la_curl_slist_free_all(struct curl_slist *list) {
    if (list) api.slist_free_all(list);
}

CURLcode la_curl_setopt_long(CURL *curl, CURLoption option, long value) { return api.easy_setopt(curl, option, value); }

CURLcode la_curl_setopt_string(CURL *curl, CURLoption option, const char *value) {
    return api.easy_setopt(curl, option, value);
}

CURLcode la_curl_setopt_pointer(CURL *curl, CURLoption option, void *value) {
    return api.easy_setopt(curl, option, value);
}

CURLcode la_curl_setopt_callback(CURL *curl, CURLoption option, la_curl_io_callback value) {
    return api.easy_setopt(curl, option, value);
}

CURLcode la_curl_getinfo_long(CURL *curl, CURLINFO info, long *value) { return api.easy_getinfo(curl, info, value); }
