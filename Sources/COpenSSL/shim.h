/* Debian's OpenSSL 3 (libssl3), through pkg-config `openssl`.
 *
 * Swift does not import OpenSSL's function-like macros (SSL_CTX_set_min_proto_version,
 * SSL_set_tlsext_host_name, BIO_pending...) nor the typed stack helpers
 * reliably: these static inline functions wrap them, and a few small
 * helpers read certificate names without handing OpenSSL stacks to Swift. */
#ifndef HAPROXY_COPENSSL_SHIM_H
#define HAPROXY_COPENSSL_SHIM_H

#include <openssl/ssl.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/opensslv.h>
#include <openssl/dh.h>
#include <openssl/obj_mac.h>
#include <openssl/ocsp.h>
#include <openssl/provider.h>
#include <openssl/core_names.h>
#include <openssl/rand.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>

/* SSL_OP_* are built with a function-like macro Swift does not import. */
enum hap_ssl_option {
    HAP_OP_NO_SSLv3, HAP_OP_NO_TLSv1, HAP_OP_NO_TLSv1_1, HAP_OP_NO_TLSv1_2, HAP_OP_NO_TLSv1_3,
    HAP_OP_NO_COMPRESSION, HAP_OP_NO_RENEGOTIATION, HAP_OP_NO_TICKET, HAP_OP_CIPHER_SERVER_PREFERENCE,
    HAP_OP_SINGLE_DH_USE, HAP_OP_SINGLE_ECDH_USE,
};
static inline uint64_t hap_ssl_option(enum hap_ssl_option which) {
    switch (which) {
    case HAP_OP_NO_SSLv3: return SSL_OP_NO_SSLv3;
    case HAP_OP_NO_TLSv1: return SSL_OP_NO_TLSv1;
    case HAP_OP_NO_TLSv1_1: return SSL_OP_NO_TLSv1_1;
    case HAP_OP_NO_TLSv1_2: return SSL_OP_NO_TLSv1_2;
    case HAP_OP_NO_TLSv1_3: return SSL_OP_NO_TLSv1_3;
    case HAP_OP_NO_COMPRESSION: return SSL_OP_NO_COMPRESSION;
    case HAP_OP_NO_RENEGOTIATION: return SSL_OP_NO_RENEGOTIATION;
    case HAP_OP_NO_TICKET: return SSL_OP_NO_TICKET;
    case HAP_OP_CIPHER_SERVER_PREFERENCE: return SSL_OP_CIPHER_SERVER_PREFERENCE;
    case HAP_OP_SINGLE_DH_USE: return SSL_OP_SINGLE_DH_USE;
    case HAP_OP_SINGLE_ECDH_USE: return SSL_OP_SINGLE_ECDH_USE;
    }
    return 0;
}

static inline int hap_ssl_ctx_set_min_proto(SSL_CTX *ctx, int v) { return (int)SSL_CTX_set_min_proto_version(ctx, v); }
static inline int hap_ssl_ctx_set_max_proto(SSL_CTX *ctx, int v) { return (int)SSL_CTX_set_max_proto_version(ctx, v); }
static inline int hap_ssl_ctx_set_groups_list(SSL_CTX *ctx, const char *list) { return (int)SSL_CTX_set1_groups_list(ctx, list); }
static inline long hap_ssl_ctx_set_mode(SSL_CTX *ctx, long mode) { return SSL_CTX_set_mode(ctx, mode); }
static inline long hap_ssl_ctx_set_session_cache_mode(SSL_CTX *ctx, long mode) { return SSL_CTX_set_session_cache_mode(ctx, mode); }
static inline long hap_ssl_ctx_sess_set_cache_size(SSL_CTX *ctx, long n) { return SSL_CTX_sess_set_cache_size(ctx, n); }
static inline int hap_ssl_ctx_set_max_send_fragment(SSL_CTX *ctx, long n) { return (int)SSL_CTX_set_max_send_fragment(ctx, n); }
static inline int hap_ssl_ctx_set_dh_auto(SSL_CTX *ctx) { return (int)SSL_CTX_set_dh_auto(ctx, 1); }
static inline int hap_ssl_ctx_add1_chain_cert(SSL_CTX *ctx, X509 *x) { return (int)SSL_CTX_add1_chain_cert(ctx, x); }
static inline int hap_ssl_add1_chain_cert(SSL *ssl, X509 *x) { return (int)SSL_add1_chain_cert(ssl, x); }
static inline int hap_ssl_clear_chain_certs(SSL *ssl) { return (int)SSL_clear_chain_certs(ssl); }
static inline int hap_ssl_set_min_proto(SSL *ssl, int v) { return (int)SSL_set_min_proto_version(ssl, v); }
static inline int hap_ssl_set_max_proto(SSL *ssl, int v) { return (int)SSL_set_max_proto_version(ssl, v); }
static inline int hap_ssl_set_groups_list(SSL *ssl, const char *list) { return (int)SSL_set1_groups_list(ssl, list); }

/* The host name of the ClientHello's server_name extension into buf (NUL
 * terminated), read in the client hello callback, before OpenSSL parses
 * the extensions; its length, or -1 when there is none. */
static inline int hap_client_hello_servername(SSL *s, char *buf, int size) {
    const unsigned char *p;
    size_t len;
    if (!SSL_client_hello_get0_ext(s, TLSEXT_TYPE_server_name, &p, &len) || len < 5) return -1;
    size_t listlen = ((size_t)p[0] << 8) | p[1];
    if (listlen + 2 != len || p[2] != TLSEXT_NAMETYPE_host_name) return -1;
    size_t n = ((size_t)p[3] << 8) | p[4];
    if (n == 0 || n + 3 > listlen || n >= (size_t)size) return -1;
    memcpy(buf, p + 5, n);
    buf[n] = 0;
    return (int)n;
}

