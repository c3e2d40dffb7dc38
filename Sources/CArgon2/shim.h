#include <argon2.h>
#include <stdint.h>
#include <stdlib.h>

/* The block of memory the next Argon2 call on this thread works in, set by the caller around the call. Argon2's
   context takes an allocator without a user pointer, hence a thread-local: hashes then reuse a few long-lived
   blocks instead of mapping, faulting in and returning 19 MiB each time. */
static _Thread_local uint8_t *appliance_argon2_block = NULL;
static _Thread_local size_t appliance_argon2_block_size = 0;

static inline void appliance_argon2_use_block(uint8_t *block, size_t size) {
    appliance_argon2_block = block;
    appliance_argon2_block_size = size;
}

static inline int appliance_argon2_allocate(uint8_t **memory, size_t bytes) {
    if (appliance_argon2_block != NULL && bytes <= appliance_argon2_block_size) {
        *memory = appliance_argon2_block;
        return ARGON2_OK;
    }
    *memory = malloc(bytes);
    return *memory != NULL ? ARGON2_OK : ARGON2_MEMORY_ALLOCATION_ERROR;
}

/* Argon2 has wiped the memory already (its default clear_internal_memory). */
static inline void appliance_argon2_free(uint8_t *memory, size_t bytes) {
    (void)bytes;
    if (memory != appliance_argon2_block) {
        free(memory);
    }
}
