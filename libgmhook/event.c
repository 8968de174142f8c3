/* SPDX-License-Identifier: MIT */
/*
 * The stage objects (event, plan, result): their JSON forms, the readers
 * that rebuild them from JSON, and the accessors. Each object is a json-c
 * document plus, for the event, the raw body bytes the signature covers.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "gmhook-private.h"

const char *gmhook__header(const struct gmhook_request *req, const char *name)
{
	size_t i;

	for (i = 0; req && i < req->n_headers; i++) {
		if (req->headers[i].name &&
		    strcasecmp(req->headers[i].name, name) == 0) {
			return req->headers[i].value ? req->headers[i].value
			                             : "";
		}
	}
	return NULL;
}

/*
 * One RFC 6901 reference token, unescaped into @p buf; the length of the
 * token in the pointer, or 0 when it does not fit (the caller then falls
 * back to json-c, which has no length limit).
 */
static size_t pointer_token(const char *p, char *buf, size_t size)
{
	size_t i = 0;
	size_t n = 0;

	while (p[i] && p[i] != '/') {
		char c = p[i++];

		if (c == '~' && (p[i] == '0' || p[i] == '1')) {
			c = p[i++] == '0' ? '~' : '/';
		}
		if (n + 1 >= size) {
			return 0;
		}
		buf[n++] = c;
	}
	buf[n] = '\0';
	return i;
}

/* An array index as RFC 6901 writes it: decimal, no leading zero. */
static bool array_index(const char *token, size_t *out)
{
	size_t i = 0;

	if (!token[0] || (token[0] == '0' && token[1])) {
		return false;
	}
	for (*out = 0; token[i]; i++) {
		if (token[i] < '0' || token[i] > '9' || *out > SIZE_MAX / 16) {
			return false;
		}
		*out = *out * 10 + (size_t) (token[i] - '0');
	}
	return true;
}

/*
 * The same lookup as json_pointer_get(), without its copy of the pointer:
 * stage code reads a handful of fields per event this way, and the copy
 * and its scans were a tenth of parse + validate + map.
 */
json_object *gmhook__get(json_object *root, const char *pointer)
{
	json_object *value = NULL;
	json_object *at = root;
	const char *p = pointer;
	char token[128];

	if (!root || !pointer) {
		return NULL;
	}
	while (*p == '/') {
		size_t len = pointer_token(p + 1, token, sizeof(token));
		size_t index;

		if (len == 0 && p[1] && p[1] != '/') {
			/* A token too long for the buffer. */
			return json_pointer_get(root, pointer, &value) == 0
			               ? value
			               : NULL;
		}
		if (json_object_is_type(at, json_type_object)) {
			if (!json_object_object_get_ex(at, token, &at)) {
				return NULL;
			}
		} else if (json_object_is_type(at, json_type_array) &&
		           array_index(token, &index) &&
		           index < json_object_array_length(at)) {
			at = json_object_array_get_idx(at, index);
		} else {
			return NULL;
		}
		p += 1 + len;
	}
	return *p == '\0' ? at : NULL;
}

const char *gmhook__get_str(json_object *root, const char *pointer)
{
	json_object *value = gmhook__get(root, pointer);

	if (!value || !json_object_is_type(value, json_type_string)) {
		return NULL;
	}
	return json_object_get_string(value);
}

static char *doc_to_json(json_object *doc, int pretty)
{
	int flags = pretty ? JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED
	                   : JSON_C_TO_STRING_PLAIN;

	return gmhook__strdup(json_object_to_json_string_ext(
	        doc, flags | JSON_C_TO_STRING_NOSLASHESCAPE));
}

GMHOOK_API char *gmhook_event_to_json(const struct gmhook_event *event,
                                      int pretty)
{
	json_object *raw;
	char *text;

	if (!event) {
		return NULL;
	}
	/* Parse leaves "raw" null until the JSON form is asked for. */
	if (!gmhook__get(event->doc, "/raw")) {
		text = gmhook__base64_encode(event->raw, event->raw_len);
		raw = text ? json_object_new_string(text) : NULL;
		free(text);
		if (!raw) {
			return NULL;
		}
		json_object_object_add(event->doc, "raw", raw); /* steals */
	}
	return doc_to_json(event->doc, pretty);
}

GMHOOK_API char *gmhook_plan_to_json(const struct gmhook_plan *plan, int pretty)
{
	return plan ? doc_to_json(plan->doc, pretty) : NULL;
}