static inline int hap_ssl_set_tlsext_host_name(SSL *ssl, const char *name) { return (int)SSL_set_tlsext_host_name(ssl, name); }
static inline int hap_ssl_ctx_set_servername_callback(SSL_CTX *ctx, int (*cb)(SSL *, int *, void *), void *arg) {
    SSL_CTX_set_tlsext_servername_callback(ctx, cb);
    return (int)SSL_CTX_set_tlsext_servername_arg(ctx, arg);
}
static inline size_t hap_bio_pending(BIO *bio) { return (size_t)BIO_ctrl_pending(bio); }

/* The transport of a TLS connection's record layer: one BIO that reads the
 * ciphertext received where it lies (`input`, set by the caller for the
 * time of its SSL calls, not copied first) and writes into the caller's
 * memory (`window`, set for the time of an SSL_write) or, when none is set
 * or it is full, appends to a buffer it grows (`output`), which the
 * caller empties. What memory BIOs cost on every record (a copy in, a copy
 * out, BIO_ctrl calls to ask what is pending) reduces to the one copy out
 * of OpenSSL; the counts are plain fields. */
typedef struct hap_tls_io {
    const unsigned char *input;
    size_t input_len;
    unsigned char *output;
    size_t output_len;
    size_t output_cap;
    unsigned char *window;
    size_t window_len;
    size_t window_cap;
} hap_tls_io;

static int hap_tls_io_write(BIO *b, const char *data, size_t len, size_t *written) {
    hap_tls_io *io = (hap_tls_io *)BIO_get_data(b);
    BIO_clear_retry_flags(b);
    /* Once anything went to `output`, the rest follows it, in order. */
    if (io->window && io->output_len == 0 && io->window_len + len <= io->window_cap) {
        memcpy(io->window + io->window_len, data, len);
        io->window_len += len;
        *written = len;
        return 1;
    }
    if (io->output_len + len > io->output_cap) {
        size_t cap = io->output_cap ? io->output_cap : 1024;
        while (cap < io->output_len + len) cap *= 2;
        unsigned char *p = (unsigned char *)OPENSSL_realloc(io->output, cap);
        if (!p) return 0;
        io->output = p;
        io->output_cap = cap;
    }
    memcpy(io->output + io->output_len, data, len);
    io->output_len += len;
    *written = len;
    return 1;
}

/* Nothing left to read means "wait for more" (retry), never end of file:
 * the connection's end comes to the handler as an event. */
static int hap_tls_io_read(BIO *b, char *data, size_t len, size_t *readbytes) {
    hap_tls_io *io = (hap_tls_io *)BIO_get_data(b);
    BIO_clear_retry_flags(b);
    if (io->input_len == 0) {
        BIO_set_retry_read(b);
        *readbytes = 0;
        return 0;
    }
    size_t n = len < io->input_len ? len : io->input_len;
    memcpy(data, io->input, n);
    io->input += n;
    io->input_len -= n;
    *readbytes = n;
    return 1;
}

static long hap_tls_io_ctrl(BIO *b, int cmd, long num, void *ptr) {
    hap_tls_io *io = (hap_tls_io *)BIO_get_data(b);
    (void)num; (void)ptr;
    switch (cmd) {
    case BIO_CTRL_FLUSH: return 1;
    case BIO_CTRL_PENDING: return (long)io->input_len;
    case BIO_CTRL_WPENDING: return (long)(io->output_len + io->window_len);
    default: return 0;
    }
}

static int hap_tls_io_destroy(BIO *b) {
    hap_tls_io *io = (hap_tls_io *)BIO_get_data(b);
    if (io) {
        OPENSSL_free(io->output);
        OPENSSL_free(io);
        BIO_set_data(b, NULL);
    }
    return 1;
}

/* Frees the output memory once emptied (after a large flight). */
static inline void hap_tls_io_release_output(hap_tls_io *io) {
    OPENSSL_free(io->output);
    io->output = NULL;
    io->output_len = 0;
    io->output_cap = 0;
}

/* The method, made once by the caller and shared by every connection. */
static inline BIO_METHOD *hap_tls_io_method_new(void) {
    BIO_METHOD *m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "haproxy tls transport");
    if (!m) return NULL;
    BIO_meth_set_write_ex(m, hap_tls_io_write);
    BIO_meth_set_read_ex(m, hap_tls_io_read);
    BIO_meth_set_ctrl(m, hap_tls_io_ctrl);
    BIO_meth_set_destroy(m, hap_tls_io_destroy);
    return m;
}

/* A transport BIO of `method`; its state comes back through `io`. The BIO
 * frees the state when it is freed (with its SSL). */
static inline BIO *hap_tls_io_new(BIO_METHOD *method, hap_tls_io **io) {
    hap_tls_io *state = (hap_tls_io *)OPENSSL_zalloc(sizeof(hap_tls_io));
    if (!state) return NULL;
    BIO *b = BIO_new(method);
    if (!b) {
        OPENSSL_free(state);
        return NULL;
    }
    BIO_set_data(b, state);
    BIO_set_init(b, 1);
    *io = state;
    return b;
}
static inline const char *hap_openssl_version_text(void) { return OPENSSL_VERSION_TEXT; }
static inline uint64_t hap_ssl_ctx_set_options(SSL_CTX *ctx, uint64_t opts) { return SSL_CTX_set_options(ctx, opts); }
static inline int hap_ssl_alert_fatal_unrecognized_name(void) { return SSL_AD_UNRECOGNIZED_NAME; }

