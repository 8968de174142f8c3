/* SPDX-License-Identifier: MIT */
/*
 * Calendly: invitee.created and invitee.canceled, in the API v2 webhook
 * shape ({"event", "created_at", "payload": {invitee fields,
 * "scheduled_event"}}) and the retired v1 shape ({"event", "time",
 * "payload": {"event_type", "event", "invitee"}}). Calendly sends no event
 * id; the invitee's URI (v2) or uuid (v1) plus the event name is the
 * de-duplication key, and the invitee key links a booking's CAL row to its
 * later cancellation. A booking becomes a contact, its e-mail row, a CAL
 * appointment and a history row; a cancellation removes the appointment
 * and records why.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gmhook-private.h"

#define MAP GMHOOK_STAGE_MAP

/* Where the fields live in each shape, relative to the event's data. */
struct shape {
	const char *email;
	const char *name;
	const char *first;
	const char *last;
	const char *phone;
	const char *start;
	const char *end;
	const char *title;
	const char *invitee_key;
	const char *time;
	const char *timezone;
};

static const struct shape shape_v2 = {
	"/payload/email",
	"/payload/name",
	"/payload/first_name",
	"/payload/last_name",
	"/payload/text_reminder_number",
	"/payload/scheduled_event/start_time",
	"/payload/scheduled_event/end_time",
	"/payload/scheduled_event/name",
	"/payload/uri",
	"/created_at",
	"/payload/timezone",
};

static const struct shape shape_v1 = {
	"/payload/invitee/email",
	"/payload/invitee/name",
	"/payload/invitee/first_name",
	"/payload/invitee/last_name",
	"/payload/invitee/text_reminder_number",
	"/payload/event/start_time",
	"/payload/event/end_time",
	"/payload/event_type/name",
	"/payload/invitee/uuid",
	"/time",
	"/payload/invitee/timezone",
};

static const struct shape *shape_of(json_object *data)
{
	if (json_object_is_type(gmhook__get(data, "/payload/invitee"),
	                        json_type_object)) {
		return &shape_v1;
	}
	return &shape_v2;
}

static bool is_invitee_event(const char *type)
{
	return type && (strcmp(type, "invitee.created") == 0 ||
	                strcmp(type, "invitee.canceled") == 0);
}

static int detect(const struct gmhook__delivery *d)
{
	const char *type;

	if (gmhook__header(d->req, "Calendly-Webhook-Signature") ||
	    gmhook__header(d->req, "X-Calendly-Hook-Id")) {
		return 100;
	}
	if (d->format != GMHOOK__FORMAT_JSON) {
		return 0;
	}
	type = gmhook__get_str(d->body, "/event");
	if (type && strncmp(type, "invitee.", 8) == 0 &&
	    json_object_is_type(gmhook__get(d->body, "/payload"),
	                        json_type_object)) {
		return 90;
	}
	return 0;
}

static int extract(struct gmhook_ctx *ctx, const struct gmhook__delivery *d,
                   struct gmhook__item *item, struct gmhook_error *err)
{
	const struct shape *s = shape_of(item->data);
	const char *type = gmhook__get_str(item->data, "/event");
	const char *key = gmhook__get_str(item->data, s->invitee_key);
	const char *when = gmhook__get_str(item->data, s->time);
	char id[512];
	char iso[32];
	int64_t t;

	(void) ctx;
	(void) d;
	json_object_object_add(item->meta, "type",
	                       json_object_new_string(type ? type : "unknown"));
	if (type && key) {
		snprintf(id, sizeof(id), "%s:%s", type, key);
		json_object_object_add(item->meta, "id",
		                       json_object_new_string(id));
	}
	if (when && gmhook__time_parse(when, &t)) {
		gmhook__time_format_utc(t, iso, sizeof(iso));
		json_object_object_add(item->meta, "time",
		                       json_object_new_string(iso));
	}
	json_object_object_add(
	        item->meta, "shape",
	        json_object_new_string(s == &shape_v1 ? "v1" : "v2"));
	(void) err;
	return 0;
}

static int validate(struct gmhook_ctx *ctx, struct gmhook__item *item,
                    struct gmhook_error *err)
{
	const struct shape *s = shape_of(item->data);
	const char *type = gmhook__get_str(item->data, "/event");
	int rc;

	(void) ctx;
	if (!is_invitee_event(type)) {
		return 0;
	}
	rc = gmhook__validate_email(item, s->email, true, err);
	if (rc == 0) {
		rc = gmhook__validate_time(item, s->start, false, err);
	}
	if (rc == 0) {
		rc = gmhook__validate_time(item, s->end, false, err);
	}
	if (rc == 0) {
		rc = gmhook__validate_time(item, s->time, false, err);
	}
	return rc;
}

