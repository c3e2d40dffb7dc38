#include "CXML2.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

static struct {
    xmlDocPtr (*read_memory)(const char *buffer, int size, const char *url, const char *encoding, int options);
    void (*free_doc)(xmlDocPtr document);
    xmlNodePtr (*doc_get_root_element)(const xmlDoc *document);
} api;

static pthread_once_t once = PTHREAD_ONCE_INIT;
static char load_error[256];
static int loaded;

static int resolve(void *library, const char *name, void **function) {
    *function = dlsym(library, name);
    if (*function) return 1;
    snprintf(load_error, sizeof load_error, "libxml2 has no %s", name);
    return 0;
}

static void load(void) {
    void *library = dlopen("libxml2.so.2", RTLD_NOW | RTLD_LOCAL);
    if (!library) {
        const char *reason = dlerror();
        snprintf(load_error, sizeof load_error, "libxml2 could not be loaded: %s", reason ? reason : "unknown error");
        return;
    }
    loaded = resolve(library, "xmlReadMemory", (void **)&api.read_memory)
        && resolve(library, "xmlFreeDoc", (void **)&api.free_doc)
        && resolve(library, "xmlDocGetRootElement", (void **)&api.doc_get_root_element);
}

const char *la_xml_load_error(void) {
    pthread_once(&once, load);
    return loaded ? NULL : load_error;
}

xmlDocPtr la_xml_read_memory(const char *buffer, int size, int options) {
    return la_xml_load_error() ? NULL : api.read_memory(buffer, size, NULL, NULL, options);
}

// A document exists only once libxml2 is loaded.
void la_xml_free_doc(xmlDocPtr document) { api.free_doc(document); }
xmlNodePtr la_xml_doc_get_root_element(const xmlDoc *document) { return api.doc_get_root_element(document); }