/* Finite-field DH parameters (RFC 7919) of at least `bits`, at most 8192,
 * for DHE ciphers (`tune.ssl.default-dh-param`); NULL on failure. */
static inline EVP_PKEY *hap_ffdhe_params(int bits) {
    int nid = bits >= 8192 ? NID_ffdhe8192 : bits >= 6144 ? NID_ffdhe6144 : bits >= 4096 ? NID_ffdhe4096
            : bits >= 3072 ? NID_ffdhe3072 : NID_ffdhe2048;
    EVP_PKEY_CTX *pctx = EVP_PKEY_CTX_new_from_name(NULL, "DH", NULL);
    EVP_PKEY *pkey = NULL;
    if (pctx && EVP_PKEY_paramgen_init(pctx) > 0 && EVP_PKEY_CTX_set_dh_nid(pctx, nid) > 0)
        EVP_PKEY_paramgen(pctx, &pkey);
    EVP_PKEY_CTX_free(pctx);
    return pkey;
}

/* Chooses the server's ALPN protocol among the client's, in the server's
 * order (the out pointer is const in the callback, not in OpenSSL's helper). */
static inline int hap_select_alpn(const unsigned char **out, unsigned char *outlen,
                                  const unsigned char *server, unsigned int serverlen,
                                  const unsigned char *client, unsigned int clientlen) {
    return SSL_select_next_proto((unsigned char **)out, outlen, server, serverlen, client, clientlen);
}

/* `show ssl cert`'s `Subject Alternative Name` value into buf, as 2.6
 * writes it: `DNS:name` for DNS entries, `, ` after every entry but the
 * last, whatever its type. Its length; -1 when there is no SAN. */
static inline int hap_x509_san_text(X509 *cert, char *buf, int size) {
    GENERAL_NAMES *names = X509_get_ext_d2i(cert, NID_subject_alt_name, NULL, NULL);
    if (!names) return -1;
    int n = 0, count = sk_GENERAL_NAME_num(names);
    for (int i = 0; i < count; i++) {
        GENERAL_NAME *name = sk_GENERAL_NAME_value(names, i);
        if (name->type == GEN_DNS) {
            n += snprintf(buf + n, n < size ? size - n : 0, "DNS:%.*s", ASN1_STRING_length(name->d.dNSName),
                          (const char *)ASN1_STRING_get0_data(name->d.dNSName));
        }
        if (i < count - 1) n += snprintf(buf + n, n < size ? size - n : 0, ", ");
    }
    GENERAL_NAMES_free(names);
    return n < size ? n : size - 1;
}

/* A date as OpenSSL prints it (`Dec  6 05:35:23 2026 GMT`) into buf. */
static inline int hap_asn1_time_text(const ASN1_TIME *t, char *buf, int size) {
    BIO *bio = BIO_new(BIO_s_mem());
    if (!bio) return -1;
    int n = -1;
    if (ASN1_TIME_print(bio, t)) n = BIO_read(bio, buf, size);
    BIO_free(bio);
    return n;
}

/* The SHA-1 digest of a certificate into out (20 bytes). */
static inline int hap_x509_sha1(X509 *cert, unsigned char *out) {
    unsigned int n = 0;
    return X509_digest(cert, EVP_sha1(), out, &n) ? (int)n : -1;
}

/* Calls `body` with each DNS name of `cert`'s subjectAltName, then with
 * its subject CN (HAProxy indexes both for SNI), and returns how many. */
static inline int hap_x509_each_name(X509 *cert, void *arg, void (*body)(void *arg, const char *name, int len)) {
    int count = 0;
    GENERAL_NAMES *names = X509_get_ext_d2i(cert, NID_subject_alt_name, NULL, NULL);
    if (names) {
        for (int i = 0; i < sk_GENERAL_NAME_num(names); i++) {
            GENERAL_NAME *name = sk_GENERAL_NAME_value(names, i);
            if (name->type == GEN_DNS) {
                const unsigned char *s = ASN1_STRING_get0_data(name->d.dNSName);
                body(arg, (const char *)s, ASN1_STRING_length(name->d.dNSName));
                count++;
            }
        }
        GENERAL_NAMES_free(names);
    }
    X509_NAME *subject = X509_get_subject_name(cert);
    int i = -1;
    while ((i = X509_NAME_get_index_by_NID(subject, NID_commonName, i)) != -1) {
        ASN1_STRING *data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, i));
        unsigned char *utf8 = NULL;
        int len = ASN1_STRING_to_UTF8(&utf8, data);
        if (len >= 0) {
            body(arg, (const char *)utf8, len);
            count++;
            OPENSSL_free(utf8);
        }
    }
    return count;
}

/* The first value of `field` (`CN`, `O`...) in `name` as UTF-8 into buf;
 * its length, or -1 when absent. */
static inline int hap_x509_name_entry(X509_NAME *name, const char *field, char *buf, int size) {
    int nid = OBJ_txt2nid(field);
    if (nid == NID_undef) return -1;
    int i = X509_NAME_get_index_by_NID(name, nid, -1);
    if (i < 0) return -1;
    unsigned char *utf8 = NULL;
    int len = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, i)));
    if (len < 0) return -1;
    if (len > size) len = size;
    memcpy(buf, utf8, len);
    OPENSSL_free(utf8);
    return len;
}

/* A one-line X509 name as HAProxy prints DNs (`/C=FR/CN=name`) into buf:
 * each entry's short name and its value's bytes as they are (no escaping
 * of `/` nor of UTF-8). Its length, or -1 when it does not fit. */
