/* SPDX-License-Identifier: MIT */
/*
 * Typeform webhooks: {"event_id", "event_type": "form_response",
 * "form_response": {"form_id", "token", "submitted_at", "definition":
 * {"title", "fields": [...]}, "answers": [...], "hidden": {...}}}. Answers
 * name their question only by field.id/ref, and the key holding the value
 * changes with the answer type (text, email, phone_number, date, choice,
 * choices, number, boolean, url, file_url, payment). A response becomes a
 * form submission (submission.c); partial responses are ignored. The
 * signature is Typeform-Signature: sha256=<base64 HMAC-SHA256 of the body>.
 */
#include <stdio.h>
#include <string.h>

#include "webform.h"

#define JSON_FLAGS (JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)

static int detect(const struct gmhook__delivery *d)
{
	if (gmhook__header(d->req, "Typeform-Signature")) {
		return 100;
	}
	if (d->format != GMHOOK__FORMAT_JSON ||
	    !json_object_is_type(gmhook__get(d->body, "/form_response"),
	                         json_type_object)) {
		return 0;
	}
	return gmhook__get_str(d->body, "/event_type") ? 90 : 70;
}

static int extract(struct gmhook_ctx *ctx, const struct gmhook__delivery *d,
                   struct gmhook__item *item, struct gmhook_error *err)
{
	const char *type = gmhook__get_str(item->data, "/event_type");
	const char *id = gmhook__get_str(item->data, "/event_id");
	const char *when =
	        gmhook__get_str(item->data, "/form_response/submitted_at");
	char buf[160];
	int64_t t;

	(void) ctx;
	(void) d;
	(void) err;
	json_object_object_add(
	        item->meta, "type",
	        json_object_new_string(type ? type : "form_response"));
	if (!id) {
		/* The response token identifies the response itself. */
		id = gmhook__get_str(item->data, "/form_response/token");
		if (id) {
			snprintf(buf, sizeof(buf), "token:%s", id);
			id = buf;
		}
	}
	if (id) {
		json_object_object_add(item->meta, "id",
		                       json_object_new_string(id));
	}
	if (when && gmhook__time_parse(when, &t)) {
		gmhook__time_format_utc(t, buf, sizeof(buf));
		json_object_object_add(item->meta, "time",
		                       json_object_new_string(buf));
	}
	return 0;
}

static bool is_response(json_object *data)
{
	const char *type = gmhook__get_str(data, "/event_type");

	return !type || strcmp(type, "form_response") == 0;
}

/* The definition.fields entry with @p id, or NULL. */
static json_object *question_of(json_object *data, const char *id)
{
	json_object *fields;
	size_t i;

	fields = gmhook__get(data, "/form_response/definition/fields");
	for (i = 0; id && json_object_is_type(fields, json_type_array) &&
	            i < json_object_array_length(fields);
	     i++) {
		json_object *f = json_object_array_get_idx(fields, i);
		const char *fid = gmhook__get_str(f, "/id");

		if (fid && strcmp(fid, id) == 0) {
			return f;
		}
	}
	return NULL;
}

/* An answer's value as text: the string itself for the string types, a
 * choice's label, "yes"/"no", or the value written into @p buf (choices
 * joined with ", ", numbers, objects as JSON). Borrowed or @p buf's. */
static const char *answer_value(json_object *answer, const char *type,
                                struct gmhook__buf *buf)
{
	json_object *v;
	char pointer[64];

	if (strcmp(type, "choice") == 0) {
		v = gmhook__get(answer, "/choice/label");
		return v ? json_object_get_string(v)
		         : gmhook__get_str(answer, "/choice/other");
	}
	if (strcmp(type, "boolean") == 0) {
		return json_object_get_boolean(gmhook__get(answer, "/boolean"))
		               ? "yes"
		               : "no";
	}
	if (strcmp(type, "choices") == 0) {
		const char *other = gmhook__get_str(answer, "/choices/other");

		v = gmhook__get(answer, "/choices/labels");
		if (json_object_is_type(v, json_type_array)) {
			gmhook__submission_join(buf, v);
		}
		if (other) {
			gmhook__buf_addf(buf, "%s%s", buf->len ? ", " : "",
			                 other);
		}
		return buf->data;
	}
	snprintf(pointer, sizeof(pointer), "/%s", type);
	v = gmhook__get(answer, pointer);
	if (!v || json_object_is_type(v, json_type_null)) {
		return NULL;
	}
	if (json_object_is_type(v, json_type_string)) {
		return json_object_get_string(v);
	}
	gmhook__buf_adds(buf, json_object_to_json_string_ext(v, JSON_FLAGS));
	return buf->data;
}

