/* SPDX-License-Identifier: MIT */
/*
 * Google Forms through an Apps Script onFormSubmit trigger that forwards
 * the event as JSON (UrlFetchApp with JSON.stringify(e)): "namedValues"
 * maps each question title to an array of answers, "values" holds the
 * same answers by sheet column. Titles are matched by alias (English and
 * a few other languages); the e-mail address and phone number are found
 * by syntax when no title matches. The event has no id and Apps Script
 * signs nothing unless the script adds a token: the body's digest is the
 * de-duplication key and a url_token guards the endpoint.
 */
#include <stdio.h>
#include <string.h>

#include "webform.h"

static int detect(const struct gmhook__delivery *d)
{
	if (d->format != GMHOOK__FORMAT_JSON ||
	    !json_object_is_type(gmhook__get(d->body, "/namedValues"),
	                         json_type_object)) {
		return 0;
	}
	return 90;
}

static int extract(struct gmhook_ctx *ctx, const struct gmhook__delivery *d,
                   struct gmhook__item *item, struct gmhook_error *err)
{
	char iso[32];

	(void) err;
	/* The "Timestamp" answer is in the sheet's locale (M/D/YYYY ...)
	 * and zone; the time of receipt is used instead. */
	gmhook__time_format_utc(d->req->received ? d->req->received
	                                         : gmhook__now(ctx),
	                        iso, sizeof(iso));
	json_object_object_add(item->meta, "type",
	                       json_object_new_string("form.submitted"));
	json_object_object_add(item->meta, "time", json_object_new_string(iso));
	return 0;
}

/* A form title the forwarding script may have added next to the event. */
static const char *form_title(json_object *data)
{
	static const char *const keys[] = { "/formTitle", "/form_title",
		                            "/formName",  "/form_name",
		                            "/form",      NULL };
	size_t i;

	for (i = 0; keys[i]; i++) {
		if (gmhook__get_str(data, keys[i])) {
			return gmhook__get_str(data, keys[i]);
		}
	}
	return NULL;
}

static void read_response(struct gmhook__submission *s, json_object *data)
{
	gmhook__submission_flat(s, gmhook__get(data, "/namedValues"),
	                        "/namedValues");
	s->form = form_title(data);
}

static int validate(struct gmhook_ctx *ctx, struct gmhook__item *item,
                    struct gmhook_error *err)
{
	struct gmhook__submission s;
	int rc;

	(void) ctx;
	gmhook__submission_init(&s, "Google Forms");
	read_response(&s, item->data);
	rc = gmhook__submission_validate(item, &s, "/namedValues", err);
	gmhook__submission_finish(&s);
	return rc;
}

/* The submission's record (gmhook__submission_record); forms.json maps
 * it. */
static int record(struct gmhook_ctx *ctx, struct gmhook__item *item,
                  struct gmhook__plan_builder *pb, struct gmhook_error *err)
{
	struct gmhook__submission s;
	int rc;

	(void) pb;
	gmhook__submission_init(&s, "Google Forms");
	read_response(&s, item->data);
	rc = gmhook__submission_record(ctx, item, &s, err);
	gmhook__submission_finish(&s);
	return rc;
}

const struct gmhook__source gmhook__source_googleforms = {
	.name = "googleforms",
	.signature = "none (url_token guard)",
	.actions = "form response -> contact, e-mail, history WEB/FRM, note",
	.description = "Google Forms via an Apps Script onFormSubmit forwarder",
	.label = "Google Forms",
	.detect = detect,
	.extract = extract,
	.validate = validate,
	.record = record,
	.mapping = "forms.json",
};