static inline int hap_x509_name_oneline(X509_NAME *name, char *buf, int size) {
    int n = 0;
    for (int i = 0; i < X509_NAME_entry_count(name); i++) {
        X509_NAME_ENTRY *entry = X509_NAME_get_entry(name, i);
        ASN1_OBJECT *obj = X509_NAME_ENTRY_get_object(entry);
        ASN1_STRING *data = X509_NAME_ENTRY_get_data(entry);
        int nid = OBJ_obj2nid(obj);
        char oid[80];
        const char *sn = nid == NID_undef ? NULL : OBJ_nid2sn(nid);
        if (!sn) {
            OBJ_obj2txt(oid, sizeof(oid), obj, 1);
            sn = oid;
        }
        int snlen = (int)strlen(sn), len = ASN1_STRING_length(data);
        if (n + 2 + snlen + len >= size) return -1;
        buf[n++] = '/';
        memcpy(buf + n, sn, snlen);
        n += snlen;
        buf[n++] = '=';
        memcpy(buf + n, ASN1_STRING_get0_data(data), len);
        n += len;
    }
    buf[n] = 0;
    return n;
}

/* OCSP stapling (manual 5.1 `crt`: `<cert>.ocsp`). The DER response is
 * kept in the SSL_CTX's ex_data, freed with it, and handed to each
 * connection whose client asks for the certificate status. */
struct hap_ocsp_blob { size_t len; unsigned char der[]; };
static void hap_ocsp_blob_free(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx, long argl, void *argp) {
    (void)parent; (void)ad; (void)idx; (void)argl; (void)argp;
    free(ptr);
}
/* The ex_data indexes are weak globals: one copy for the whole program,
 * however many objects the importer emits these inline functions into.
 * They are first asked for while the configuration loads, on one thread. */
__attribute__((weak)) int hap_ocsp_ex_index = -1;
__attribute__((weak)) int hap_verify_policy_ex_index = -1;
__attribute__((weak)) int hap_verify_state_ex_index = -1;
static inline int hap_ocsp_index(void) {
    if (hap_ocsp_ex_index < 0) hap_ocsp_ex_index = SSL_CTX_get_ex_new_index(0, NULL, NULL, NULL, hap_ocsp_blob_free);
    return hap_ocsp_ex_index;
}
static int hap_ocsp_status_cb(SSL *ssl, void *arg) {
    (void)arg;
    struct hap_ocsp_blob *blob = SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), hap_ocsp_index());
    if (!blob) return SSL_TLSEXT_ERR_NOACK;
    unsigned char *copy = OPENSSL_malloc(blob->len);
    if (!copy) return SSL_TLSEXT_ERR_NOACK;
    memcpy(copy, blob->der, blob->len);
    if (!SSL_set_tlsext_status_ocsp_resp(ssl, copy, (long)blob->len)) {
        OPENSSL_free(copy);
        return SSL_TLSEXT_ERR_NOACK;
    }
    return SSL_TLSEXT_ERR_OK;
}
/* Installs the status callback on every server context, and `der` (may be
 * NULL) as the response this context staples. */
static inline int hap_ssl_ctx_set_ocsp_response(SSL_CTX *ctx, const unsigned char *der, size_t len) {
    SSL_CTX_set_tlsext_status_cb(ctx, hap_ocsp_status_cb);
    if (!der || !len) return 1;
    struct hap_ocsp_blob *blob = malloc(sizeof(*blob) + len);
    if (!blob) return 0;
    blob->len = len;
    memcpy(blob->der, der, len);
    return SSL_CTX_set_ex_data(ctx, hap_ocsp_index(), blob);
}

/* TLS session ticket keys (bind `tls-ticket-keys`, CLI `set ssl tls-key`):
 * a ring of three keys, each a 16-byte name, an AES key and an HMAC-SHA256
 * key of the same size (48 bytes: AES-128; 80 bytes: AES-256). `head` is
 * the key that encrypts new tickets; the two others only decrypt, and a
 * ticket they open is renewed. Shared by the bind lines naming the same
 * file, read by the handshakes of every thread, rotated by the CLI. */
#define HAP_TICKET_KEYS 3
struct hap_ticket_keys {
    pthread_rwlock_t lock;
    int key_len;
    int head;
    unsigned char keys[HAP_TICKET_KEYS][80];
};
__attribute__((weak)) int hap_ticket_ex_index = -1;
static inline int hap_ticket_index(void) {
    if (hap_ticket_ex_index < 0) hap_ticket_ex_index = SSL_CTX_get_ex_new_index(0, NULL, NULL, NULL, NULL);
    return hap_ticket_ex_index;
}
static inline struct hap_ticket_keys *hap_ticket_keys_new(int key_len) {
    struct hap_ticket_keys *k = calloc(1, sizeof(*k));
    if (!k) return NULL;
    pthread_rwlock_init(&k->lock, NULL);
    k->key_len = key_len;
    return k;
}
/* Writes a key into a ring slot and sets the encryption key (loading). */
static inline void hap_ticket_keys_store(struct hap_ticket_keys *k, int slot, const unsigned char *key, int head) {
    pthread_rwlock_wrlock(&k->lock);
    memcpy(k->keys[slot % HAP_TICKET_KEYS], key, (size_t)k->key_len);
    k->head = head % HAP_TICKET_KEYS;
    pthread_rwlock_unlock(&k->lock);
}
/* A new key replaces the oldest; the one before it becomes the
 * encryption key. */
