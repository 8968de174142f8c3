/* SPDX-License-Identifier: MIT */
/*
 * Stage 2, validate: an event is checked before anything is mapped or
 * written. Parse already held the body to its size, depth, field-count
 * and UTF-8 rules; here each source checks its required fields and their
 * formats (e-mail syntax, dates), and every problem names the JSON pointer
 * of the field at fault in the delivery's body.
 */
#include <stdio.h>
#include <string.h>

#include "gmhook-private.h"

#define VALIDATE GMHOOK_STAGE_VALIDATE

/* Longest address a GoldMine e-mail row holds: 35 characters in
 * CONTSUPREF and the rest in ADDRESS1 (40). */
#define GOLDMINE_EMAIL_MAX 75

int gmhook__validate_email(const struct gmhook__item *item, const char *pointer,
                           bool required, struct gmhook_error *err)
{
	json_object *v = gmhook__get(item->data, pointer);
	char path[256];
	const char *s;

	gmhook__path_join(path, sizeof(path), item->pointer, pointer);
	if (!v || json_object_is_type(v, json_type_null) ||
	    (json_object_is_type(v, json_type_string) &&
	     json_object_get_string_len(v) == 0)) {
		if (!required) {
			return 0;
		}
		return gmhook__error_set(err, GMHOOK_EVALIDATE, VALIDATE, path,
		                         "an e-mail address is required");
	}
	if (!json_object_is_type(v, json_type_string)) {
		return gmhook__error_set(
		        err, GMHOOK_EVALIDATE, VALIDATE, path,
		        "the e-mail address must be a string, got %s",
		        json_type_to_name(json_object_get_type(v)));
	}
	s = json_object_get_string(v);
	if (!gmhook__email_valid(s)) {
		return gmhook__error_set(err, GMHOOK_EVALIDATE, VALIDATE, path,
		                         "not a valid e-mail address");
	}
	if (strlen(s) > GOLDMINE_EMAIL_MAX) {
		return gmhook__error_set(
		        err, GMHOOK_EVALIDATE, VALIDATE, path,
		        "e-mail address is %zu characters; GoldMine holds at most %d",
		        strlen(s), GOLDMINE_EMAIL_MAX);
	}
	return 0;
}

int gmhook__validate_time(const struct gmhook__item *item, const char *pointer,
                          bool required, struct gmhook_error *err)
{
	json_object *v = gmhook__get(item->data, pointer);
	char path[256];
	int64_t t;

	gmhook__path_join(path, sizeof(path), item->pointer, pointer);
	if (!v || json_object_is_type(v, json_type_null)) {
		if (!required) {
			return 0;
		}
		return gmhook__error_set(err, GMHOOK_EVALIDATE, VALIDATE, path,
		                         "a date-time is required");
	}
	if (!json_object_is_type(v, json_type_string) ||
	    !gmhook__time_parse(json_object_get_string(v), &t)) {
		return gmhook__error_set(
		        err, GMHOOK_EVALIDATE, VALIDATE, path,
		        "not an ISO 8601 date-time (expected like 2024-05-01T14:30:00Z)");
	}
	return 0;
}

/*
 * The source must be enabled, and its signature is checked first, before
 * any field: with a secret configured a delivery must carry a valid
 * signature; without one it is accepted with a warning that nothing was
 * verified (many providers sign only when a secret was set up).
 */
static int check_source(struct gmhook_ctx *ctx,
                        const struct gmhook__source *src,
                        struct gmhook_event *event, struct gmhook_error *err)
{
	const struct gmhook__source_config *cfg =
	        gmhook__source_config(ctx, src->name);

	/* Recomputed below, never trusted from an event read as JSON. */
	json_object_object_del(event->doc, "signature");
	if (cfg && !cfg->enabled) {
		return gmhook__error_set(
		        err, GMHOOK_ESOURCE, VALIDATE, "/source",
		        "source '%s' is disabled in the configuration",
		        src->name);
	}
	if (cfg && cfg->url_token.key) {
		return gmhook__verify_url_token(ctx, event, cfg, err);
	}
	if (!src->verify) {
		return 0;
	}
	if (!cfg ||
	    (!cfg->n_secrets && !cfg->public_key && !cfg->require_signature)) {
		json_object_object_add(
		        event->doc, "signature",
		        json_object_new_string(
		                "not checked: no secret configured"));
		log_info(ctx,
		         "%s: signature not checked (no secret configured)",
		         src->name);
		return 0;
	}
	if (!cfg->n_secrets && !cfg->public_key) {
		return gmhook__error_set(
		        err, GMHOOK_ECONFIG, VALIDATE, "",
		        "source '%s' requires a signature but has no secret",
		        src->name);
	}
	if (src->verify(ctx, event, cfg, err) < 0) {
		return err ? err->code : GMHOOK_ESIGNATURE;
	}
	json_object_object_add(event->doc, "signature",
	                       json_object_new_string("verified"));
	return 0;
}

GMHOOK_API int gmhook_validate(struct gmhook_ctx *ctx,
                               struct gmhook_event *event,
                               struct gmhook_error *err)
{
	const struct gmhook__source *src;
	json_object *events;
	json_object *body;
	size_t i;
	int rc;

	if (!ctx || !event) {
		return gmhook__error_set(err, GMHOOK_EINVAL, VALIDATE, "",
		                         "ctx and event must not be NULL");
	}
	src = gmhook__source_find(gmhook_event_source(event));
	if (!src) {
		return gmhook__error_set(err, GMHOOK_ESOURCE, VALIDATE,
		                         "/source", "unknown source '%s'",
		                         gmhook_event_source(event));
	}
	rc = check_source(ctx, src, event, err);
	if (rc < 0) {
		return rc;
	}
	events = gmhook__get(event->doc, "/events");
	body = gmhook__get(event->doc, "/body");
	for (i = 0; i < json_object_array_length(events); i++) {
		struct gmhook__item item;

		item.meta = json_object_array_get_idx(events, i);
		item.pointer = gmhook__get_str(item.meta, "/pointer");
		item.data = gmhook__get(body, item.pointer);
		rc = src->validate(ctx, &item, err);
		if (rc < 0) {
			return rc;
		}
	}
	event->validated = true;
	json_object_object_add(event->doc, "validated",
	                       json_object_new_boolean(1));
	return 0;
}
