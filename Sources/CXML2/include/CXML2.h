#ifndef LA_CXML2_H
#define LA_CXML2_H

#include <libxml/xmlversion.h>
// libxml2's headers would pull in the system ICU, whose declarations clash with the copy Foundation
// carries; nothing here uses libxml2's ICU converters, and only pointers to their structures are seen.
#undef LIBXML_ICU_ENABLED
#include <libxml/parser.h>
#include <libxml/tree.h>

// libxml2 is loaded on first use rather than linked: only importing a token file reads XML, and linking it would
// map libxml2 and the ICU it needs into every process, the server included.

/// NULL once libxml2 is loaded; otherwise why it is not (loads it on the first call).
const char *la_xml_load_error(void);

/// xmlReadMemory without a URL or encoding override; NULL when libxml2 is not loaded or the document is not well-formed.
xmlDocPtr la_xml_read_memory(const char *buffer, int size, int options);
void la_xml_free_doc(xmlDocPtr document);
xmlNodePtr la_xml_doc_get_root_element(const xmlDoc *document);

#endif
