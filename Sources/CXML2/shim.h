#include <libxml/xmlversion.h>
// libxml2's headers would pull in the system ICU, whose declarations clash with the copy Foundation
// carries; nothing here uses libxml2's ICU converters, and only pointers to their structures are seen.
#undef LIBXML_ICU_ENABLED
#include <libxml/parser.h>
#include <libxml/tree.h>