/* Typeform questions are sentences ("What is your first name?"); look
 * for the telling words when no alias matches the ref or title. */
static int role_in_title(const char *title)
{
	static const struct {
		const char *word;
		int role;
	} words[] = {
		{ "firstname", GMHOOK__WEBFORM_FIRST },
		{ "lastname", GMHOOK__WEBFORM_LAST },
		{ "surname", GMHOOK__WEBFORM_LAST },
		{ "fullname", GMHOOK__WEBFORM_NAME },
		{ "yourname", GMHOOK__WEBFORM_NAME },
		{ "company", GMHOOK__WEBFORM_COMPANY },
		{ "organization", GMHOOK__WEBFORM_COMPANY },
		{ "organisation", GMHOOK__WEBFORM_COMPANY },
	};

	char norm[256];
	size_t n = 0;
	size_t i;

	for (; *title && n + 1 < sizeof(norm); title++) {
		if ((*title >= 'a' && *title <= 'z') ||
		    (*title >= '0' && *title <= '9')) {
			norm[n++] = *title;
		} else if (*title >= 'A' && *title <= 'Z') {
			norm[n++] = (char) (*title + 32);
		}
	}
	norm[n] = '\0';
	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		if (strstr(norm, words[i].word)) {
			return words[i].role;
		}
	}
	return -1;
}

/* The contact field an answer fills, from its type, ref or title. */
static int role_of_answer(const char *type, const char *field_type,
                          const char *ref, const char *title)
{
	int role = -1;

	if (strcmp(type, "email") == 0) {
		return GMHOOK__WEBFORM_EMAIL;
	}
	if (strcmp(type, "phone_number") == 0) {
		return GMHOOK__WEBFORM_PHONE;
	}
	if (strcmp(type, "text") != 0) {
		return -1;
	}
	if (ref) {
		role = gmhook__submission_role(ref);
	}
	if (role < 0 && title) {
		role = gmhook__submission_role(title);
	}
	if (role < 0 && title) {
		role = role_in_title(title);
	}
	if (role < 0 && field_type && strcmp(field_type, "long_text") == 0) {
		role = GMHOOK__WEBFORM_MESSAGE;
	}
	return role;
}

static void read_answer(struct gmhook__submission *s, json_object *data,
                        json_object *answer, size_t index)
{
	const char *type = gmhook__get_str(answer, "/type");
	const char *id = gmhook__get_str(answer, "/field/id");
	json_object *q = question_of(data, id);
	const char *title = gmhook__get_str(q, "/title");
	const char *ref = gmhook__get_str(answer, "/field/ref");
	struct gmhook__buf buf = { 0 };
	const char *value;
	char rel[64];
	char path[192];
	int role;

	if (!type) {
		return;
	}
	if (!ref) {
		ref = gmhook__get_str(q, "/ref");
	}
	value = answer_value(answer, type, &buf);
	snprintf(rel, sizeof(rel), "/%s", type);
	snprintf(path, sizeof(path), "/form_response/answers/%zu%s", index,
	         rel);
	/* Only a string answer is borrowed from the event and can fill a
	 * contact field; built values live in buf. */
	if (json_object_is_type(gmhook__get(answer, rel), json_type_string)) {
		role = role_of_answer(type,
		                      gmhook__get_str(answer, "/field/type"),
		                      ref, title);
		gmhook__submission_offer(s, role, value, path);
	}
	gmhook__submission_line(s,
	                        title ? title
	                        : ref ? ref
	                        : id  ? id
	                              : type,
	                        value);
	gmhook__buf_free(&buf);
}

/* Hidden fields (set in the form's URL) often carry the e-mail address
 * or name of a known respondent. */
static void read_hidden(struct gmhook__submission *s, json_object *data)
{
	json_object *hidden = gmhook__get(data, "/form_response/hidden");
	char path[192];

	if (!json_object_is_type(hidden, json_type_object)) {
		return;
	}
	json_object_object_foreach (hidden, key, v) {
		if (!json_object_is_type(v, json_type_string)) {
			continue;
		}
		snprintf(path, sizeof(path), "/form_response/hidden");
		gmhook__path_push(path, sizeof(path), key);
		gmhook__submission_offer(s, gmhook__submission_role(key),
		                         json_object_get_string(v), path);
		gmhook__submission_line(s, key, json_object_get_string(v));
	}
}