static void add_answers(struct gmhook__buf *notes, json_object *data)
{
	json_object *qa = gmhook__get(data, "/payload/questions_and_answers");
	size_t i;

	for (i = 0; json_object_is_type(qa, json_type_array) &&
	            i < json_object_array_length(qa);
	     i++) {
		json_object *pair = json_object_array_get_idx(qa, i);
		const char *q = gmhook__get_str(pair, "/question");
		const char *a = gmhook__get_str(pair, "/answer");

		if (q && a) {
			gmhook__buf_addf(notes, "%s: %s\r\n", q, a);
		}
	}
}

static const char *location_text(json_object *data)
{
	const char *s = gmhook__get_str(data, "/payload/event/location");

	if (!s) {
		s = gmhook__get_str(
		        data, "/payload/scheduled_event/location/location");
	}
	if (!s) {
		s = gmhook__get_str(
		        data, "/payload/scheduled_event/location/join_url");
	}
	if (!s) {
		s = gmhook__get_str(data,
		                    "/payload/scheduled_event/location/type");
	}
	return s;
}

static void person_of(struct gmhook__person *p, json_object *data,
                      const struct shape *s)
{
	memset(p, 0, sizeof(*p));
	p->email = gmhook__get_str(data, s->email);
	p->name = gmhook__get_str(data, s->name);
	p->name_path = s->name;
	p->first = gmhook__get_str(data, s->first);
	p->last = gmhook__get_str(data, s->last);
	p->last_path = s->last;
	p->phone = gmhook__get_str(data, s->phone);
	p->phone_path = s->phone;
}

static bool is_reschedule(json_object *data, bool canceled)
{
	if (canceled) {
		return json_object_get_boolean(
		               gmhook__get(data, "/payload/rescheduled")) ||
		       json_object_is_type(
		               gmhook__get(data, "/payload/new_invitee"),
		               json_type_object) ||
		       gmhook__get_str(data, "/payload/new_invitee");
	}
	return json_object_get_boolean(
	               gmhook__get(data, "/payload/invitee/is_reschedule")) ||
	       gmhook__get_str(data, "/payload/old_invitee");
}

static void cancel_notes(struct gmhook__buf *notes, json_object *data)
{
	const char *by =
	        gmhook__get_str(data, "/payload/cancellation/canceled_by");
	const char *why = gmhook__get_str(data, "/payload/cancellation/reason");

	if (!by) {
		by = gmhook__get_str(data, "/payload/invitee/canceler_name");
	}
	if (!why) {
		why = gmhook__get_str(data, "/payload/invitee/cancel_reason");
	}
	if (by) {
		gmhook__buf_addf(notes, "Canceled by: %s\r\n", by);
	}
	if (why) {
		gmhook__buf_addf(notes, "Reason: %s\r\n", why);
	}
}

/*
 * The record calendly.json maps: the invitee (email, contact, lastname,
 * phone), title, key and link (the CAL row's key for a later
 * cancellation), rescheduled ("true" or "false"), notes, start and end
 * (ISO 8601 UTC; end is start when missing or earlier), duration
 * (minutes) and when (the event's time, else the delivery's).
 */
static int record(struct gmhook_ctx *ctx, struct gmhook__item *item,
                  struct gmhook__plan_builder *pb, struct gmhook_error *err)
{
	const struct shape *s = shape_of(item->data);
	const char *type = gmhook__get_str(item->data, "/event");
	const char *title = gmhook__get_str(item->data, s->title);
	const char *key = gmhook__get_str(item->data, s->invitee_key);
	const char *tz = gmhook__get_str(item->data, s->timezone);
	const char *where = location_text(item->data);
	const char *when_s = gmhook__get_str(item->data, s->time);
	const char *start = gmhook__get_str(item->data, s->start);
	const char *end = gmhook__get_str(item->data, s->end);
	struct gmhook__buf notes = { 0 };
	struct gmhook__person person;
	bool canceled;
	char link[512];
	char start_at[160];
	int64_t when;
	int64_t t0;
	int64_t t1;
	int rc;

