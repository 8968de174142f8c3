/* SPDX-License-Identifier: MIT */
/*
 * Gravity Forms through its Webhooks Add-On with "Request Body: All
 * Fields": the entry itself, JSON or urlencoded, with the entry "id" (the
 * de-duplication key), "form_id", "source_url", "date_created" and the
 * answers under numeric field ids; a name field's sub-inputs are "N.3"
 * (first) and "N.6" (last). No labels are sent, so the e-mail address and
 * phone number are recognised by their syntax and the name by its
 * sub-inputs; a company or message field cannot be told apart. Every
 * answer goes into the history notes by field id. Nothing is signed.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "webform.h"

/* A field id: "4" or "2.3". Sets *major and *minor (0 when absent). */
static bool field_id(const char *key, long *major, long *minor)
{
	char *end;

	if (!isdigit((unsigned char) key[0])) {
		return false;
	}
	*major = strtol(key, &end, 10);
	*minor = 0;
	if (*end == '.' && isdigit((unsigned char) end[1])) {
		*minor = strtol(end + 1, &end, 10);
	}
	return *end == '\0';
}

static bool has_field_ids(json_object *body)
{
	long major;
	long minor;

	json_object_object_foreach (body, key, v) {
		(void) v;
		if (field_id(key, &major, &minor)) {
			return true;
		}
	}
	return false;
}

static int detect(const struct gmhook__delivery *d)
{
	if (!json_object_is_type(d->body, json_type_object) ||
	    !gmhook__get_str(d->body, "/form_id") ||
	    !gmhook__get_str(d->body, "/id") || !has_field_ids(d->body)) {
		return 0;
	}
	return 85;
}

static int extract(struct gmhook_ctx *ctx, const struct gmhook__delivery *d,
                   struct gmhook__item *item, struct gmhook_error *err)
{
	const char *id = gmhook__get_str(item->data, "/id");
	char iso[32];

	(void) err;
	/* date_created is in the site's zone, which the entry does not
	 * name; the time of receipt is used instead. */
	gmhook__time_format_utc(d->req->received ? d->req->received
	                                         : gmhook__now(ctx),
	                        iso, sizeof(iso));
	json_object_object_add(item->meta, "type",
	                       json_object_new_string("form.submitted"));
	if (id && id[0]) {
		json_object_object_add(item->meta, "id",
		                       json_object_new_string(id));
	}
	json_object_object_add(item->meta, "time", json_object_new_string(iso));
	return 0;
}

struct field {
	const char *key;
	json_object *value;
	long major;
	long minor;
};

static int field_cmp(const void *a, const void *b)
{
	const struct field *x = a;
	const struct field *y = b;

	if (x->major != y->major) {
		return x->major < y->major ? -1 : 1;
	}
	return (x->minor > y->minor) - (x->minor < y->minor);
}

/* The entry's answers in field id order (the JSON order is arbitrary);
 * caller frees. NULL with *n 0 when there are none or on ENOMEM. */
static struct field *sorted_fields(json_object *data, size_t *n)
{
	size_t cap = (size_t) json_object_object_length(data);
	struct field *f = calloc(cap ? cap : 1, sizeof(*f));

	*n = 0;
	if (!f) {
		return NULL;
	}
	json_object_object_foreach (data, key, v) {
		struct field *e = &f[*n];

		if (field_id(key, &e->major, &e->minor)) {
			e->key = key;
			e->value = v;
			(*n)++;
		}
	}
	qsort(f, *n, sizeof(*f), field_cmp);
	return f;
}

static const char *text_of(json_object *v)
{
	if (!json_object_is_type(v, json_type_string) ||
	    json_object_get_string_len(v) == 0) {
		return NULL;
	}
	return json_object_get_string(v);
}

/* First and last name from the sub-inputs N.3 and N.6 of the first name
 * field that has either. */
static void offer_name(struct gmhook__submission *s, json_object *data,
                       const struct field *f, size_t n)
{
	char path[64];
	const char *v;
	size_t i;

	for (i = 0; i < n; i++) {
		if ((f[i].minor != 3 && f[i].minor != 6) ||
		    !text_of(f[i].value)) {
			continue;
		}
		snprintf(path, sizeof(path), "/%ld.3", f[i].major);
		v = text_of(gmhook__get(data, path));
		gmhook__submission_offer(s, GMHOOK__WEBFORM_FIRST, v, path);
		snprintf(path, sizeof(path), "/%ld.6", f[i].major);
		v = text_of(gmhook__get(data, path));
		gmhook__submission_offer(s, GMHOOK__WEBFORM_LAST, v, path);
		return;
	}
}

static void field_line(struct gmhook__submission *s, const struct field *f)
{
	struct gmhook__buf text = { 0 };
	char label[64];

	if (json_object_is_type(f->value, json_type_array)) {
		gmhook__submission_join(&text, f->value);
	} else if (text_of(f->value)) {
		gmhook__buf_adds(&text, text_of(f->value));
	}
	snprintf(label, sizeof(label), "Field %s", f->key);
	gmhook__submission_line(s, label, text.len ? text.data : NULL);
	gmhook__buf_free(&text);
}

/* Reads the entry into @p s; @p form (32 bytes) holds the form's name. */
static void read_entry(struct gmhook__submission *s, json_object *data,
                       char *form, size_t form_size)
{
	json_object *id = gmhook__get(data, "/form_id");
	struct field *f;
	char path[64];
	size_t n;
	size_t i;

	/* A number or a string; a body forced as Gravity Forms may have
	 * none. */
	if (id && !json_object_is_type(id, json_type_null)) {
		snprintf(form, form_size, "form %s",
		         json_object_get_string(id));
	} else {
		snprintf(form, form_size, "form");
	}
	s->form = form;
	f = sorted_fields(data, &n);
	offer_name(s, data, f, n);
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "/%s", f[i].key);
		gmhook__submission_guess(s, text_of(f[i].value), path);
		field_line(s, &f[i]);
	}
	gmhook__submission_line(s, "source_url",
	                        gmhook__get_str(data, "/source_url"));
	gmhook__submission_line(s, "date_created",
	                        gmhook__get_str(data, "/date_created"));
	if (!f) {
		s->notes.failed = true;
	}
	free(f);
}

static int validate(struct gmhook_ctx *ctx, struct gmhook__item *item,
                    struct gmhook_error *err)
{
	struct gmhook__submission s;
	char form[48];
	int rc;

	(void) ctx;
	gmhook__submission_init(&s, "Gravity Forms");
	read_entry(&s, item->data, form, sizeof(form));
	rc = gmhook__submission_validate(item, &s, "", err);
	gmhook__submission_finish(&s);
	return rc;
}

/* The entry's record (gmhook__submission_record); forms.json maps it. */
static int record(struct gmhook_ctx *ctx, struct gmhook__item *item,
                  struct gmhook__plan_builder *pb, struct gmhook_error *err)
{
	struct gmhook__submission s;
	char form[48];
	int rc;

	(void) pb;
	gmhook__submission_init(&s, "Gravity Forms");
	read_entry(&s, item->data, form, sizeof(form));
	rc = gmhook__submission_record(ctx, item, &s, err);
	gmhook__submission_finish(&s);
	return rc;
}

const struct gmhook__source gmhook__source_gravityforms = {
	.name = "gravityforms",
	.signature = "none (url_token guard)",
	.actions = "entry -> contact, e-mail, history WEB/FRM, note",
	.description = "Gravity Forms Webhooks Add-On, all fields (entry)",
	.label = "Gravity Forms",
	.detect = detect,
	.extract = extract,
	.validate = validate,
	.record = record,
	.mapping = "forms.json",
};
