#ifndef LA_CCURL_H
#define LA_CCURL_H

#include <curl/curl.h>

// libcurl is loaded on first use rather than linked: it brings some twenty libraries (TLS, LDAP, Kerberos, SSH…)
// that a server which never sends mail or calls back a service would otherwise map at start. Each wrapper loads
// and initialises libcurl once per process; when it cannot be loaded, the handle is NULL and
// `la_curl_load_error` says why.

/// NULL once libcurl is loaded and initialised; otherwise why it is not (loads it on the first call).
const char *la_curl_load_error(void);

CURL *la_curl_easy_init(void);
void la_curl_easy_cleanup(CURL *curl);
CURLcode la_curl_easy_perform(CURL *curl);
const char *la_curl_easy_strerror(CURLcode code);
struct curl_slist *la_curl_slist_append(struct curl_slist *list, const char *value);
void la_curl_slist_free_all(struct curl_slist *list);

// curl_easy_setopt and curl_easy_getinfo are variadic, which Swift cannot call; these typed wrappers can be.
CURLcode la_curl_setopt_long(CURL *curl, CURLoption option, long value);
CURLcode la_curl_setopt_string(CURL *curl, CURLoption option, const char *value);
CURLcode la_curl_setopt_pointer(CURL *curl, CURLoption option, void *value);
typedef size_t (*la_curl_io_callback)(char *buffer, size_t size, size_t count, void *userdata);
CURLcode la_curl_setopt_callback(CURL *curl, CURLoption option, la_curl_io_callback value);
CURLcode la_curl_getinfo_long(CURL *curl, CURLINFO info, long *value);

#endif