static inline void hap_ticket_keys_push(struct hap_ticket_keys *k, const unsigned char *key) {
    pthread_rwlock_wrlock(&k->lock);
    memcpy(k->keys[(k->head + 2) % HAP_TICKET_KEYS], key, (size_t)k->key_len);
    k->head = (k->head + 1) % HAP_TICKET_KEYS;
    pthread_rwlock_unlock(&k->lock);
}
/* The i-th key from the oldest (the newest is the last). */
static inline void hap_ticket_keys_get(struct hap_ticket_keys *k, int i, unsigned char *out) {
    pthread_rwlock_rdlock(&k->lock);
    memcpy(out, k->keys[(k->head + 2 + i) % HAP_TICKET_KEYS], (size_t)k->key_len);
    pthread_rwlock_unlock(&k->lock);
}
static int hap_ticket_key_cb(SSL *ssl, unsigned char *name, unsigned char *iv, EVP_CIPHER_CTX *cctx,
                             EVP_MAC_CTX *hctx, int enc) {
    struct hap_ticket_keys *k = SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), hap_ticket_index());
    if (!k) return -1;
    int aes = k->key_len == 80 ? 32 : 16;
    const EVP_CIPHER *cipher = aes == 32 ? EVP_aes_256_cbc() : EVP_aes_128_cbc();
    int rc = -1, found = 0;
    pthread_rwlock_rdlock(&k->lock);
    const unsigned char *key = NULL;
    if (enc) {
        key = k->keys[k->head];
        memcpy(name, key, 16);
        if (RAND_bytes(iv, EVP_CIPHER_get_iv_length(cipher)) <= 0) goto out;
        if (!EVP_EncryptInit_ex(cctx, cipher, NULL, key + 16, iv)) goto out;
    } else {
        for (found = 0; found < HAP_TICKET_KEYS; found++) {
            key = k->keys[(k->head + found) % HAP_TICKET_KEYS];
            if (!memcmp(name, key, 16)) break;
        }
        if (found == HAP_TICKET_KEYS) { rc = 0; goto out; }
        if (!EVP_DecryptInit_ex(cctx, cipher, NULL, key + 16, iv)) goto out;
    }
    char digest[] = "SHA256";
    OSSL_PARAM params[3];
    params[0] = OSSL_PARAM_construct_octet_string(OSSL_MAC_PARAM_KEY, (void *)(key + 16 + aes), (size_t)aes);
    params[1] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0);
    params[2] = OSSL_PARAM_construct_end();
    if (!EVP_MAC_CTX_set_params(hctx, params)) goto out;
    rc = enc ? 1 : (found ? 2 : 1);
out:
    pthread_rwlock_unlock(&k->lock);
    return rc;
}
/* Tickets of this context are made and opened with the ring's keys (the
 * ring outlives the context). */
static inline int hap_ssl_ctx_set_ticket_keys(SSL_CTX *ctx, struct hap_ticket_keys *k) {
    if (!SSL_CTX_set_ex_data(ctx, hap_ticket_index(), k)) return 0;
    return SSL_CTX_set_tlsext_ticket_key_evp_cb(ctx, hap_ticket_key_cb);
}

/* Signed certificate timestamps (manual 5.1 `crt`: `<cert>.sctl`): the
 * SCT list is sent as is to TLS 1.2 clients that ask for it (extension
 * 18), from the SSL_CTX's ex_data, freed with it. */
__attribute__((weak)) int hap_sctl_ex_index = -1;
static inline int hap_sctl_index(void) {
    if (hap_sctl_ex_index < 0) hap_sctl_ex_index = SSL_CTX_get_ex_new_index(0, NULL, NULL, NULL, hap_ocsp_blob_free);
    return hap_sctl_ex_index;
}
static int hap_sctl_add_cb(SSL *ssl, unsigned int type, const unsigned char **out, size_t *outlen, int *al, void *arg) {
    (void)type; (void)al; (void)arg;
    struct hap_ocsp_blob *blob = SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), hap_sctl_index());
    if (!blob) return 0;
    *out = blob->der;
    *outlen = blob->len;
    return 1;
}
static int hap_sctl_parse_cb(SSL *ssl, unsigned int type, const unsigned char *in, size_t inlen, int *al, void *arg) {
    (void)ssl; (void)type; (void)in; (void)inlen; (void)al; (void)arg;
    return 1;
}
static inline int hap_ssl_ctx_set_sctl(SSL_CTX *ctx, const unsigned char *list, size_t len) {
    struct hap_ocsp_blob *blob = malloc(sizeof(*blob) + len);
    if (!blob) return 0;
    blob->len = len;
    memcpy(blob->der, list, len);
    if (!SSL_CTX_set_ex_data(ctx, hap_sctl_index(), blob)) { free(blob); return 0; }
    return SSL_CTX_add_server_custom_ext(ctx, TLSEXT_TYPE_signed_certificate_timestamp, hap_sctl_add_cb, NULL, NULL,
                                         hap_sctl_parse_cb, NULL);
}

/* The OCSP certificate id (SHA-1) of `cert` issued by `issuer`, DER
 * encoded into out; its length, or -1. */
static inline int hap_ocsp_certid_der(X509 *cert, X509 *issuer, unsigned char *out, int size) {
    OCSP_CERTID *id = OCSP_cert_to_id(NULL, cert, issuer);
    if (!id) return -1;
    int n = i2d_OCSP_CERTID(id, NULL);
    if (n > 0 && n <= size) {
        unsigned char *p = out;
        n = i2d_OCSP_CERTID(id, &p);
    } else n = -1;
    OCSP_CERTID_free(id);
    return n;
}

