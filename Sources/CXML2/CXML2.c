#include "CXML2.h"

#include <CLoader.h>
#include <pthread.h>

static const char *const names[] = {"xmlReadMemory", "xmlFreeDoc", "xmlDocGetRootElement"};
static struct {
    xmlDocPtr (*read_memory)(const char *buffer, int size, const char *url, const char *encoding, int options);
    void (*free_doc)(xmlDocPtr document);
    xmlNodePtr (*doc_get_root_element)(const xmlDoc *document);
} api;

static pthread_once_t once = PTHREAD_ONCE_INIT;
static char load_error[256];
static int loaded;

static void load(void) {
    void *functions[sizeof names / sizeof names[0]];
    if (!la_load_library("libxml2", "libxml2.so.2", names, functions, sizeof names / sizeof names[0], load_error,
                         sizeof load_error))
        return;
    api.read_memory = (xmlDocPtr (*)(const char *, int, const char *, const char *, int))functions[0];
    api.free_doc = (void (*)(xmlDocPtr))functions[1];
    api.doc_get_root_element = (xmlNodePtr (*)(const xmlDoc *))functions[2];
    loaded = 1;
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
