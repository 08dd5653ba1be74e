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
static inline int hap_bio_set_mem_eof_return(BIO *bio, int v) { return (int)BIO_set_mem_eof_return(bio, v); }
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

/* A one-line X509 name as HAProxy prints DNs (`/C=FR/CN=name`), into buf. */
static inline int hap_x509_name_oneline(X509_NAME *name, char *buf, int size) {
    return X509_NAME_oneline(name, buf, size) ? (int)strlen(buf) : -1;
}

#endif
