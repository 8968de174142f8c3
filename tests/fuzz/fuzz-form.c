/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the application/x-www-form-urlencoded decoder
 * (gmhook__form_decode, parse stage). The first input byte picks small or
 * default depth and field limits so both the limit paths and deep
 * nesting are reached; the rest is the body. Built by tests/fuzz/run.sh.
 */
#include <stddef.h>
#include <stdint.h>

#include "gmhook-private.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gmhook__limits limits = { 32, 2000 };
	struct gmhook_error err = GMHOOK_ERROR_INIT;
	json_object *out = NULL;
	int rc;

	if (size > 0 && (data[0] & 1)) {
		limits.max_depth = 1 + data[0] % 8;
		limits.max_fields = 1 + data[0] % 32;
	}
	if (size > 0) {
		data++;
		size--;
	}
	rc = gmhook__form_decode(&out, (const char *) data, size, &limits,
	                         &err);
	if (rc == 0) {
		/* The decoded object must serialise: every string is UTF-8. */
		(void) json_object_to_json_string_ext(out,
		                                      JSON_C_TO_STRING_PLAIN);
		json_object_put(out);
	}
	return 0;
}