GMHOOK_API char *gmhook_result_to_json(const struct gmhook_result *result,
                                       int pretty)
{
	return result ? doc_to_json(result->doc, pretty) : NULL;
}

GMHOOK_API void gmhook_event_free(struct gmhook_event *event)
{
	if (!event) {
		return;
	}
	json_object_put(event->doc);
	free(event->raw);
	free(event);
}

GMHOOK_API void gmhook_plan_free(struct gmhook_plan *plan)
{
	if (!plan) {
		return;
	}
	json_object_put(plan->doc);
	free(plan);
}

GMHOOK_API void gmhook_result_free(struct gmhook_result *result)
{
	if (!result) {
		return;
	}
	json_object_put(result->doc);
	free(result);
}

/*
 * Parse a stage document and check its "gmhook" kind and version. The
 * depth limit is generous: stage documents wrap a body that parse already
 * held to the configured depth.
 */
static int read_doc(json_object **out, struct gmhook_ctx *ctx, const char *json,
                    size_t len, const char *kind, struct gmhook_error *err)
{
	struct json_tokener *tok = NULL;
	json_object *doc = NULL;
	int depth = (int) (ctx ? ctx->opts.max_depth : 32) + 16;
	int rc = 0;

	if (len > INT32_MAX) {
		return gmhook__error_set(err, GMHOOK_ETOOBIG, GMHOOK_STAGE_NONE,
		                         "", "%s document is too large", kind);
	}
	tok = json_tokener_new_ex(depth);
	if (!tok) {
		return gmhook__error_set(err, GMHOOK_ENOMEM, GMHOOK_STAGE_NONE,
		                         "", "out of memory");
	}
	doc = json_tokener_parse_ex(tok, json, (int) len);
	if (!doc || json_tokener_get_parse_end(tok) < len) {
		rc = gmhook__error_set(
		        err, GMHOOK_EPARSE, GMHOOK_STAGE_NONE, "",
		        "%s document is not JSON: %s at byte %zu", kind,
		        doc ? "trailing data"
		            : json_tokener_error_desc(
		                      json_tokener_get_error(tok)),
		        json_tokener_get_parse_end(tok));
		goto out;
	}
	if (!json_object_is_type(doc, json_type_object) ||
	    !gmhook__get_str(doc, "/gmhook") ||
	    strcmp(gmhook__get_str(doc, "/gmhook"), kind) != 0) {
		rc = gmhook__error_set(err, GMHOOK_EPARSE, GMHOOK_STAGE_NONE,
		                       "/gmhook", "not a gmhook %s document",
		                       kind);
		goto out;
	}
	if (!json_object_is_type(gmhook__get(doc, "/version"), json_type_int) ||
	    json_object_get_int64(gmhook__get(doc, "/version")) != 1) {
		rc = gmhook__error_set(err, GMHOOK_EPARSE, GMHOOK_STAGE_NONE,
		                       "/version",
		                       "unsupported %s document version", kind);
		goto out;
	}
	if (!json_object_is_type(gmhook__get(doc, "/events"),
	                         json_type_array)) {
		rc = gmhook__error_set(err, GMHOOK_EPARSE, GMHOOK_STAGE_NONE,
		                       "/events", "must be an array");
		goto out;
	}
	*out = doc;
	doc = NULL;
out:
	json_object_put(doc);
	json_tokener_free(tok);
	return rc;
}

static int check_event_items(json_object *doc, struct gmhook_error *err)
{
	json_object *events = gmhook__get(doc, "/events");
	json_object *body = gmhook__get(doc, "/body");
	char path[64];
	size_t i;

	if (!gmhook__get_str(doc, "/source")) {
		return gmhook__error_set(err, GMHOOK_EPARSE, GMHOOK_STAGE_NONE,
		                         "/source", "must be a string");
	}
	for (i = 0; i < json_object_array_length(events); i++) {
		json_object *item = json_object_array_get_idx(events, i);
		const char *pointer = gmhook__get_str(item, "/pointer");

		snprintf(path, sizeof(path), "/events/%zu", i);
		if (!gmhook__get_str(item, "/type") ||
		    !gmhook__get_str(item, "/id") || !pointer ||
		    !gmhook__get(body, pointer)) {
			return gmhook__error_set(
			        err, GMHOOK_EPARSE, GMHOOK_STAGE_NONE, path,
			        "event needs type, id and a pointer into body");
		}
	}
	return 0;
}

