/* SPDX-License-Identifier: MIT */
/*
 * What the form sources share. webform.c exports its field roles and its
 * "name: value" notes writer; submission.c turns what a form provider
 * found (e-mail, name, phone, company, message, form name, answer lines)
 * into the same record for every provider, which the rules of
 * mappings/forms.json map to contact.upsert, email.add, history.add (O,
 * WEB/FRM) and note.add for the message.
 */
#ifndef GMHOOK_SOURCES_WEBFORM_H
#define GMHOOK_SOURCES_WEBFORM_H

#include "gmhook-private.h"

/* The person and form fields a form post may carry. */
enum gmhook__webform_role {
	GMHOOK__WEBFORM_EMAIL,
	GMHOOK__WEBFORM_NAME,
	GMHOOK__WEBFORM_FIRST,
	GMHOOK__WEBFORM_LAST,
	GMHOOK__WEBFORM_PHONE,
	GMHOOK__WEBFORM_COMPANY,
	GMHOOK__WEBFORM_MESSAGE,
	GMHOOK__WEBFORM_FORM,
	GMHOOK__WEBFORM_ROLES,
};

/* The role of a field named @p key (case and punctuation ignored) under
 * webform's English aliases; -1 when it has none. */
int gmhook__webform_role(const char *key);

/* One "name: value" line per member of the flat object @p data: arrays
 * joined with ", ", objects as compact JSON, nulls and _charset_ left
 * out. */
void gmhook__webform_field_lines(struct gmhook__buf *notes, json_object *data);

/* ==== submission.c ==== */

/* What a form provider found in one submission. Paths are JSON pointers
 * relative to the event's data; values are borrowed from the event. */
struct gmhook__submission {
	const char *provider; /* named in validation errors */
	const char *form;     /* form name for the REF, or NULL */
	const char *value[GMHOOK__WEBFORM_ROLES];
	char path[GMHOOK__WEBFORM_ROLES][192];
	struct gmhook__buf notes; /* "question: answer" lines */
};

void gmhook__submission_init(struct gmhook__submission *s,
                             const char *provider);
void gmhook__submission_finish(struct gmhook__submission *s);

/* The role of a question label: webform's aliases, then a few French,
 * German and Spanish ones (accents ignored); -1 when it has none. */
int gmhook__submission_role(const char *label);

/* Take @p value for @p role unless the role is filled or @p value empty;
 * @p path says where it was found. Returns true when taken. */
bool gmhook__submission_offer(struct gmhook__submission *s, int role,
                              const char *value, const char *path);

/* Recognise an unlabelled value by its syntax: a valid e-mail address
 * fills the e-mail role, a phone-looking string (digits with "+", "(",
 * ")", "-", "." or spaces, 7 to 15 digits, not a date) the phone role,
 * each only when still empty. */
void gmhook__submission_guess(struct gmhook__submission *s, const char *value,
                              const char *path);

/* Append the members of @p array to @p buf joined with ", ". */
void gmhook__submission_join(struct gmhook__buf *buf, json_object *array);

/* Add "label: value" to the notes when @p value is not empty. */
void gmhook__submission_line(struct gmhook__submission *s, const char *label,
                             const char *value);

/* For a flat object of label -> string (or array of strings): offer each
 * member by its label's role, then guess the e-mail and phone of the
 * rest by syntax, and write all members to the notes. */
void gmhook__submission_flat(struct gmhook__submission *s, json_object *data,
                             const char *base);

/* The submission must name an e-mail address (valid and at most 75
 * characters) or, failing that, a phone number. Errors name
 * item->pointer + the field's path, or @p where when nothing was found. */
int gmhook__submission_validate(const struct gmhook__item *item,
                                const struct gmhook__submission *s,
                                const char *where, struct gmhook_error *err);

/* The record forms.json maps (docs/sources.md, form providers): the
 * person (email, contact, lastname, phone, company), form, notes,
 * message, and when (item->meta "time", else now; ISO 8601 UTC). Empty
 * values are left out. */
int gmhook__submission_record(struct gmhook_ctx *ctx, struct gmhook__item *item,
                              const struct gmhook__submission *s,
                              struct gmhook_error *err);

#endif
