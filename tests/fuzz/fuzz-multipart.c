/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the multipart/form-data decoder
 * (gmhook__multipart_decode, parse stage). The input's first line is the
 * boundary (at most 70 bytes, as RFC 2046 allows), the rest the body.
 * Built by tests/fuzz/run.sh.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "gmhook-private.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gmhook__limits limits = { 32, 2000 };
	struct gmhook_error err = GMHOOK_ERROR_INIT;
	const uint8_t *nl = memchr(data, '\n', size < 80 ? size : 80);
	char boundary[81];
	json_object *out = NULL;
	size_t n;

	if (!nl) {
		return 0;
	}
	n = (size_t) (nl - data);
	memcpy(boundary, data, n);
	boundary[n] = '\0';
	data = nl + 1;
	size -= n + 1;
	if (gmhook__multipart_decode(&out, (const char *) data, size, boundary,
	                             &limits, &err) == 0) {
		(void) json_object_to_json_string_ext(out,
		                                      JSON_C_TO_STRING_PLAIN);
		json_object_put(out);
	}
	return 0;
}
