#include "CXML2.h"

#include <CLoader.h>

static const char *const names[] = {"xmlReadMemory", "xmlFreeDoc", "xmlDocGetRootElement"};
static struct {
    xmlDocPtr (*read_memory)(const char *buffer, int size, const char *url, const char *encoding, int options);
    void (*free_doc)(xmlDocPtr document);
    xmlNodePtr (*doc_get_root_element)(const xmlDoc *document);
} api;

static int ready(void *const *functions, char *error, size_t error_size) {
    (void)error;
    (void)error_size;
    api.read_memory = (xmlDocPtr (*)(const char *, int, const char *, const char *, int))functions[0];
    api.free_doc = (void (*)(xmlDocPtr))functions[1];
    api.doc_get_root_element = (xmlNodePtr (*)(const xmlDoc *))functions[2];
    return 1;
}

static void *functions[sizeof names / sizeof names[0]];
static struct la_library library = LA_LIBRARY("libxml2", "libxml2.so.2", names, functions, ready);

const char *la_xml_load_error(void) { return la_library_load(&library); }

xmlDocPtr la_xml_read_memory(const char *buffer, int size, int options) {
    return la_xml_load_error() ? NULL : api.read_memory(buffer, size, NULL, NULL, options);
}

// A document exists only once libxml2 is loaded.
void la_xml_free_doc(xmlDocPtr document) { api.free_doc(document); }
xmlNodePtr la_xml_doc_get_root_element(const xmlDoc *document) { return api.doc_get_root_element(document); }
