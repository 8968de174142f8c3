/* SPDX-License-Identifier: MIT */
/*
 * The map and validate steps shared by the form providers (Typeform,
 * JotForm, Gravity Forms, WPForms, Elementor, Google Forms) and the plain
 * web form. Each module reads its own shape into a struct
 * gmhook__submission; this file checks that someone can be identified and
 * turns the submission into one record for every provider, which
 * mappings/forms.json maps to the contact, its e-mail row, a WEB/FRM
 * history row holding every answer and a note with the message.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "webform.h"

#define MAP      GMHOOK_STAGE_MAP
#define VALIDATE GMHOOK_STAGE_VALIDATE

/* Longest address GoldMine's e-mail row holds (as validate.c). */
#define GOLDMINE_EMAIL_MAX 75

/*
 * Labels in other languages, normalised as webform does: lower case,
 * ASCII letters and digits only, so "Prénom" is "prnom" and "Téléphone"
 * is "tlphone". Elementor and Google Forms key answers by such labels.
 */
static const struct {
	const char *alias;
	int role;
} localised[] = {
	{ "nomcomplet", GMHOOK__WEBFORM_NAME },
	{ "votrenom", GMHOOK__WEBFORM_NAME },
	{ "nombre", GMHOOK__WEBFORM_NAME },
	{ "nombrecompleto", GMHOOK__WEBFORM_NAME },
	{ "vollstndigername", GMHOOK__WEBFORM_NAME },
	{ "prnom", GMHOOK__WEBFORM_FIRST },
	{ "vorname", GMHOOK__WEBFORM_FIRST },
	{ "nom", GMHOOK__WEBFORM_LAST },
	{ "nomdefamille", GMHOOK__WEBFORM_LAST },
	{ "nachname", GMHOOK__WEBFORM_LAST },
	{ "apellido", GMHOOK__WEBFORM_LAST },
	{ "apellidos", GMHOOK__WEBFORM_LAST },
	{ "courriel", GMHOOK__WEBFORM_EMAIL },
	{ "adressemail", GMHOOK__WEBFORM_EMAIL },
	{ "correo", GMHOOK__WEBFORM_EMAIL },
	{ "correoelectrnico", GMHOOK__WEBFORM_EMAIL },
	{ "tlphone", GMHOOK__WEBFORM_PHONE },
	{ "telefon", GMHOOK__WEBFORM_PHONE },
	{ "telefonnummer", GMHOOK__WEBFORM_PHONE },
	{ "telfono", GMHOOK__WEBFORM_PHONE },
	{ "socit", GMHOOK__WEBFORM_COMPANY },
	{ "entreprise", GMHOOK__WEBFORM_COMPANY },
	{ "firma", GMHOOK__WEBFORM_COMPANY },
	{ "unternehmen", GMHOOK__WEBFORM_COMPANY },
	{ "empresa", GMHOOK__WEBFORM_COMPANY },
	{ "nachricht", GMHOOK__WEBFORM_MESSAGE },
	{ "mensaje", GMHOOK__WEBFORM_MESSAGE },
	{ "votremessage", GMHOOK__WEBFORM_MESSAGE },
};

int gmhook__submission_role(const char *label)
{
	char norm[64];
	size_t n = 0;
	size_t i;
	int r = gmhook__webform_role(label);

	if (r >= 0) {
		return r;
	}
	for (; *label && n + 1 < sizeof(norm); label++) {
		if (isalnum((unsigned char) *label)) {
			norm[n++] = (char) tolower((unsigned char) *label);
		}
	}
	norm[n] = '\0';
	for (i = 0; i < sizeof(localised) / sizeof(localised[0]); i++) {
		if (strcmp(norm, localised[i].alias) == 0) {
			return localised[i].role;
		}
	}
	return -1;
}

void gmhook__submission_init(struct gmhook__submission *s, const char *provider)
{
	memset(s, 0, sizeof(*s));
	s->provider = provider;
}

void gmhook__submission_finish(struct gmhook__submission *s)
{
	gmhook__buf_free(&s->notes);
}

bool gmhook__submission_offer(struct gmhook__submission *s, int role,
                              const char *value, const char *path)
{
	if (role < 0 || role >= GMHOOK__WEBFORM_ROLES || s->value[role] ||
	    !value || !value[0]) {
		return false;
	}
	s->value[role] = value;
	snprintf(s->path[role], sizeof(s->path[role]), "%s", path ? path : "");
	return true;
}

/* Digits with phone punctuation, 7 to 15 digits (E.164), and at least
 * one separator or a leading "+" so that plain numbers (amounts, ids) and
 * ISO dates are not taken for phone numbers. */
static bool looks_like_phone(const char *v)
{
	size_t digits = 0;
	size_t dashes = 0;
	bool separator = v[0] == '+';
	const char *p;

	for (p = v; *p; p++) {
		if (isdigit((unsigned char) *p)) {
			digits++;
		} else if (strchr("+()-. ", *p)) {
			separator = true;
			dashes += *p == '-';
		} else {
			return false;
		}
	}
	if (dashes == 2 && strlen(v) == 10 && v[4] == '-' && v[7] == '-') {
		return false; /* 2024-05-01 */
	}
	return separator && digits >= 7 && digits <= 15;
}

void gmhook__submission_guess(struct gmhook__submission *s, const char *value,
                              const char *path)
{
	if (!value || !value[0]) {
		return;
	}
	if (!s->value[GMHOOK__WEBFORM_EMAIL] && gmhook__email_valid(value)) {
		gmhook__submission_offer(s, GMHOOK__WEBFORM_EMAIL, value, path);
	} else if (!s->value[GMHOOK__WEBFORM_PHONE] &&
	           looks_like_phone(value)) {
		gmhook__submission_offer(s, GMHOOK__WEBFORM_PHONE, value, path);
	}
}

