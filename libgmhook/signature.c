/* SPDX-License-Identifier: MIT */
/*
 * Signature helpers shared by the source modules: HMAC over a list of
 * parts (so "timestamp.body" or "url+params" need no copying), and
 * constant-time comparison with a MAC received as hex or base64. All
 * cryptography is OpenSSL's libcrypto. Failures never say which byte
 * differed and never echo the secret or the expected MAC.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "gmhook-private.h"

size_t gmhook__hmac(int digest, const void *key, size_t key_len,
		    const void *const *parts, const size_t *part_lens, size_t n,
		    unsigned char *out)
{
	EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	EVP_MAC_CTX *ctx = mac ? EVP_MAC_CTX_new(mac) : NULL;
	char name[8];
	OSSL_PARAM params[2];
	size_t out_len = 0;
	size_t i;
	bool ok;

	snprintf(name, sizeof(name), "%s", digest == GMHOOK__SHA1 ? "SHA1"
								 : "SHA256");
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
	EVP_MAC_free(mac);
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