static void read_response(struct gmhook__submission *s, json_object *data)
{
	json_object *answers = gmhook__get(data, "/form_response/answers");
	json_object *score;
	size_t i;

	score = gmhook__get(data, "/form_response/calculated/score");
	s->form = gmhook__get_str(data, "/form_response/definition/title");
	if (!s->form) {
		s->form = gmhook__get_str(data, "/form_response/form_id");
	}
	for (i = 0; json_object_is_type(answers, json_type_array) &&
	            i < json_object_array_length(answers);
	     i++) {
		read_answer(s, data, json_object_array_get_idx(answers, i), i);
	}
	read_hidden(s, data);
	if (json_object_is_type(score, json_type_int)) {
		gmhook__submission_line(s, "score",
		                        json_object_get_string(score));
	}
}

static int validate(struct gmhook_ctx *ctx, struct gmhook__item *item,
                    struct gmhook_error *err)
{
	struct gmhook__submission s;
	char path[256];
	int rc;

	(void) ctx;
	if (!is_response(item->data)) {
		return 0;
	}
	if (!json_object_is_type(
	            gmhook__get(item->data, "/form_response/answers"),
	            json_type_array)) {
		gmhook__path_join(path, sizeof(path), item->pointer,
		                  "/form_response/answers");
		return gmhook__error_set(
		        err, GMHOOK_EVALIDATE, GMHOOK_STAGE_VALIDATE, path,
		        "a form_response needs an answers array");
	}
	gmhook__submission_init(&s, "Typeform");
	read_response(&s, item->data);
	rc = gmhook__submission_validate(item, &s, "/form_response/answers",
	                                 err);
	if (rc == 0) {
		rc = gmhook__validate_time(item, "/form_response/submitted_at",
		                           false, err);
	}
	gmhook__submission_finish(&s);
	return rc;
}

/* The response's record (gmhook__submission_record); forms.json maps
 * it. Other event types get an empty record: forms.json ignores them. */
static int record(struct gmhook_ctx *ctx, struct gmhook__item *item,
                  struct gmhook__plan_builder *pb, struct gmhook_error *err)
{
	struct gmhook__submission s;
	int rc;

	(void) pb;
	if (!is_response(item->data)) {
		return 0;
	}
	gmhook__submission_init(&s, "Typeform");
	read_response(&s, item->data);
	rc = gmhook__submission_record(ctx, item, &s, err);
	gmhook__submission_finish(&s);
	return rc;
}

/* Does "sha256=<base64>" match HMAC-SHA256(secret, body) for any of the
 * configured secrets? */
static bool signature_matches(const struct gmhook__source_config *cfg,
                              const struct gmhook_event *event, const char *b64)
{
	const void *parts[1] = { event->raw };
	size_t lens[1] = { event->raw_len };
	unsigned char mac[64];
	size_t mac_len;
	size_t i;

	for (i = 0; i < cfg->n_secrets; i++) {
		const struct gmhook__secret *key = &cfg->secrets[i];

		mac_len = gmhook__hmac(GMHOOK__SHA256, key->key, key->len,
		                       parts, lens, 1, mac);
		if (gmhook__mac_equal_base64(mac, mac_len, b64, strlen(b64))) {
			return true;
		}
	}
	return false;
}

/*
 * Typeform-Signature: sha256=<base64 HMAC-SHA256(secret, raw body)>.
 * Typeform signs no timestamp, so there is no replay window; the event_id
 * ledger turns a replay into a duplicate.
 */
static int verify(struct gmhook_ctx *ctx, const struct gmhook_event *event,
                  const struct gmhook__source_config *cfg,
                  struct gmhook_error *err)
{
	static const char header[] = "Typeform-Signature";
	const char *value = gmhook__event_header(event, header);

	(void) ctx;
	if (!value) {
		return gmhook__signature_fail(err, header, "missing");
	}
	if (strncmp(value, "sha256=", 7) != 0) {
		return gmhook__signature_fail(err, header,
		                              "does not start with sha256=");
	}
	if (!signature_matches(cfg, event, value + 7)) {
		return gmhook__signature_fail(err, header,
		                              "does not match the body");
	}
	return 0;
}

const struct gmhook__source gmhook__source_typeform = {
	.name = "typeform",
	.signature =
	        "Typeform-Signature sha256= base64 HMAC-SHA256 of the body",
	.actions = "form_response -> contact, e-mail, history WEB/FRM, note",
	.description = "Typeform form_response (partial responses ignored)",
	.label = "Typeform",
	.detect = detect,
	.extract = extract,
	.verify = verify,
	.validate = validate,
	.record = record,
	.mapping = "forms.json",
};