void gmhook__submission_join(struct gmhook__buf *buf, json_object *array)
{
	size_t i;

	for (i = 0; i < json_object_array_length(array); i++) {
		json_object *v = json_object_array_get_idx(array, i);

		gmhook__buf_addf(buf, "%s%s", i ? ", " : "",
		                 json_object_get_string(v));
	}
}

void gmhook__submission_line(struct gmhook__submission *s, const char *label,
                             const char *value)
{
	if (value && value[0]) {
		gmhook__buf_addf(&s->notes, "%s: %s\r\n", label, value);
	}
}

/* A member's text: the string, or the first string of an array. */
static const char *member_text(json_object *v)
{
	if (json_object_is_type(v, json_type_array) &&
	    json_object_array_length(v) > 0) {
		v = json_object_array_get_idx(v, 0);
	}
	if (!json_object_is_type(v, json_type_string)) {
		return NULL;
	}
	return json_object_get_string(v);
}

void gmhook__submission_flat(struct gmhook__submission *s, json_object *data,
                             const char *base)
{
	char path[192];

	if (!json_object_is_type(data, json_type_object)) {
		return;
	}
	json_object_object_foreach (data, key, v) {
		snprintf(path, sizeof(path), "%s", base);
		gmhook__path_push(path, sizeof(path), key);
		gmhook__submission_offer(s, gmhook__submission_role(key),
		                         member_text(v), path);
	}
	json_object_object_foreach (data, key2, v2) {
		if (gmhook__submission_role(key2) >= 0) {
			continue;
		}
		snprintf(path, sizeof(path), "%s", base);
		gmhook__path_push(path, sizeof(path), key2);
		gmhook__submission_guess(s, member_text(v2), path);
	}
	gmhook__webform_field_lines(&s->notes, data);
}

int gmhook__submission_validate(const struct gmhook__item *item,
                                const struct gmhook__submission *s,
                                const char *where, struct gmhook_error *err)
{
	const char *email = s->value[GMHOOK__WEBFORM_EMAIL];
	char path[256];

	if (!email) {
		if (s->value[GMHOOK__WEBFORM_PHONE]) {
			return 0;
		}
		gmhook__path_join(path, sizeof(path), item->pointer, where);
		return gmhook__error_set(
		        err, GMHOOK_EVALIDATE, VALIDATE, path,
		        "no e-mail address or phone number in this %s submission",
		        s->provider);
	}
	gmhook__path_join(path, sizeof(path), item->pointer,
	                  s->path[GMHOOK__WEBFORM_EMAIL]);
	if (!gmhook__email_valid(email)) {
		return gmhook__error_set(err, GMHOOK_EVALIDATE, VALIDATE, path,
		                         "not a valid e-mail address");
	}
	if (strlen(email) > GOLDMINE_EMAIL_MAX) {
		return gmhook__error_set(
		        err, GMHOOK_EVALIDATE, VALIDATE, path,
		        "e-mail address is %zu characters; GoldMine holds at most %d",
		        strlen(email), GOLDMINE_EMAIL_MAX);
	}
	return 0;
}

/* The time to record an event at: item->meta "time", else now. */
static int64_t submission_when(struct gmhook_ctx *ctx,
                               const struct gmhook__item *item)
{
	int64_t t;

	if (!gmhook__time_parse(gmhook__get_str(item->meta, "/time"), &t)) {
		t = gmhook__now(ctx);
	}
	return t;
}

int gmhook__submission_record(struct gmhook_ctx *ctx, struct gmhook__item *item,
                              const struct gmhook__submission *s,
                              struct gmhook_error *err)
{
	struct gmhook__person p = { 0 };
	int rc;

	if (s->notes.failed) {
		return gmhook__error_set(err, GMHOOK_ENOMEM, MAP, "",
		                         "out of memory");
	}
	p.email = s->value[GMHOOK__WEBFORM_EMAIL];
	p.name = s->value[GMHOOK__WEBFORM_NAME];
	p.name_path = s->path[GMHOOK__WEBFORM_NAME];
	p.first = s->value[GMHOOK__WEBFORM_FIRST];
	p.last = s->value[GMHOOK__WEBFORM_LAST];
	p.last_path = s->path[GMHOOK__WEBFORM_LAST];
	p.phone = s->value[GMHOOK__WEBFORM_PHONE];
	p.phone_path = s->path[GMHOOK__WEBFORM_PHONE];
	p.company = s->value[GMHOOK__WEBFORM_COMPANY];
	p.company_path = s->path[GMHOOK__WEBFORM_COMPANY];
	rc = gmhook__record_person(item, &p);
	/* The form name is only part of the REF: a cut names no field. */
	if (rc == 0 && s->form && s->form[0]) {
		rc = gmhook__record_set(item, "form", s->form, NULL);
	}
	if (rc == 0 && s->notes.len) {
		rc = gmhook__record_set(item, "notes", s->notes.data, NULL);
	}
	rc = rc ? rc
	        : gmhook__record_set(item, "message",
	                             s->value[GMHOOK__WEBFORM_MESSAGE],
	                             s->path[GMHOOK__WEBFORM_MESSAGE]);
	rc = rc ? rc
	        : gmhook__record_set_time(item, "when",
	                                  submission_when(ctx, item));
	return rc ? gmhook__error_set(err, GMHOOK_ENOMEM, MAP, "",
	                              "out of memory")
	          : 0;
}
