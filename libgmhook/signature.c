/* SPDX-License-Identifier: MIT */
/*
 * Signature helpers shared by the source modules: HMAC over a list of
 * parts (so "timestamp.body" or "url+params" need no copying), and
 * constant-time comparison with a MAC received as hex or base64. All
 * cryptography is OpenSSL's libcrypto. Failures never say which byte
 * differed and never echo the secret or the expected MAC.
 */
#include <ctype.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "gmhook-private.h"

/* Fetched once: OpenSSL 3 would otherwise look HMAC up by name on every
 * call. The fetched method lives until exit. */
static EVP_MAC *hmac_mac;
static pthread_once_t hmac_once = PTHREAD_ONCE_INIT;

static void fetch_hmac(void)
{
	hmac_mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
}

size_t gmhook__hmac(int digest, const void *key, size_t key_len,
                    const void *const *parts, const size_t *part_lens, size_t n,
                    unsigned char *out)
{
	EVP_MAC_CTX *ctx;
	char name[8];
	OSSL_PARAM params[2];
	size_t out_len = 0;
	size_t i;
	bool ok;

	pthread_once(&hmac_once, fetch_hmac);
	ctx = hmac_mac ? EVP_MAC_CTX_new(hmac_mac) : NULL;
	snprintf(name, sizeof(name), "%s",
	         digest == GMHOOK__SHA1 ? "SHA1" : "SHA256");
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
	                                             name, 0);
	params[1] = OSSL_PARAM_construct_end();
	ok = ctx && EVP_MAC_init(ctx, key, key_len, params) == 1;
	for (i = 0; ok && i < n; i++) {
		ok = EVP_MAC_update(ctx, parts[i], part_lens[i]) == 1;
	}
	if (!ok || EVP_MAC_final(ctx, out, &out_len, 64) != 1) {
		out_len = 0;
	}
	EVP_MAC_CTX_free(ctx);
	return out_len;
}

static int hex_value(int c)
{
	if (c >= '0' && c <= '9') {
		return c - '0';
	}
	c = tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

bool gmhook__mac_equal_hex(const unsigned char *mac, size_t mac_len,
                           const char *hex, size_t hex_len)
{
	unsigned char got[64];
	size_t i;
	int hi;
	int lo;

	if (mac_len == 0 || mac_len > sizeof(got) || hex_len != 2 * mac_len) {
		return false;
	}
	for (i = 0; i < mac_len; i++) {
		hi = hex_value((unsigned char) hex[2 * i]);
		lo = hex_value((unsigned char) hex[2 * i + 1]);
		if (hi < 0 || lo < 0) {
			return false;
		}
		got[i] = (unsigned char) (hi << 4 | lo);
	}
	return CRYPTO_memcmp(got, mac, mac_len) == 0;
}

bool gmhook__mac_equal_base64(const unsigned char *mac, size_t mac_len,
                              const char *b64, size_t b64_len)
{
	char copy[128];
	unsigned char *got = NULL;
	size_t got_len = 0;
	bool equal;

	if (mac_len == 0 || b64_len == 0 || b64_len >= sizeof(copy)) {
		return false;
	}
	memcpy(copy, b64, b64_len);
	copy[b64_len] = '\0';
	if (!gmhook__base64_decode(copy, &got, &got_len)) {
		return false;
	}
	equal = got_len == mac_len && CRYPTO_memcmp(got, mac, mac_len) == 0;
	free(got);
	return equal;
}

const char *gmhook__event_header(const struct gmhook_event *event,
                                 const char *name)
{
	json_object *headers = gmhook__get(event->doc, "/headers");
	size_t i;

	for (i = 0; i < json_object_array_length(headers); i++) {
		json_object *pair = json_object_array_get_idx(headers, i);
		const char *key = gmhook__get_str(pair, "/0");

		if (key && strcasecmp(key, name) == 0) {
			return gmhook__get_str(pair, "/1");
		}
	}
	return NULL;
}

int64_t gmhook__event_received(const struct gmhook_event *event)
{
	int64_t t = 0;

	if (!gmhook__time_parse(gmhook__get_str(event->doc, "/received"), &t)) {
		return 0;
	}
	return t;
}

int gmhook__signature_fail(struct gmhook_error *err, const char *header,
                           const char *why)
{
	char path[128] = "";

	return gmhook__error_set(err, GMHOOK_ESIGNATURE, GMHOOK_STAGE_VALIDATE,
	                         path, "%s: %s", header, why);
}

/* The value of query parameter @p name in @p url, into @p out. */
static bool query_param(const char *url, const char *name, char *out,
                        size_t size)
{
	const char *q = strchr(url, '?');
	size_t name_len = strlen(name);
	size_t n;

	while (q) {
		q++;
		if (strncmp(q, name, name_len) == 0 && q[name_len] == '=') {
			q += name_len + 1;
			n = strcspn(q, "&#");
			if (n >= size) {
				return false;
			}
			memcpy(out, q, n);
			out[n] = '\0';
			return true;
		}
		q = strchr(q, '&');
	}
	return false;
}

/* The password of an "Authorization: Basic" header, into @p out. */
static bool basic_password(const char *auth, char *out, size_t size)
{
	unsigned char *decoded = NULL;
	size_t len = 0;
	const char *colon;
	bool ok = false;

	if (!auth || strncasecmp(auth, "Basic ", 6) != 0 ||
	    !gmhook__base64_decode(auth + 6, &decoded, &len)) {
		return false;
	}
	colon = memchr(decoded, ':', len);
	if (colon) {
		size_t n = len - (size_t) (colon + 1 - (const char *) decoded);

		if (n < size) {
			memcpy(out, colon + 1, n);
			out[n] = '\0';
			ok = true;
		}
	}
	OPENSSL_cleanse(decoded, len);
	free(decoded);
	return ok;
}

int gmhook__verify_url_token(struct gmhook_ctx *ctx,
                             const struct gmhook_event *event,
                             const struct gmhook__source_config *cfg,
                             struct gmhook_error *err)
{
	const char *url = gmhook__event_header(event, "X-Gmhook-Url");
	char got[256] = "";
	bool found;
	bool equal;

	(void) ctx;
	found = (url && query_param(url, "token", got, sizeof(got))) ||
	        basic_password(gmhook__event_header(event, "Authorization"),
	                       got, sizeof(got));
	if (!found) {
		return gmhook__signature_fail(
		        err, "URL token",
		        "missing (add ?token=... to the webhook URL or use HTTP Basic credentials)");
	}
	equal = strlen(got) == cfg->url_token.len &&
	        CRYPTO_memcmp(got, cfg->url_token.key, cfg->url_token.len) == 0;
	OPENSSL_cleanse(got, sizeof(got));
	if (!equal) {
		return gmhook__signature_fail(err, "URL token",
		                              "does not match");
	}
	return 0;
}