GMHOOK_API int gmhook_event_from_json(struct gmhook_event **out,
                                      struct gmhook_ctx *ctx, const char *json,
                                      size_t len, struct gmhook_error *err)
{
	struct gmhook_event *event = NULL;
	json_object *doc = NULL;
	const char *raw;
	int rc;

	if (!out || !json) {
		return gmhook__error_set(err, GMHOOK_EINVAL, GMHOOK_STAGE_NONE,
		                         "", "out and json must not be NULL");
	}
	rc = read_doc(&doc, ctx, json, len, "event", err);
	if (rc < 0) {
		return rc;
	}
	rc = check_event_items(doc, err);
	if (rc < 0) {
		goto out;
	}
	raw = gmhook__get_str(doc, "/raw");
	event = calloc(1, sizeof(*event));
	if (!event) {
		rc = gmhook__error_set(err, GMHOOK_ENOMEM, GMHOOK_STAGE_NONE,
		                       "", "out of memory");
		goto out;
	}
	if (!raw || !gmhook__base64_decode(raw, &event->raw, &event->raw_len)) {
		rc = gmhook__error_set(err, GMHOOK_EPARSE, GMHOOK_STAGE_NONE,
		                       "/raw", "must be the body in base64");
		goto out;
	}
	/* The validated mark is recomputed, never trusted from input. */
	json_object_object_del(doc, "validated");
	event->doc = doc;
	doc = NULL;
	*out = event;
	event = NULL;
out:
	gmhook_event_free(event);
	json_object_put(doc);
	return rc;
}

GMHOOK_API int gmhook_plan_from_json(struct gmhook_plan **out,
                                     struct gmhook_ctx *ctx, const char *json,
                                     size_t len, struct gmhook_error *err)
{
	struct gmhook_plan *plan;
	json_object *doc = NULL;
	int rc;

	if (!out || !json) {
		return gmhook__error_set(err, GMHOOK_EINVAL, GMHOOK_STAGE_NONE,
		                         "", "out and json must not be NULL");
	}
	rc = read_doc(&doc, ctx, json, len, "plan", err);
	if (rc < 0) {
		return rc;
	}
	plan = calloc(1, sizeof(*plan));
	if (!plan) {
		json_object_put(doc);
		return gmhook__error_set(err, GMHOOK_ENOMEM, GMHOOK_STAGE_NONE,
		                         "", "out of memory");
	}
	plan->doc = doc;
	*out = plan;
	return 0;
}

GMHOOK_API int gmhook_result_from_json(struct gmhook_result **out,
                                       struct gmhook_ctx *ctx, const char *json,
                                       size_t len, struct gmhook_error *err)
{
	struct gmhook_result *result;
	json_object *doc = NULL;
	int rc;

	if (!out || !json) {
		return gmhook__error_set(err, GMHOOK_EINVAL, GMHOOK_STAGE_NONE,
		                         "", "out and json must not be NULL");
	}
	rc = read_doc(&doc, ctx, json, len, "result", err);
	if (rc < 0) {
		return rc;
	}
	result = calloc(1, sizeof(*result));
	if (!result) {
		json_object_put(doc);
		return gmhook__error_set(err, GMHOOK_ENOMEM, GMHOOK_STAGE_NONE,
		                         "", "out of memory");
	}
	result->doc = doc;
	*out = result;
	return 0;
}

GMHOOK_API const char *gmhook_event_source(const struct gmhook_event *event)
{
	const char *source =
	        event ? gmhook__get_str(event->doc, "/source") : NULL;

	return source ? source : "";
}

GMHOOK_API size_t gmhook_event_count(const struct gmhook_event *event)
{
	if (!event) {
		return 0;
	}
	return json_object_array_length(gmhook__get(event->doc, "/events"));
}

GMHOOK_API const char *gmhook_result_status(const struct gmhook_result *result)
{
	const char *status =
	        result ? gmhook__get_str(result->doc, "/status") : NULL;

	return status ? status : "";
}

GMHOOK_API const char *
gmhook_result_accountno(const struct gmhook_result *result)
{
	const char *accountno =
	        result ? gmhook__get_str(result->doc, "/accountno") : NULL;

	return accountno ? accountno : "";
}
