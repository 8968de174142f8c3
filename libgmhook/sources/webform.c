/* SPDX-License-Identifier: MIT */
/*
 * Generic web forms: any urlencoded, multipart or flat JSON form post. The
 * person's fields are found by name, case-insensitively and ignoring
 * punctuation, under their common aliases ("email", "E-mail",
 * "your-email", "first_name", "fname" ...). Every field, known or not,
 * goes into the history notes so nothing the visitor typed is lost. The
 * record is the one every form provider fills (submission.c). A form has
 * no event id; the digest of the body stands in for one.
 */
#include <ctype.h>
#include <string.h>

#include "gmhook-private.h"
#include "webform.h"

/* Local short names of the roles shared through webform.h. */
enum role {
	ROLE_EMAIL = GMHOOK__WEBFORM_EMAIL,
	ROLE_NAME = GMHOOK__WEBFORM_NAME,
	ROLE_FIRST = GMHOOK__WEBFORM_FIRST,
	ROLE_LAST = GMHOOK__WEBFORM_LAST,
	ROLE_PHONE = GMHOOK__WEBFORM_PHONE,
	ROLE_COMPANY = GMHOOK__WEBFORM_COMPANY,
	ROLE_MESSAGE = GMHOOK__WEBFORM_MESSAGE,
	ROLE_FORM = GMHOOK__WEBFORM_FORM,
	ROLE_COUNT = GMHOOK__WEBFORM_ROLES,
};

/* Aliases after normalisation: lower case, letters and digits only. */
static const char *const aliases[ROLE_COUNT][12] = {
	[ROLE_EMAIL] = { "email", "emailaddress", "youremail", "mail",
	                 "useremail", "contactemail", "email1", NULL },
	[ROLE_NAME] = { "name", "fullname", "yourname", "contactname",
	                "customername", NULL },
	[ROLE_FIRST] = { "firstname", "fname", "first", "givenname", "forename",
	                 NULL },
	[ROLE_LAST] = { "lastname", "lname", "last", "surname", "familyname",
	                NULL },
	[ROLE_PHONE] = { "phone", "phonenumber", "telephone", "tel", "mobile",
	                 "mobilephone", "cell", "cellphone", "yourphone",
	                 "phone1", NULL },
	[ROLE_COMPANY] = { "company", "companyname", "organization",
	                   "organisation", "org", "business", "yourcompany",
	                   NULL },
	[ROLE_MESSAGE] = { "message", "comments", "comment", "msg", "enquiry",
	                   "inquiry", "yourmessage", "body", "notes",
	                   "question", "details", NULL },
	[ROLE_FORM] = { "formname", "formtitle", "formid", "form", NULL },
};

struct fields {
	const char *key[ROLE_COUNT];
	const char *value[ROLE_COUNT];
};

static void normalise(char *out, size_t size, const char *key)
{
	size_t n = 0;

	for (; *key && n + 1 < size; key++) {
		if (isalnum((unsigned char) *key)) {
			out[n++] = (char) tolower((unsigned char) *key);
		}
	}
	out[n] = '\0';
}

int gmhook__webform_role(const char *key)
{
	char norm[64];
	int r;
	int i;

	normalise(norm, sizeof(norm), key);
	for (r = 0; r < ROLE_COUNT; r++) {
		for (i = 0; aliases[r][i]; i++) {
			if (strcmp(norm, aliases[r][i]) == 0) {
				return r;
			}
		}
	}
	return -1;
}

/* The first non-empty string value for each role among top-level keys. */
static void find_fields(struct fields *f, json_object *data)
{
	memset(f, 0, sizeof(*f));
	json_object_object_foreach (data, key, value) {
		int r = gmhook__webform_role(key);

		if (r < 0 || f->key[r]) {
			continue;
		}
		if (json_object_is_type(value, json_type_string) &&
		    json_object_get_string_len(value) > 0) {
			f->key[r] = key;
			f->value[r] = json_object_get_string(value);
		}
	}
}

static int detect(const struct gmhook__delivery *d)
{
	struct fields f;

	if (d->format != GMHOOK__FORMAT_JSON) {
		return 10;
	}
	if (!json_object_is_type(d->body, json_type_object)) {
		return 0;
	}
	find_fields(&f, d->body);
	return f.key[ROLE_EMAIL] ? 20 : 0;
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

static int validate(struct gmhook_ctx *ctx, struct gmhook__item *item,
                    struct gmhook_error *err)
{
	struct fields f;
	char pointer[256] = "";

	(void) ctx;
	find_fields(&f, item->data);
	if (!f.key[ROLE_EMAIL]) {
		return gmhook__error_set(
		        err, GMHOOK_EVALIDATE, GMHOOK_STAGE_VALIDATE,
		        item->pointer[0] ? item->pointer : "",
		        "no e-mail field in the form (looked for email, e-mail, email_address, your-email, mail)");
	}
	gmhook__path_push(pointer, sizeof(pointer), f.key[ROLE_EMAIL]);
	return gmhook__validate_email(item, pointer, true, err);
}

/* One "name: value" line per field; arrays are joined with ", ", nested
 * objects are written as compact JSON. */
void gmhook__webform_field_lines(struct gmhook__buf *notes, json_object *data)
{
	size_t i;

	json_object_object_foreach (data, key, value) {
		if (strcmp(key, "_charset_") == 0 ||
		    json_object_is_type(value, json_type_null)) {
			continue;
		}
		gmhook__buf_addf(notes, "%s: ", key);
		if (json_object_is_type(value, json_type_string)) {
			gmhook__buf_adds(notes, json_object_get_string(value));
		} else if (json_object_is_type(value, json_type_array)) {
			for (i = 0; i < json_object_array_length(value); i++) {
				json_object *v =
				        json_object_array_get_idx(value, i);

				gmhook__buf_addf(notes, "%s%s", i ? ", " : "",
				                 json_object_get_string(v));
			}
		} else {
			gmhook__buf_adds(
			        notes,
			        json_object_to_json_string_ext(
			                value,
			                JSON_C_TO_STRING_PLAIN |
			                        JSON_C_TO_STRING_NOSLASHESCAPE));
		}
		gmhook__buf_adds(notes, "\r\n");
	}
}

/* The form's record (gmhook__submission_record), read by name only (no
 * guessing by syntax); forms.json maps it. */
static int record(struct gmhook_ctx *ctx, struct gmhook__item *item,
                  struct gmhook__plan_builder *pb, struct gmhook_error *err)
{
	struct gmhook__submission s;
	struct fields f;
	int r;
	int rc;

	(void) pb;
	find_fields(&f, item->data);
	gmhook__submission_init(&s, "web form");
	for (r = 0; r < ROLE_COUNT; r++) {
		if (f.key[r]) {
			gmhook__path_push(s.path[r], sizeof(s.path[r]),
			                  f.key[r]);
			s.value[r] = f.value[r];
		}
	}
	s.form = f.value[ROLE_FORM];
	gmhook__webform_field_lines(&s.notes, item->data);
	rc = gmhook__submission_record(ctx, item, &s, err);
	gmhook__submission_finish(&s);
	return rc;
}

const struct gmhook__source gmhook__source_webform = {
	.name = "webform",
	.signature = "none (url_token guard)",
	.actions =
	        "form post -> contact, e-mail, history WEB/FRM with every field, note with the message",
	.description = "any HTML, urlencoded, multipart or flat JSON form post",
	.label = "Web form",
	.detect = detect,
	.extract = extract,
	.validate = validate,
	.record = record,
	.mapping = "forms.json",
};