/* Checks a DER OCSP response for `cert`: 0 when it holds a single
 * response for it; 1 unparsable; 2 not successful; 3 not a basic
 * response; 4 no single response for this certificate and issuer;
 * 5 no longer valid. */
static inline int hap_ocsp_check(const unsigned char *der, long len, X509 *cert, X509 *issuer) {
    const unsigned char *p = der;
    OCSP_RESPONSE *resp = d2i_OCSP_RESPONSE(NULL, &p, len);
    if (!resp) return 1;
    int rc = 0;
    OCSP_BASICRESP *basic = NULL;
    OCSP_CERTID *id = NULL;
    if (OCSP_response_status(resp) != OCSP_RESPONSE_STATUS_SUCCESSFUL) { rc = 2; goto out; }
    basic = OCSP_response_get1_basic(resp);
    if (!basic) { rc = 3; goto out; }
    id = OCSP_cert_to_id(NULL, cert, issuer);
    int i = id ? OCSP_resp_find(basic, id, -1) : -1;
    if (i < 0) { rc = 4; goto out; }
    OCSP_SINGLERESP *single = OCSP_resp_get0(basic, i);
    ASN1_GENERALIZEDTIME *thisupd = NULL, *nextupd = NULL;
    OCSP_single_get0_status(single, NULL, NULL, &thisupd, &nextupd);
    if (!OCSP_check_validity(thisupd, nextupd, 300, -1)) rc = 5;
out:
    OCSP_CERTID_free(id);
    OCSP_BASICRESP_free(basic);
    OCSP_RESPONSE_free(resp);
    return rc;
}

/* Client certificate verification (manual 5.1 `ca-ignore-err`,
 * `crt-ignore-err`, `crl-file`; 7.3.4 `ssl_c_err`, `ssl_c_ca_err`,
 * `ssl_c_ca_err_depth`). The context's policy says which X509_V_ERR ids
 * (1..94) are not fatal at depth 0 and above; each connection keeps the
 * first error seen at each level. */
struct hap_verify_policy { int ca_all, crt_all; uint64_t ca[2], crt[2]; };
struct hap_verify_state { int crt_err, ca_err, ca_err_depth; };
static void hap_free_ptr(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx, long argl, void *argp) {
    (void)parent; (void)ad; (void)idx; (void)argl; (void)argp;
    free(ptr);
}
static inline int hap_verify_policy_index(void) {
    if (hap_verify_policy_ex_index < 0)
        hap_verify_policy_ex_index = SSL_CTX_get_ex_new_index(0, NULL, NULL, NULL, hap_free_ptr);
    return hap_verify_policy_ex_index;
}
static inline int hap_verify_state_index(void) {
    if (hap_verify_state_ex_index < 0)
        hap_verify_state_ex_index = SSL_get_ex_new_index(0, NULL, NULL, NULL, hap_free_ptr);
    return hap_verify_state_ex_index;
}
static inline int hap_bit(const uint64_t *set, int id) {
    return id > 0 && id < 128 && (set[id / 64] >> (id % 64)) & 1;
}
static int hap_verify_cb(int ok, X509_STORE_CTX *store) {
    if (ok) return ok;
    SSL *ssl = X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx());
    if (!ssl) return ok;
    struct hap_verify_state *st = SSL_get_ex_data(ssl, hap_verify_state_index());
    if (!st) {
        st = calloc(1, sizeof(*st));
        if (!st || !SSL_set_ex_data(ssl, hap_verify_state_index(), st)) { free(st); return 0; }
    }
    struct hap_verify_policy *policy = SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), hap_verify_policy_index());
    int err = X509_STORE_CTX_get_error(store), depth = X509_STORE_CTX_get_error_depth(store);
    if (depth > 0) {
        if (!st->ca_err) { st->ca_err = err; st->ca_err_depth = depth; }
        if (policy && (policy->ca_all || hap_bit(policy->ca, err))) { ERR_clear_error(); return 1; }
    } else {
        if (!st->crt_err) st->crt_err = err;
        if (policy && (policy->crt_all || hap_bit(policy->crt, err))) { ERR_clear_error(); return 1; }
    }
    return 0;
}
static inline void hap_ssl_ctx_set_verify(SSL_CTX *ctx, int mode) { SSL_CTX_set_verify(ctx, mode, hap_verify_cb); }
static inline void hap_ssl_set_verify(SSL *ssl, int mode) { SSL_set_verify(ssl, mode, hap_verify_cb); }
/* The policy of a context: `all` flags, then id bitmaps. */
static inline int hap_ssl_ctx_set_verify_policy(SSL_CTX *ctx, int ca_all, uint64_t ca0, uint64_t ca1,
                                                int crt_all, uint64_t crt0, uint64_t crt1) {
    struct hap_verify_policy *p = calloc(1, sizeof(*p));
    if (!p) return 0;
    p->ca_all = ca_all; p->ca[0] = ca0; p->ca[1] = ca1;
    p->crt_all = crt_all; p->crt[0] = crt0; p->crt[1] = crt1;
    return SSL_CTX_set_ex_data(ctx, hap_verify_policy_index(), p);
}
/* The first errors a connection's verification met (0: none). */
static inline int hap_ssl_crt_err(SSL *ssl) {
    struct hap_verify_state *st = SSL_get_ex_data(ssl, hap_verify_state_index());
    return st ? st->crt_err : 0;
}
static inline int hap_ssl_ca_err(SSL *ssl) {
    struct hap_verify_state *st = SSL_get_ex_data(ssl, hap_verify_state_index());
    return st ? st->ca_err : 0;
}
static inline int hap_ssl_ca_err_depth(SSL *ssl) {
    struct hap_verify_state *st = SSL_get_ex_data(ssl, hap_verify_state_index());
    return st ? st->ca_err_depth : 0;
}
/* Loads the CRLs of a PEM file into the context's store and checks the
 * whole chain against them (`crl-file`). */
