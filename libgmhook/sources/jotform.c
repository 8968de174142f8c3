/* SPDX-License-Identifier: MIT */
/*
 * JotForm webhooks: always multipart/form-data, with the answers as a
 * JSON document in the "rawRequest" part ("q<N>_<slug>" keys; a name is
 * {"first", "last"}, a phone {"full"} or {"area", "phone"}) next to
 * "formID", "formTitle" and "submissionID", the de-duplication key. The
 * "pretty" part is a lossy summary and is not read. rawRequest is parsed
 * with the context's depth and field limits at every stage that needs it
 * (the event keeps the delivery as it came). JotForm signs nothing: guard
 * the endpoint with a url_token.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "webform.h"

#define RAW "/rawRequest"

static int detect(const struct gmhook__delivery *d)
{
	if (d->format == GMHOOK__FORMAT_JSON ||
	    !gmhook__get_str(d->body, RAW)) {
		return 0;
	}
	if (gmhook__get_str(d->body, "/submissionID") ||
	    gmhook__get_str(d->body, "/formID")) {
		return 90;
	}
	return 80;
}

/* Count the values of a JSON tree, stopping past @p limit. */
static size_t count_values(json_object *v, size_t limit)
{
	size_t n = 0;
	size_t i;

	if (json_object_is_type(v, json_type_object)) {
		json_object_object_foreach (v, key, child) {
			(void) key;
			if (n > limit) {
				break;
			}
			n += count_values(child, limit);
		}
		return n;
	}
	if (json_object_is_type(v, json_type_array)) {
		for (i = 0; i < json_object_array_length(v) && n <= limit;
		     i++) {
			n += count_values(json_object_array_get_idx(v, i),
			                  limit);
		}
		return n;
	}
	return 1;
}

/* Parse the rawRequest part into a new object (caller puts it). */
static int parse_raw(json_object **out, struct gmhook_ctx *ctx,
                     const struct gmhook__item *item, int stage,
                     struct gmhook_error *err)
{
	const char *raw = gmhook__get_str(item->data, RAW);
	struct json_tokener *tok;
	json_object *doc = NULL;
	char path[256];
	int rc = 0;

	gmhook__path_join(path, sizeof(path), item->pointer, RAW);
	if (!raw) {
		return gmhook__error_set(
		        err, GMHOOK_EVALIDATE, stage, path,
		        "the JotForm rawRequest part is missing");
	}
	tok = json_tokener_new_ex((int) ctx->opts.max_depth);
	if (!tok) {
		return gmhook__error_set(err, GMHOOK_ENOMEM, stage, "",
		                         "out of memory");
	}
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT |
	                                    JSON_TOKENER_VALIDATE_UTF8);
	doc = json_tokener_parse_ex(tok, raw, (int) strlen(raw));
	if (!doc && json_tokener_get_error(tok) == json_tokener_error_depth) {
		rc = gmhook__error_set(err, GMHOOK_ETOOBIG, stage, path,
		                       "rawRequest nests deeper than %u levels",
		                       ctx->opts.max_depth);
	} else if (!json_object_is_type(doc, json_type_object) ||
	           json_tokener_get_parse_end(tok) != strlen(raw)) {
		rc = gmhook__error_set(err, GMHOOK_EPARSE, stage, path,
		                       "rawRequest is not a JSON object");
	} else if (count_values(doc, ctx->opts.max_fields) >
	           ctx->opts.max_fields) {
		rc = gmhook__error_set(err, GMHOOK_ETOOBIG, stage, path,
		                       "rawRequest holds more than %u fields",
		                       ctx->opts.max_fields);
	}
	json_tokener_free(tok);
	if (rc < 0) {
		json_object_put(doc);
		return rc;
	}
	*out = doc;
	return 0;
}

static int extract(struct gmhook_ctx *ctx, const struct gmhook__delivery *d,
                   struct gmhook__item *item, struct gmhook_error *err)
{
	const char *id = gmhook__get_str(item->data, "/submissionID");
	json_object *raw = NULL;
	char iso[32];
	int rc;

	rc = parse_raw(&raw, ctx, item, GMHOOK_STAGE_PARSE, err);
	if (rc < 0) {
		return rc;
	}
	if (!id || !id[0]) {
		id = gmhook__get_str(raw, "/event_id");
	}
	json_object_object_add(item->meta, "type",
	                       json_object_new_string("form.submitted"));
	if (id && id[0]) {
		json_object_object_add(item->meta, "id",
		                       json_object_new_string(id));
	}
	gmhook__time_format_utc(d->req->received ? d->req->received
	                                         : gmhook__now(ctx),
	                        iso, sizeof(iso));
	json_object_object_add(item->meta, "time", json_object_new_string(iso));
	json_object_put(raw);
	return 0;
}

/* rawRequest members that are JotForm's bookkeeping, not answers. */
static bool is_bookkeeping(const char *key)
{
	static const char *const keys[] = { "slug",
		                            "jsExecutionTracker",
		                            "submitSource",
		                            "buildDate",
		                            "uploadServerUrl",
		                            "eventObserver",
		                            "event_id",
		                            "timeToSubmit",
		                            "temp_upload",
		                            "file_server",
		                            "validatedNewRequiredFieldIDs",
		                            "path",
		                            "preview",
		                            "submitDate",
		                            "website",
		                            NULL };
	size_t i;

	for (i = 0; keys[i]; i++) {
		if (strcmp(key, keys[i]) == 0) {
			return true;
		}
	}
	return false;
}

