/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the whole front of the pipeline: gmhook_parse()
 * (content-type handling, charset conversion, JSON/form/multipart
 * decoding, source detection and event extraction), then
 * gmhook_validate() and gmhook_map(), and the event and plan JSON round
 * trips. Input: a content-type line (empty: guess), a source line (empty:
 * detect), then the body. No database is touched. Built by
 * tests/fuzz/run.sh.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gmhook-private.h"

#define NOW 1772460309

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct gmhook_ctx *ctx;

/* Format every message, as a handler at debug level would. */
static void log_sink(int level, const char *message, void *userdata)
{
	(void) level;
	(void) userdata;
	(void) strlen(message);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct gmhook_options opts = GMHOOK_OPTIONS_INIT;

	(void) argc;
	(void) argv;
	setenv("TZ", "UTC", 1);
	tzset();
	opts.dry_run = 1;
	opts.max_body = 256 * 1024;
	if (gmhook_ctx_new(&ctx, &opts, NULL) != 0) {
		abort();
	}
	ctx->fixed_now = NOW;
	gmhook_ctx_set_log_fn(ctx, log_sink, GMHOOK_LOG_DEBUG, NULL);
	return 0;
}

/* Cut the next line (without its '\n') off the input into @p buf. */
static bool next_line(const uint8_t **data, size_t *size, char *buf,
                      size_t buf_size)
{
	const uint8_t *nl = memchr(*data, '\n', *size);
	size_t n;

	if (!nl || (size_t) (nl - *data) >= buf_size) {
		return false;
	}
	n = (size_t) (nl - *data);
	memcpy(buf, *data, n);
	buf[n] = '\0';
	*size -= n + 1;
	*data = nl + 1;
	return memchr(buf, '\0', n) == NULL;
}

/* Invariant: every event time parse reports is a valid RFC 3339 time
 * (a broken one would be written to GoldMine as a date). */
static void check_event_times(const struct gmhook_event *event)
{
	json_object *events = gmhook__get(event->doc, "/events");
	size_t i;
	int64_t t;

	for (i = 0; i < json_object_array_length(events); i++) {
		json_object *e = json_object_array_get_idx(events, i);
		const char *time = gmhook__get_str(e, "/time");

		if (time && !gmhook__time_parse(time, &t)) {
			fprintf(stderr, "event %zu has a broken time \"%s\"\n",
			        i, time);
			abort();
		}
	}
}

/* Invariant: every string and key of the decoded body is valid UTF-8,
 * as the form decoders promise and GoldMine's columns need. */
static void check_utf8(json_object *v, int depth)
{
	size_t i;

	if (depth > 64) {
		return;
	}
	if (json_object_is_type(v, json_type_string)) {
		if (gmhook__utf8_invalid_at(
		            json_object_get_string(v),
		            (size_t) json_object_get_string_len(v)) >= 0) {
			fprintf(stderr, "a decoded string is not UTF-8\n");
			abort();
		}
	} else if (json_object_is_type(v, json_type_array)) {
		for (i = 0; i < json_object_array_length(v); i++) {
			check_utf8(json_object_array_get_idx(v, i), depth + 1);
		}
	} else if (json_object_is_type(v, json_type_object)) {
		json_object_object_foreach (v, key, child) {
			if (gmhook__utf8_invalid_at(key, strlen(key)) >= 0) {
				fprintf(stderr, "a decoded key is not UTF-8\n");
				abort();
			}
			check_utf8(child, depth + 1);
		}
	}
}

static void round_trip_event(const struct gmhook_event *event)
{
	struct gmhook_event *copy = NULL;
	char *text = gmhook_event_to_json(event, 0);

	if (text &&
	    gmhook_event_from_json(&copy, ctx, text, strlen(text), NULL) == 0) {
		gmhook_event_free(copy);
	}
	gmhook_free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gmhook_request req = GMHOOK_REQUEST_INIT;
	struct gmhook_event *event = NULL;
	struct gmhook_plan *plan = NULL;
	struct gmhook_plan *copy = NULL;
	char content_type[256];
	char source[64];
	char *text;

	if (!next_line(&data, &size, content_type, sizeof(content_type)) ||
	    !next_line(&data, &size, source, sizeof(source))) {
		return 0;
	}
	req.body = data;
	req.body_len = size;
	req.content_type = content_type[0] ? content_type : NULL;
	req.source = source[0] ? source : NULL;
	req.received = NOW;
	if (gmhook_parse(&event, ctx, &req, NULL) != 0) {
		return 0;
	}
	check_event_times(event);
	if (getenv("GMHOOK_FUZZ_UTF8")) {
		check_utf8(gmhook__get(event->doc, "/body"), 0);
	}
	round_trip_event(event);
	if (gmhook_validate(ctx, event, NULL) == 0 &&
	    gmhook_map(&plan, ctx, event, NULL) == 0) {
		text = gmhook_plan_to_json(plan, 0);
		if (text && gmhook_plan_from_json(&copy, ctx, text,
		                                  strlen(text), NULL) == 0) {
			gmhook_plan_free(copy);
		}
		gmhook_free(text);
		gmhook_plan_free(plan);
	}
	gmhook_event_free(event);
	return 0;
}