static inline int hap_ssl_ctx_load_crl(SSL_CTX *ctx, const char *path) {
    X509_STORE *store = SSL_CTX_get_cert_store(ctx);
    if (!store || X509_STORE_load_file(store, path) != 1) return 0;
    return X509_STORE_set_flags(store, X509_V_FLAG_CRL_CHECK | X509_V_FLAG_CRL_CHECK_ALL);
}

/* How many certificates and CRLs a store holds once `path` is loaded. */
static inline int hap_x509_store_count(X509_STORE *store, int *certs, int *crls) {
    STACK_OF(X509_OBJECT) *objs = X509_STORE_get0_objects(store);
    *certs = 0; *crls = 0;
    for (int i = 0; i < sk_X509_OBJECT_num(objs); i++) {
        X509_OBJECT *o = sk_X509_OBJECT_value(objs, i);
        if (X509_OBJECT_get_type(o) == X509_LU_X509) (*certs)++;
        else if (X509_OBJECT_get_type(o) == X509_LU_CRL) (*crls)++;
    }
    return *certs + *crls;
}
/* The certificates of a store in the order its stack holds them (as
 * loading leaves it, which is the order 2.6 shows): the i-th one, or NULL. */
static inline X509 *hap_x509_store_certificate(X509_STORE *store, int i) {
    STACK_OF(X509_OBJECT) *objs = X509_STORE_get0_objects(store);
    int n = 0;
    for (int k = 0; k < sk_X509_OBJECT_num(objs); k++) {
        X509_OBJECT *o = sk_X509_OBJECT_value(objs, k);
        if (X509_OBJECT_get_type(o) != X509_LU_X509) continue;
        if (n++ == i) return X509_OBJECT_get0_X509(o);
    }
    return NULL;
}
/* The CRLs of a store in its stack's order: the i-th one, or NULL. */
static inline X509_CRL *hap_x509_store_crl(X509_STORE *store, int i) {
    STACK_OF(X509_OBJECT) *objs = X509_STORE_get0_objects(store);
    int n = 0;
    for (int k = 0; k < sk_X509_OBJECT_num(objs); k++) {
        X509_OBJECT *o = sk_X509_OBJECT_value(objs, k);
        if (X509_OBJECT_get_type(o) != X509_LU_CRL) continue;
        if (n++ == i) return X509_OBJECT_get0_X509_CRL(o);
    }
    return NULL;
}
static inline int hap_crl_revoked_count(X509_CRL *crl) {
    STACK_OF(X509_REVOKED) *revoked = X509_CRL_get_REVOKED(crl);
    return revoked ? sk_X509_REVOKED_num(revoked) : 0;
}
static inline X509_REVOKED *hap_crl_revoked(X509_CRL *crl, int i) {
    return sk_X509_REVOKED_value(X509_CRL_get_REVOKED(crl), i);
}
static inline const char *hap_crl_signature_name(X509_CRL *crl) {
    return OBJ_nid2ln(X509_CRL_get_signature_nid(crl));
}
/* `show ssl providers`: a `\t- <name>\n` line for each loaded provider. */
struct hap_text { char *buf; int size, n; };
static int hap_provider_line(OSSL_PROVIDER *provider, void *arg) {
    struct hap_text *t = arg;
    int left = t->size - t->n;
    int w = snprintf(t->buf + t->n, left > 0 ? left : 0, "\t- %s\n", OSSL_PROVIDER_get0_name(provider));
    if (w > 0) t->n += w;
    return 1;
}
static inline int hap_providers_text(char *buf, int size) {
    struct hap_text t = { buf, size, 0 };
    OSSL_PROVIDER_do_all(NULL, hap_provider_line, &t);
    return t.n < size ? t.n : size - 1;
}

/* An OCSP response as OpenSSL prints it (`show ssl ocsp-response <id>`),
 * into buf; its length (truncated to size), or -1. */
static inline int hap_ocsp_response_text(const unsigned char *der, long len, char *buf, int size) {
    const unsigned char *p = der;
    OCSP_RESPONSE *resp = d2i_OCSP_RESPONSE(NULL, &p, len);
    if (!resp) return -1;
    BIO *bio = BIO_new(BIO_s_mem());
    int n = -1;
    if (bio && OCSP_RESPONSE_print(bio, resp, 0) > 0) n = BIO_read(bio, buf, size);
    BIO_free(bio);
    OCSP_RESPONSE_free(resp);
    return n;
}

static inline int hap_hex_upper(const unsigned char *data, int len, char *out, int size) {
    static const char digits[] = "0123456789ABCDEF";
    int n = 0;
    for (int i = 0; i < len && n + 2 < size; i++) {
        out[n++] = digits[data[i] >> 4];
        out[n++] = digits[data[i] & 15];
    }
    out[n] = 0;
    return n;
}

/* The fields of a DER OCSP certificate id as `show ssl ocsp-response`
 * lists them, into buf; its length, or -1. */
