#include "CCurl.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

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

static pthread_once_t once = PTHREAD_ONCE_INIT;
static char load_error[256];
static int loaded;

static int resolve(void *library, const char *name, void **function) {
    *function = dlsym(library, name);
    if (*function) return 1;
    snprintf(load_error, sizeof load_error, "libcurl has no %s", name);
    return 0;
}

static void load(void) {
    void *library = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
    if (!library) {
        const char *reason = dlerror();
        snprintf(load_error, sizeof load_error, "libcurl could not be loaded: %s", reason ? reason : "unknown error");
        return;
    }
    if (!resolve(library, "curl_global_init", (void **)&api.global_init)
        || !resolve(library, "curl_easy_init", (void **)&api.easy_init)
        || !resolve(library, "curl_easy_cleanup", (void **)&api.easy_cleanup)
        || !resolve(library, "curl_easy_perform", (void **)&api.easy_perform)
        || !resolve(library, "curl_easy_strerror", (void **)&api.easy_strerror)
        || !resolve(library, "curl_easy_setopt", (void **)&api.easy_setopt)
        || !resolve(library, "curl_easy_getinfo", (void **)&api.easy_getinfo)
        || !resolve(library, "curl_slist_append", (void **)&api.slist_append)
        || !resolve(library, "curl_slist_free_all", (void **)&api.slist_free_all))
        return;
    // curl_global_init is not thread-safe; running it inside the once-only load keeps it so.
    CURLcode code = api.global_init(CURL_GLOBAL_DEFAULT);
    if (code != CURLE_OK) {
        snprintf(load_error, sizeof load_error, "libcurl initialisation failed: %s", api.easy_strerror(code));
        return;
    }
    loaded = 1;
}

const char *la_curl_load_error(void) {
    pthread_once(&once, load);
    return loaded ? NULL : load_error;
}

CURL *la_curl_easy_init(void) { return la_curl_load_error() ? NULL : api.easy_init(); }

// Everything below takes a handle or list, which exists only once libcurl is loaded.
void la_curl_easy_cleanup(CURL *curl) { api.easy_cleanup(curl); }
CURLcode la_curl_easy_perform(CURL *curl) { return api.easy_perform(curl); }
const char *la_curl_easy_strerror(CURLcode code) { return api.easy_strerror(code); }

struct curl_slist *la_curl_slist_append(struct curl_slist *list, const char *value) {
    return api.slist_append(list, value);
}

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
