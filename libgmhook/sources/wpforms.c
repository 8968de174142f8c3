/* SPDX-License-Identifier: MIT */
/*
 * WPForms. Its Webhooks addon posts whatever key -> value map the site's
 * admin defined (JSON or urlencoded), which carries nothing that tells it
 * from any other form: such posts are left to webform, or sent here with
 * --source wpforms (or the CGI's source parameter) to get the WPForms
 * label and syntax-based e-mail/phone recognition. The one shape claimed
 * by detection is the plugin's own form post, wpforms[id] and
 * wpforms[fields][<n>] (a name field as [first]/[middle]/[last]). No id,
 * no signature: the body's digest de-duplicates, a url_token guards.
 */
#include <stdio.h>
#include <string.h>

#include "webform.h"

#define FIELDS "/wpforms/fields"

static bool is_native(json_object *body)
{
	return json_object_is_type(gmhook__get(body, FIELDS), json_type_object);
}

static int detect(const struct gmhook__delivery *d)
{
	return is_native(d->body) ? 90 : 0;
}

static int extract(struct gmhook_ctx *ctx, const struct gmhook__delivery *d,
                   struct gmhook__item *item, struct gmhook_error *err)
{
	char iso[32];

	(void) err;
	gmhook__time_format_utc(d->req->received ? d->req->received
	                                         : gmhook__now(ctx),
	                        iso, sizeof(iso));
	json_object_object_add(item->meta, "type",
	                       json_object_new_string("form.submitted"));
	json_object_object_add(item->meta, "time", json_object_new_string(iso));
	return 0;
}

/* wpforms[fields][<n>]: numbered answers; a name is an object. */
static void read_native(struct gmhook__submission *s, json_object *data,
                        char *form, size_t form_size)
{
	json_object *fields = gmhook__get(data, FIELDS);
	char path[192];

	json_object_object_foreach (fields, key, v) {
		snprintf(path, sizeof(path), FIELDS);
		gmhook__path_push(path, sizeof(path), key);
		if (json_object_is_type(v, json_type_object) &&
		    gmhook__get_str(v, "/first")) {
			char first[200];
			char last[200];

			snprintf(first, sizeof(first), "%s/first", path);
			snprintf(last, sizeof(last), "%s/last", path);
			gmhook__submission_offer(s, GMHOOK__WEBFORM_FIRST,
			                         gmhook__get_str(v, "/first"),
			                         first);
			gmhook__submission_offer(s, GMHOOK__WEBFORM_LAST,
			                         gmhook__get_str(v, "/last"),
			                         last);
		} else if (json_object_is_type(v, json_type_string)) {
			gmhook__submission_guess(s, json_object_get_string(v),
			                         path);
		}
	}
	gmhook__webform_field_lines(&s->notes, fields);
	snprintf(form, form_size, "form %s",
	         gmhook__get_str(data, "/wpforms/id")
	                 ? gmhook__get_str(data, "/wpforms/id")
	                 : "submitted");
	s->form = form;
}

static void read_submission(struct gmhook__submission *s, json_object *data,
                            char *form, size_t form_size)
{
	if (is_native(data)) {
		read_native(s, data, form, form_size);
		return;
	}
	gmhook__submission_flat(s, data, "");
	s->form = s->value[GMHOOK__WEBFORM_FORM];
}

static int validate(struct gmhook_ctx *ctx, struct gmhook__item *item,
                    struct gmhook_error *err)
{
	struct gmhook__submission s;
	char form[64];
	int rc;

	(void) ctx;
	gmhook__submission_init(&s, "WPForms");
	read_submission(&s, item->data, form, sizeof(form));
	rc = gmhook__submission_validate(
	        item, &s, is_native(item->data) ? FIELDS : "", err);
	gmhook__submission_finish(&s);
	return rc;
}

/* The submission's record (gmhook__submission_record); forms.json maps
 * it. */
static int record(struct gmhook_ctx *ctx, struct gmhook__item *item,
                  struct gmhook__plan_builder *pb, struct gmhook_error *err)
{
	struct gmhook__submission s;
	char form[64];
	int rc;

	(void) pb;
	gmhook__submission_init(&s, "WPForms");
	read_submission(&s, item->data, form, sizeof(form));
	rc = gmhook__submission_record(ctx, item, &s, err);
	gmhook__submission_finish(&s);
	return rc;
}

const struct gmhook__source gmhook__source_wpforms = {
	.name = "wpforms",
	.signature = "none (url_token guard)",
	.actions = "form post -> contact, e-mail, history WEB/FRM, note",
	.description = "WPForms (its own form post; webhooks with --source)",
	.label = "WPForms",
	.detect = detect,
	.extract = extract,
	.validate = validate,
	.record = record,
	.mapping = "forms.json",
};