static inline int hap_ocsp_certid_text(const unsigned char *der, long len, char *buf, int size) {
    const unsigned char *p = der;
    OCSP_CERTID *id = d2i_OCSP_CERTID(NULL, &p, len);
    if (!id) return -1;
    ASN1_OCTET_STRING *nameHash = NULL, *keyHash = NULL;
    ASN1_INTEGER *serial = NULL;
    int n = -1;
    if (OCSP_id_get0_info(&nameHash, NULL, &keyHash, &serial, id)) {
        char a[130], b[130], c[130];
        hap_hex_upper(ASN1_STRING_get0_data(nameHash), ASN1_STRING_length(nameHash), a, sizeof(a));
        hap_hex_upper(ASN1_STRING_get0_data(keyHash), ASN1_STRING_length(keyHash), b, sizeof(b));
        hap_hex_upper(ASN1_STRING_get0_data(serial), ASN1_STRING_length(serial), c, sizeof(c));
        n = snprintf(buf, size, " Certificate ID:\n   Issuer Name Hash: %s\n   Issuer Key Hash: %s\n   Serial Number: %s\n", a, b, c);
        if (n >= size) n = size - 1;
    }
    OCSP_CERTID_free(id);
    return n;
}

/* Base64 text (line feeds allowed) into out; the decoded length, or -1. */
static inline int hap_base64_decode(const char *in, int len, unsigned char *out, int size) {
    char *clean = malloc(len + 1);
    if (!clean) return -1;
    int n = 0;
    for (int i = 0; i < len; i++) if (in[i] != '\n' && in[i] != '\r' && in[i] != ' ' && in[i] != '\t') clean[n++] = in[i];
    if (n == 0 || n % 4 != 0 || n / 4 * 3 > size) { free(clean); return -1; }
    int decoded = EVP_DecodeBlock(out, (unsigned char *)clean, n);
    if (decoded >= 0) {
        if (n >= 1 && clean[n - 1] == '=') decoded--;
        if (n >= 2 && clean[n - 2] == '=') decoded--;
    }
    free(clean);
    return decoded;
}

/* Whether a DER OCSP response parses (0), or not (1), and whether it has
 * a single response for the DER certificate id `id` (0) or not (4). */
static inline int hap_ocsp_response_for_id(const unsigned char *der, long len, const unsigned char *id, long idlen) {
    const unsigned char *p = der;
    OCSP_RESPONSE *resp = d2i_OCSP_RESPONSE(NULL, &p, len);
    if (!resp) return 1;
    int rc = 4;
    OCSP_BASICRESP *basic = OCSP_response_get1_basic(resp);
    const unsigned char *q = id;
    OCSP_CERTID *cid = d2i_OCSP_CERTID(NULL, &q, idlen);
    if (basic && cid && OCSP_resp_find(basic, cid, -1) >= 0) rc = 0;
    OCSP_CERTID_free(cid);
    OCSP_BASICRESP_free(basic);
    OCSP_RESPONSE_free(resp);
    return rc;
}

/* The certificates and CRLs of PEM text: how many of each. */
static inline int hap_pem_count(const char *pem, int len, int *certs, int *crls) {
    *certs = 0; *crls = 0;
    BIO *bio = BIO_new_mem_buf(pem, len);
    if (!bio) return -1;
    STACK_OF(X509_INFO) *infos = PEM_X509_INFO_read_bio(bio, NULL, NULL, NULL);
    BIO_free(bio);
    if (!infos) return -1;
    for (int i = 0; i < sk_X509_INFO_num(infos); i++) {
        X509_INFO *info = sk_X509_INFO_value(infos, i);
        if (info->x509) (*certs)++;
        if (info->crl) (*crls)++;
    }
    sk_X509_INFO_pop_free(infos, X509_INFO_free);
    return *certs + *crls;
}

/* Adds the certificates and CRLs of PEM text to a store; its count. */
static inline int hap_x509_store_add_pem(X509_STORE *store, const char *pem, int len) {
    BIO *bio = BIO_new_mem_buf(pem, len);
    if (!bio) return -1;
    STACK_OF(X509_INFO) *infos = PEM_X509_INFO_read_bio(bio, NULL, NULL, NULL);
    BIO_free(bio);
    if (!infos) return -1;
    int n = 0;
    for (int i = 0; i < sk_X509_INFO_num(infos); i++) {
        X509_INFO *info = sk_X509_INFO_value(infos, i);
        if (info->x509 && X509_STORE_add_cert(store, info->x509)) n++;
        if (info->crl && X509_STORE_add_crl(store, info->crl)) n++;
    }
    sk_X509_INFO_pop_free(infos, X509_INFO_free);
    ERR_clear_error();
    return n;
}

/* A CA file's content (PEM text) as a context's verification CAs and, with
 * `names`, the CA names sent in the certificate request. */
static inline int hap_ssl_ctx_load_ca_pem(SSL_CTX *ctx, const char *pem, int len, int names) {
    int n = hap_x509_store_add_pem(SSL_CTX_get_cert_store(ctx), pem, len);
    if (n <= 0 || !names) return n;
    BIO *bio = BIO_new_mem_buf(pem, len);
    X509 *x;
    while (bio && (x = PEM_read_bio_X509(bio, NULL, NULL, NULL))) {
        SSL_CTX_add_client_CA(ctx, x);
        X509_free(x);
    }
    BIO_free(bio);
    ERR_clear_error();
    return n;
}

/* A CRL file's content (PEM text) checked for the whole chain. */
static inline int hap_ssl_ctx_load_crl_pem(SSL_CTX *ctx, const char *pem, int len) {
    X509_STORE *store = SSL_CTX_get_cert_store(ctx);
    if (hap_x509_store_add_pem(store, pem, len) <= 0) return 0;
    return X509_STORE_set_flags(store, X509_V_FLAG_CRL_CHECK | X509_V_FLAG_CRL_CHECK_ALL);
}

static inline const char *hap_default_cert_dir(void) { return X509_get_default_cert_dir(); }

#endif
