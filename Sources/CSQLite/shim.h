#include <sqlite3.h>

/* sqlite3_config is variadic, which Swift cannot call. Must run before SQLite initialises (before the first
   connection opens); returns SQLITE_MISUSE after that. */
static inline int la_sqlite_disable_memory_statistics(void) {
    return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}