	(void) pb;
	if (!is_invitee_event(type)) {
		return gmhook__record_ignore(
		        item,
		        "not an invitee.created or invitee.canceled event");
	}
	canceled = strcmp(type, "invitee.canceled") == 0;
	if (!when_s || !gmhook__time_parse(when_s, &when)) {
		when = gmhook__now(ctx);
	}
	if (title) {
		gmhook__buf_addf(&notes, "Event: %s\r\n", title);
	}
	if (where) {
		gmhook__buf_addf(&notes, "Location: %s\r\n", where);
	}
	if (tz) {
		gmhook__buf_addf(&notes, "Invitee time zone: %s\r\n", tz);
	}
	if (canceled) {
		cancel_notes(&notes, item->data);
	}
	add_answers(&notes, item->data);
	if (notes.failed) {
		gmhook__buf_free(&notes);
		return gmhook__error_set(err, GMHOOK_ENOMEM, MAP, "",
		                         "out of memory");
	}
	snprintf(link, sizeof(link), "calendly:%s", key ? key : "");
	person_of(&person, item->data, s);
	rc = gmhook__record_person(item, &person);
	rc = rc ? rc : gmhook__record_set(item, "title", title, s->title);
	rc = rc ? rc : gmhook__record_set(item, "key", key, s->invitee_key);
	rc = rc ? rc : gmhook__record_set(item, "link", link, NULL);
	gmhook__path_join(start_at, sizeof(start_at), item->pointer, s->start);
	rc = rc ? rc : gmhook__record_set(item, "start_at", start_at, NULL);
	rc = rc ? rc
	        : gmhook__record_set(item, "rescheduled",
	                             is_reschedule(item->data, canceled)
	                                     ? "true"
	                                     : "false",
	                             NULL);
	if (rc == 0 && notes.len) {
		rc = gmhook__record_set(item, "notes", notes.data, NULL);
	}
	if (rc == 0 && start && gmhook__time_parse(start, &t0)) {
		if (!end || !gmhook__time_parse(end, &t1) || t1 < t0) {
			t1 = t0;
		}
		rc = gmhook__record_set_time(item, "start", t0);
		rc = rc ? rc : gmhook__record_set_time(item, "end", t1);
		rc = rc ? rc
		        : gmhook__record_set_int(item, "duration",
		                                 (t1 - t0) / 60);
	}
	rc = rc ? rc : gmhook__record_set_time(item, "when", when);
	gmhook__buf_free(&notes);
	return rc ? gmhook__error_set(err, GMHOOK_ENOMEM, MAP, "",
	                              "out of memory")
	          : 0;
}

/* Calendly suggests refusing signatures older than about 3 minutes. */
#define DEFAULT_TOLERANCE 180

/* Does hex @p v1 match HMAC-SHA256("<t>.<body>") under any secret? */
static bool v1_matches(const struct gmhook__source_config *cfg, const char *t,
                       const struct gmhook_event *event, const char *v1,
                       size_t v1_len)
{
	const void *parts[3] = { t, ".", event->raw };
	size_t lens[3] = { strlen(t), 1, event->raw_len };
	unsigned char mac[64];
	size_t mac_len;
	size_t i;

	for (i = 0; i < cfg->n_secrets; i++) {
		mac_len =
		        gmhook__hmac(GMHOOK__SHA256, cfg->secrets[i].key,
		                     cfg->secrets[i].len, parts, lens, 3, mac);
		if (gmhook__mac_equal_hex(mac, mac_len, v1, v1_len)) {
			return true;
		}
	}
	return false;
}

/*
 * Calendly-Webhook-Signature: t=<unix>,v1=<hex HMAC-SHA256(key,
 * "<t>.<raw body>")>. Several v1 entries may appear; any may match.
 */
static int verify(struct gmhook_ctx *ctx, const struct gmhook_event *event,
                  const struct gmhook__source_config *cfg,
                  struct gmhook_error *err)
{
	static const char header[] = "Calendly-Webhook-Signature";
	const char *value = gmhook__event_header(event, header);
	int64_t tolerance = cfg->tolerance ? cfg->tolerance : DEFAULT_TOLERANCE;
	const char *p;
	char t[24] = "";
	int64_t ts;
	bool match = false;

	(void) ctx;
	if (!value) {
		return gmhook__signature_fail(err, header, "missing");
	}
	for (p = value; *p;) {
		size_t n = strcspn(p, ",");

		while (*p == ' ') {
			p++, n--;
		}
		if (n > 2 && strncmp(p, "t=", 2) == 0 && n - 2 < sizeof(t)) {
			memcpy(t, p + 2, n - 2);
			t[n - 2] = '\0';
		} else if (n > 3 && strncmp(p, "v1=", 3) == 0 && t[0]) {
			match = match ||
			        v1_matches(cfg, t, event, p + 3, n - 3);
		}
		p += n;
		p += *p == ',';
	}
	if (!t[0] || sscanf(t, "%" SCNd64, &ts) != 1) {
		return gmhook__signature_fail(err, header,
		                              "no t= timestamp before v1=");
	}
	if (!match) {
		return gmhook__signature_fail(err, header,
		                              "does not match the body");
	}
	if (llabs((long long) (gmhook__event_received(event) - ts)) >
	    tolerance) {
		return gmhook__signature_fail(
		        err, header, "timestamp is outside the allowed window");
	}
	return 0;
}

const struct gmhook__source gmhook__source_calendly = {
	.name = "calendly",
	.signature =
	        "Calendly-Webhook-Signature t=,v1= HMAC-SHA256 of t.body, 180 s window",
	.actions =
	        "invitee.created -> contact, e-mail, CAL appointment, history APT/BKD; invitee.canceled -> CAL removed, history APT/CXL or RSC",
	.description =
	        "Calendly invitee.created / invitee.canceled (v2 and v1)",
	.label = "Calendly",
	.detect = detect,
	.extract = extract,
	.verify = verify,
	.validate = validate,
	.record = record,
	.mapping = "calendly.json",
};
