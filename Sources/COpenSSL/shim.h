#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/core_names.h>

/* An HMAC context keyed with `key`, for `digest` ("SHA256", "SHA1", ...), from an HMAC implementation fetched
   once by the caller; NULL on failure. In C because OSSL_PARAM arrays are awkward to build from Swift. */
static inline EVP_MAC_CTX *la_hmac_keyed(EVP_MAC *mac, const char *digest, const unsigned char *key, size_t key_length) {
    EVP_MAC_CTX *context = EVP_MAC_CTX_new(mac);
    if (context == NULL) return NULL;
    OSSL_PARAM parameters[2] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)digest, 0),
        OSSL_PARAM_construct_end(),
    };
    if (EVP_MAC_init(context, key, key_length, parameters) != 1) {
        EVP_MAC_CTX_free(context);
        return NULL;
    }
    return context;
}
