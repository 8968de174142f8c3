/* SPDX-License-Identifier: MIT */
/*
 * Elementor Pro Forms, Webhook action, in its two shapes. With "Advanced
 * Data" on, the body is form[id|name], fields[<id>][id|type|title|value|
 * raw_value|required] and meta[<key>][title|value]; the field types say
 * which is the e-mail ("email") and the phone ("tel"). With it off, the
 * keys are the field labels, which the site may have written in any
 * language, plus form_id and form_name; labels are matched by alias and
 * the e-mail and phone are found by syntax when no label matches. That
 * shape is only claimed with a WordPress User-Agent (webform takes it
 * otherwise). Elementor sends no id and no signature: the body's digest is
 * the de-duplication key and a url_token guards the endpoint.
 */
#include <stdio.h>
#include <string.h>

#include "webform.h"

/* Advanced data: a "fields" object of objects with a "value". */
static bool is_advanced(json_object *body)
{
	json_object *fields = gmhook__get(body, "/fields");

	if (!json_object_is_type(fields, json_type_object)) {
		return false;
	}
	json_object_object_foreach (fields, key, field) {
		(void) key;
		if (json_object_is_type(field, json_type_object) &&
		    gmhook__get(field, "/value")) {
			return true;
		}
	}
	return false;
}

static int detect(const struct gmhook__delivery *d)
{
	const char *agent = gmhook__header(d->req, "User-Agent");

	if (!json_object_is_type(d->body, json_type_object)) {
		return 0;
	}
	if (is_advanced(d->body)) {
		return 90;
	}
	if (d->format == GMHOOK__FORMAT_FORM && agent &&
	    strncmp(agent, "WordPress/", 10) == 0 &&
	    gmhook__get_str(d->body, "/form_id") &&
	    gmhook__get_str(d->body, "/form_name")) {
		return 60;
	}
	return 0;
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
	json_object_object_add(item->meta, "shape",
	                       json_object_new_string(is_advanced(item->data)
	                                                      ? "advanced"
	                                                      : "labels"));
	return 0;
}

static int role_of_field(json_object *field, const char *id)
{
	const char *type = gmhook__get_str(field, "/type");
	const char *title = gmhook__get_str(field, "/title");
	int role = -1;

	if (type && strcmp(type, "email") == 0) {
		return GMHOOK__WEBFORM_EMAIL;
	}
	if (type && strcmp(type, "tel") == 0) {
		return GMHOOK__WEBFORM_PHONE;
	}
	role = gmhook__submission_role(id);
	if (role < 0 && title) {
		role = gmhook__submission_role(title);
	}
	if (role < 0 && type && strcmp(type, "textarea") == 0) {
		role = GMHOOK__WEBFORM_MESSAGE;
	}
	return role;
}

static void read_advanced(struct gmhook__submission *s, json_object *data)
{
	json_object *fields = gmhook__get(data, "/fields");
	json_object *meta = gmhook__get(data, "/meta");
	char path[192];

	s->form = gmhook__get_str(data, "/form/name");
	json_object_object_foreach (fields, id, field) {
		const char *value = gmhook__get_str(field, "/value");
		const char *title = gmhook__get_str(field, "/title");

		snprintf(path, sizeof(path), "/fields");
		gmhook__path_push(path, sizeof(path), id);
		gmhook__path_push(path, sizeof(path), "value");
		if (!gmhook__submission_offer(s, role_of_field(field, id),
		                              value, path)) {
			gmhook__submission_guess(s, value, path);
		}
		gmhook__submission_line(s, title && title[0] ? title : id,
		                        value);
	}
	if (!json_object_is_type(meta, json_type_object)) {
		return;
	}
	json_object_object_foreach (meta, key, m) {
		const char *title = gmhook__get_str(m, "/title");

		gmhook__submission_line(s, title ? title : key,
		                        gmhook__get_str(m, "/value"));
	}
}

static void read_submission(struct gmhook__submission *s, json_object *data)
{
	if (is_advanced(data)) {
		read_advanced(s, data);
		return;
	}
	gmhook__submission_flat(s, data, "");
	s->form = gmhook__get_str(data, "/form_name");
	if (!s->form) {
		s->form = gmhook__get_str(data, "/form_id");
	}
}

static int validate(struct gmhook_ctx *ctx, struct gmhook__item *item,
                    struct gmhook_error *err)
{
	struct gmhook__submission s;
	int rc;

	(void) ctx;
	gmhook__submission_init(&s, "Elementor");
	read_submission(&s, item->data);
	rc = gmhook__submission_validate(
	        item, &s, is_advanced(item->data) ? "/fields" : "", err);
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
	gmhook__submission_init(&s, "Elementor");
	read_submission(&s, item->data);
	rc = gmhook__submission_record(ctx, item, &s, err);
	gmhook__submission_finish(&s);
	return rc;
}

const struct gmhook__source gmhook__source_elementor = {
	.name = "elementor",
	.signature = "none (url_token guard)",
	.actions = "form submission -> contact, e-mail, history WEB/FRM, note",
	.description = "Elementor Pro Forms webhook (advanced data or labels)",
	.label = "Elementor",
	.detect = detect,
	.extract = extract,
	.validate = validate,
	.record = record,
	.mapping = "forms.json",
};