/* "q3_studentsName" -> "studentsName"; other keys stay as they are. */
static const char *slug_of(const char *key)
{
	const char *p = key;

	if (*p != 'q' || !isdigit((unsigned char) p[1])) {
		return key;
	}
	p++;
	while (isdigit((unsigned char) *p)) {
		p++;
	}
	return *p == '_' && p[1] ? p + 1 : key;
}

/* A compound answer as one line: its "full" text, or the non-empty
 * strings joined with " " ({"first": "Jane", "last": "Q"} -> "Jane Q"). */
static void compound_text(struct gmhook__buf *buf, json_object *v)
{
	const char *full = gmhook__get_str(v, "/full");

	if (full) {
		gmhook__buf_adds(buf, full); /* a phone: area + number */
		return;
	}
	json_object_object_foreach (v, key, part) {
		(void) key;
		if (json_object_is_type(part, json_type_string) &&
		    json_object_get_string_len(part) > 0) {
			gmhook__buf_addf(buf, "%s%s", buf->len ? " " : "",
			                 json_object_get_string(part));
		}
	}
}

static void answer_text(struct gmhook__buf *buf, json_object *v)
{
	if (json_object_is_type(v, json_type_string)) {
		gmhook__buf_adds(buf, json_object_get_string(v));
	} else if (json_object_is_type(v, json_type_array)) {
		gmhook__submission_join(buf, v);
	} else if (json_object_is_type(v, json_type_object)) {
		compound_text(buf, v);
	} else if (!json_object_is_type(v, json_type_null)) {
		gmhook__buf_adds(buf, json_object_get_string(v));
	}
}

/* Contact fields from a compound answer: a name or a phone object. */
static void offer_compound(struct gmhook__submission *s, json_object *v,
                           int role)
{
	const char *first = gmhook__get_str(v, "/first");
	const char *last = gmhook__get_str(v, "/last");
	const char *full = gmhook__get_str(v, "/full");

	if ((first && first[0]) || (last && last[0])) {
		if (!s->value[GMHOOK__WEBFORM_FIRST] &&
		    !s->value[GMHOOK__WEBFORM_LAST]) {
			gmhook__submission_offer(s, GMHOOK__WEBFORM_FIRST,
			                         first, RAW);
			gmhook__submission_offer(s, GMHOOK__WEBFORM_LAST, last,
			                         RAW);
		}
		return;
	}
	if (full &&
	    (role == GMHOOK__WEBFORM_PHONE || gmhook__get(v, "/area"))) {
		gmhook__submission_offer(s, GMHOOK__WEBFORM_PHONE, full, RAW);
	}
}

static void read_answers(struct gmhook__submission *s, json_object *data,
                         json_object *raw)
{
	struct gmhook__buf text = { 0 };

	s->form = gmhook__get_str(data, "/formTitle");
	json_object_object_foreach (raw, key, v) {
		const char *slug = slug_of(key);
		int role = gmhook__submission_role(slug);

		if (is_bookkeeping(key)) {
			continue;
		}
		if (json_object_is_type(v, json_type_string)) {
			const char *answer = json_object_get_string(v);

			gmhook__submission_offer(s, role, answer, RAW);
		} else if (json_object_is_type(v, json_type_object)) {
			offer_compound(s, v, role);
		}
		text.len = 0;
		answer_text(&text, v);
		gmhook__submission_line(s, slug, text.len ? text.data : NULL);
	}
	gmhook__buf_free(&text);
	json_object_object_foreach (raw, key2, v2) {
		if (!is_bookkeeping(key2) &&
		    json_object_is_type(v2, json_type_string)) {
			gmhook__submission_guess(s, json_object_get_string(v2),
			                         RAW);
		}
	}
}

static int validate(struct gmhook_ctx *ctx, struct gmhook__item *item,
                    struct gmhook_error *err)
{
	struct gmhook__submission s;
	json_object *raw = NULL;
	int rc;

	rc = parse_raw(&raw, ctx, item, GMHOOK_STAGE_VALIDATE, err);
	if (rc < 0) {
		return rc;
	}
	gmhook__submission_init(&s, "JotForm");
	read_answers(&s, item->data, raw);
	rc = gmhook__submission_validate(item, &s, RAW, err);
	gmhook__submission_finish(&s);
	json_object_put(raw);
	return rc;
}

/* The answers' record (gmhook__submission_record); forms.json maps it. */
static int record(struct gmhook_ctx *ctx, struct gmhook__item *item,
                  struct gmhook__plan_builder *pb, struct gmhook_error *err)
{
	struct gmhook__submission s;
	json_object *raw = NULL;
	int rc;

	(void) pb;
	rc = parse_raw(&raw, ctx, item, GMHOOK_STAGE_MAP, err);
	if (rc < 0) {
		return rc;
	}
	gmhook__submission_init(&s, "JotForm");
	read_answers(&s, item->data, raw);
	rc = gmhook__submission_record(ctx, item, &s, err);
	gmhook__submission_finish(&s);
	json_object_put(raw);
	return rc;
}

const struct gmhook__source gmhook__source_jotform = {
	.name = "jotform",
	.signature = "none (url_token guard)",
	.actions = "submission -> contact, e-mail, history WEB/FRM, note",
	.description = "JotForm form submissions (multipart with rawRequest)",
	.label = "JotForm",
	.detect = detect,
	.extract = extract,
	.validate = validate,
	.record = record,
	.mapping = "forms.json",
};
