/* SPDX-License-Identifier: MIT */
/*
 * Stage 3, map: a validated event becomes a plan, an ordered list of
 * GoldMine actions per event (contact.upsert, email.add, history.add,
 * calendar.schedule, calendar.cancel, note.add). The source module decides
 * the actions; this file holds the plan builder that cuts every value to
 * its GoldMine column and records each cut as a warning.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gmhook-private.h"

#define MAP GMHOOK_STAGE_MAP

struct gmhook__plan_builder {
	struct gmhook_ctx *ctx;
	json_object *event; /* the plan's entry for the current event */
	json_object *actions;
	json_object *warnings;
	bool signature_verified; /* by gmhook_validate() in this process */
};

size_t gmhook__plan_action_count(struct gmhook__plan_builder *pb)
{
	return json_object_array_length(pb->actions);
}

json_object *gmhook__plan_action(struct gmhook__plan_builder *pb,
                                 const char *name)
{
	json_object *action = json_object_new_object();

	if (!action) {
		return NULL;
	}
	json_object_object_add(action, "action", json_object_new_string(name));
	json_object_array_add(pb->actions, action); /* steals action */
	return action;
}

void gmhook__plan_warn(struct gmhook__plan_builder *pb, const char *fmt, ...)
{
	char message[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(message, sizeof(message), fmt, ap);
	va_end(ap);
	json_object_array_add(pb->warnings, json_object_new_string(message));
	log_warn(pb->ctx, "%s", message);
}

void gmhook__plan_ignore(struct gmhook__plan_builder *pb, const char *reason)
{
	json_object_object_add(pb->event, "status",
	                       json_object_new_string("ignored"));
	json_object_object_add(pb->event, "reason",
	                       json_object_new_string(reason));
}

bool gmhook__plan_signature_verified(struct gmhook__plan_builder *pb)
{
	return pb->signature_verified;
}

void gmhook__plan_confirm(struct gmhook__plan_builder *pb, const char *url,
                          const char *topic)
{
	json_object_object_add(pb->event, "status",
	                       json_object_new_string("confirm"));
	json_object_object_add(pb->event, "subscribe_url",
	                       json_object_new_string(url));
	if (topic) {
		json_object_object_add(pb->event, "topic_arn",
		                       json_object_new_string(topic));
	}
}

int gmhook__plan_set(struct gmhook__plan_builder *pb, json_object *obj,
                     const char *key, const char *value, size_t max,
                     const char *column, const char *source_path,
                     struct gmhook_error *err)
{
	size_t chars;
	size_t cut;

	if (!value) {
		return 0;
	}
	chars = gmhook__utf8_chars(value);
	if (max == 0 || chars <= max) {
		json_object_object_add(obj, key, json_object_new_string(value));
		return 0;
	}
	if (pb->ctx->opts.overflow == GMHOOK_OVERFLOW_REJECT) {
		return gmhook__error_set(err, GMHOOK_EVALIDATE, MAP,
		                         source_path ? source_path : "",
		                         "%zu characters do not fit %s (%zu)",
		                         chars, column, max);
	}
	cut = gmhook__utf8_prefix(value, max);
	json_object_object_add(obj, key,
	                       json_object_new_string_len(value, (int) cut));
	gmhook__plan_warn(pb, "%s: %s cut from %zu to %zu characters to fit %s",
	                  source_path && source_path[0] ? source_path : "/",
	                  key, chars, max, column);
	return 0;
}

static json_object *plan_event_new(json_object *meta)
{
	json_object *entry = json_object_new_object();
	static const char *const keys[] = { "type", "id", "time", "pointer" };
	size_t i;

	if (!entry) {
		return NULL;
	}
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		json_object *v = NULL;

		if (json_object_object_get_ex(meta, keys[i], &v) && v) {
			/* The plan takes its own reference. */
			json_object_object_add(entry, keys[i],
			                       json_object_get(v));
		}
	}
	json_object_object_add(entry, "status", json_object_new_string("ok"));
	return entry;
}

/* The plan's "rule" entry under --explain: who decided the actions. */
static void explain_rule(json_object *event, const struct gmhook__rule *site,
                         const struct gmhook__rule *builtin)
{
	const char *who = "built-in";

	if (site && gmhook__rule_mode(site) != GMHOOK__RULE_EXTEND) {
		who = "site mapping";
	} else if (site) {
		who = "built-in and site mapping";
	} else if (builtin) {
		who = "built-in mapping file";
	}
	json_object_object_add(event, "rule", json_object_new_string(who));
}

/* The built-in part: the source's C mapping, or the rule of its built-in
 * mapping file that matches the record. */
static int map_builtin(struct gmhook_ctx *ctx, const struct gmhook__source *src,
                       struct gmhook__item *item,
                       const struct gmhook__rule *builtin, const char *type,
                       struct gmhook__plan_builder *pb, json_object *explain,
                       struct gmhook_error *err)
{
	const char *ignore = gmhook__get_str(item->record, "/ignore");
	char reason[160];

	if (!src->record) {
		return src->map(ctx, item, pb, err);
	}
	if (ignore) {
		gmhook__plan_ignore(pb, ignore);
		return 0;
	}
	if (!builtin) {
		snprintf(reason, sizeof(reason),
		         "no mapping for %s event type '%s'", src->name, type);
		gmhook__plan_ignore(pb, reason);
		return 0;
	}
	if (gmhook__rule_mode(builtin) == GMHOOK__RULE_IGNORE) {
		gmhook__plan_ignore(pb, gmhook__rule_reason(builtin));
		return 0;
	}
	return gmhook__rule_apply(builtin, pb, item, explain, err);
}

/*
 * A site rule for the event, if any, replaces the source's built-in
 * actions, extends them, or ignores the event; without one the built-in
 * mapping runs alone. A source with a record first reads the event's
 * values into it; its built-in mapping is then the first matching rule
 * of its built-in mapping file. With the explain option every field a
 * rule sets is listed in the plan with the rule, the pointer or record
 * key read, the transforms and the value.
 */
static int map_with_rules(struct gmhook_ctx *ctx,
                          const struct gmhook__source *src,
                          struct gmhook__item *item,
                          struct gmhook__plan_builder *pb,
                          struct gmhook_error *err)
{
	const char *type = gmhook__get_str(item->meta, "/type");
	const struct gmhook__mappings *builtins = NULL;
	const struct gmhook__rule *builtin = NULL;
	const struct gmhook__rule *rule;
	json_object *explain = NULL;
	int rc = 0;

	type = type ? type : "";
	if (src->record) {
		builtins = gmhook__builtin(ctx, src->mapping, err);
		if (!builtins) {
			return -1;
		}
		item->record = json_object_new_object();
		if (!item->record) {
			return gmhook__error_set(err, GMHOOK_ENOMEM, MAP, "",
			                         "out of memory");
		}
		rc = src->record(ctx, item, pb, err);
		if (rc < 0) {
			return rc;
		}
		builtin = gmhook__mappings_match(builtins, src->name, type,
		                                 item->data, item->record);
	}
	rule = gmhook__mappings_match(ctx->mappings, src->name, type,
	                              item->data, item->record);
	if (ctx->opts.explain) {
		explain = json_object_new_array();
		json_object_object_add(pb->event, "explain", explain);
		explain_rule(pb->event, rule, builtin);
		if (item->record) {
			json_object_object_add(pb->event, "record",
			                       json_object_get(item->record));
		}
	}
	if (rule && gmhook__rule_mode(rule) == GMHOOK__RULE_IGNORE) {
		gmhook__plan_ignore(pb, gmhook__rule_reason(rule));
		return 0;
	}
	/* The generic source has no built-in actions to extend. */
	if (!rule || (gmhook__rule_mode(rule) == GMHOOK__RULE_EXTEND &&
	              strcmp(src->name, "generic") != 0)) {
		rc = map_builtin(ctx, src, item, builtin, type, pb, explain,
		                 err);
	}
	if (rc == 0 && rule) {
		rc = gmhook__rule_apply(rule, pb, item, explain, err);
	}
	return rc;
}

static int map_one(struct gmhook_ctx *ctx, const struct gmhook__source *src,
                   json_object *body, json_object *meta, bool verified,
                   json_object *out_events, struct gmhook_error *err)
{
	struct gmhook__plan_builder pb = { ctx, NULL, NULL, NULL, verified };
	struct gmhook__item item;
	int rc;

	pb.event = plan_event_new(meta);
	pb.actions = json_object_new_array();
	pb.warnings = json_object_new_array();
	if (!pb.event || !pb.actions || !pb.warnings) {
		json_object_put(pb.event);
		json_object_put(pb.actions);
		json_object_put(pb.warnings);
		return gmhook__error_set(err, GMHOOK_ENOMEM, MAP, "",
		                         "out of memory");
	}
	json_object_object_add(pb.event, "actions", pb.actions);
	json_object_object_add(pb.event, "warnings", pb.warnings);
	json_object_array_add(out_events, pb.event); /* steals the entry */
	item.pointer = gmhook__get_str(meta, "/pointer");
	item.data = gmhook__get(body, item.pointer);
	item.meta = meta;
	item.record = NULL;
	item.label = src->label;
	rc = map_with_rules(ctx, src, &item, &pb, err);
	json_object_put(item.record);
	return rc;
}

GMHOOK_API int gmhook_map(struct gmhook_plan **out, struct gmhook_ctx *ctx,
                          const struct gmhook_event *event,
                          struct gmhook_error *err)
{
	const struct gmhook__source *src;
	struct gmhook_plan *plan = NULL;
	json_object *doc = NULL;
	json_object *events;
	json_object *in_events;
	const char *unchecked;
	const char *received;
	size_t i;
	int rc = 0;

	if (!out || !ctx || !event) {
		return gmhook__error_set(err, GMHOOK_EINVAL, MAP, "",
		                         "out, ctx and event must not be NULL");
	}
	if (!event->validated) {
		return gmhook__error_set(err, GMHOOK_EINVAL, MAP, "",
		                         "the event has not been validated");
	}
	src = gmhook__source_find(gmhook_event_source(event));
	if (!src) {
		return gmhook__error_set(err, GMHOOK_ESOURCE, MAP, "/source",
		                         "unknown source '%s'",
		                         gmhook_event_source(event));
	}
	doc = json_object_new_object();
	events = json_object_new_array();
	plan = calloc(1, sizeof(*plan));
	if (!doc || !events || !plan) {
		json_object_put(events);
		rc = gmhook__error_set(err, GMHOOK_ENOMEM, MAP, "",
		                       "out of memory");
		goto out;
	}
	json_object_object_add(doc, "gmhook", json_object_new_string("plan"));
	json_object_object_add(doc, "version", json_object_new_int(1));
	json_object_object_add(doc, "source",
	                       json_object_new_string(src->name));
	json_object_object_add(
	        doc, "received",
	        json_object_get(gmhook__get(event->doc, "/received")));
	json_object_object_add(doc, "events", events); /* steals events */
	in_events = gmhook__get(event->doc, "/events");
	unchecked = gmhook__get_str(event->doc, "/signature");
	if (unchecked && strncmp(unchecked, "not checked", 11) == 0) {
		/* Commit repeats it in the result: the delivery was accepted
		 * without proof of who sent it. */
		json_object_object_add(doc, "signature",
		                       json_object_new_string(unchecked));
	}
	received = gmhook__get_str(event->doc, "/received");
	if (!received || !gmhook__time_parse(received, &ctx->map_now)) {
		ctx->map_now = 0;
	}
	/* validate() sets "verified" only after checking the signature,
	 * and its check runs again on an event read from JSON. */
	plan->signature_verified =
	        unchecked && strcmp(unchecked, "verified") == 0;
	for (i = 0; i < json_object_array_length(in_events); i++) {
		rc = map_one(ctx, src, gmhook__get(event->doc, "/body"),
		             json_object_array_get_idx(in_events, i),
		             plan->signature_verified, events, err);
		if (rc < 0) {
			break;
		}
	}
	ctx->map_now = 0;
	if (rc < 0) {
		goto out;
	}
	plan->doc = doc;
	doc = NULL;
	*out = plan;
	plan = NULL;
out:
	json_object_put(doc);
	free(plan);
	return rc;
}

void gmhook__plan_set_when(json_object *obj, const char *date_key,
                           const char *time_key, int64_t t)
{
	struct tm tm;
	char buf[16];

	gmhook__time_local(t, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%d", &tm);
	json_object_object_add(obj, date_key, json_object_new_string(buf));
	if (time_key) {
		strftime(buf, sizeof(buf), "%H:%M", &tm);
		json_object_object_add(obj, time_key,
		                       json_object_new_string(buf));
	}
}

/* The last word of a full name, for LASTNAME when no last name is given;
 * NULL for a one-word name. */
static const char *last_word(const char *name, char *buf, size_t size)
{
	const char *end = name + strlen(name);
	const char *start;

	while (end > name && end[-1] == ' ') {
		end--;
	}
	start = end;
	while (start > name && start[-1] != ' ') {
		start--;
	}
	if (start == name || end == start) {
		return NULL;
	}
	snprintf(buf, size, "%.*s", (int) (end - start), start);
	return buf;
}

static void full_path(char *buf, size_t size, const struct gmhook__item *item,
                      const char *pointer)
{
	gmhook__path_join(buf, size, item->pointer, pointer ? pointer : "");
}

static int person_contact1(struct gmhook__plan_builder *pb,
                           const struct gmhook__item *item,
                           const struct gmhook__person *p, json_object *c1,
                           struct gmhook_error *err)
{
	char name[512];
	char last[256];
	char path[256];
	const char *full = p->name;
	const char *lastname = p->last;
	int rc;

	if ((!full || !full[0]) && (p->first || p->last)) {
		snprintf(name, sizeof(name), "%s%s%s", p->first ? p->first : "",
		         p->first && p->last ? " " : "",
		         p->last ? p->last : "");
		full = name;
	}
	const char *last_path = p->last_path;

	if ((!lastname || !lastname[0]) && full) {
		lastname = last_word(full, last, sizeof(last));
		last_path = p->name ? p->name_path : p->last_path;
	}
	full_path(path, sizeof(path), item, p->name_path);
	rc = gmhook__plan_set(pb, c1, "CONTACT", full && full[0] ? full : NULL,
	                      40, "CONTACT1.CONTACT", path, err);
	full_path(path, sizeof(path), item, last_path);
	if (rc == 0) {
		rc = gmhook__plan_set(pb, c1, "LASTNAME", lastname, 15,
		                      "CONTACT1.LASTNAME", path, err);
	}
	full_path(path, sizeof(path), item, p->phone_path);
	if (rc == 0 && p->phone && p->phone[0]) {
		rc = gmhook__plan_set(pb, c1, "PHONE1", p->phone, 25,
		                      "CONTACT1.PHONE1", path, err);
	}
	full_path(path, sizeof(path), item, p->company_path);
	if (rc == 0 && p->company && p->company[0]) {
		rc = gmhook__plan_set(pb, c1, "COMPANY", p->company, 40,
		                      "CONTACT1.COMPANY", path, err);
	}
	return rc;
}

int gmhook__plan_person(struct gmhook__plan_builder *pb,
                        const struct gmhook__item *item,
                        const struct gmhook__person *p, const char *label,
                        struct gmhook_error *err)
{
	json_object *upsert = gmhook__plan_action(pb, "contact.upsert");
	json_object *match = json_object_new_object();
	json_object *c1 = json_object_new_object();
	json_object *email;
	const char *source =
	        pb->ctx->source_label ? pb->ctx->source_label : label;
	int rc;

	if (!upsert || !match || !c1) {
		json_object_put(match);
		json_object_put(c1);
		return gmhook__error_set(err, GMHOOK_ENOMEM, MAP, "",
		                         "out of memory");
	}
	json_object_object_add(upsert, "match", match);
	json_object_object_add(upsert,
	                       p->new_only ? "contact1_new" : "contact1", c1);
	if (p->email) {
		json_object_object_add(match, "email",
		                       json_object_new_string(p->email));
	} else if (p->phone) {
		json_object_object_add(match, "phone",
		                       json_object_new_string(p->phone));
	} else {
		return gmhook__error_set(
		        err, GMHOOK_EMAP, MAP, item->pointer,
		        "the event names no e-mail address or phone number");
	}
	rc = person_contact1(pb, item, p, c1, err);
	if (rc < 0) {
		return rc;
	}
	/* SOURCE is only written on new contacts (commit knows). */
	json_object_object_add(upsert, "source",
	                       json_object_new_string(source));
	if (!p->email) {
		return 0;
	}
	email = gmhook__plan_action(pb, "email.add");
	if (!email) {
		return gmhook__error_set(err, GMHOOK_ENOMEM, MAP, "",
		                         "out of memory");
	}
	json_object_object_add(email, "address",
	                       json_object_new_string(p->email));
	json_object_object_add(email, "primary", json_object_new_boolean(1));
	return 0;
}

struct gmhook_ctx *gmhook__plan_ctx(struct gmhook__plan_builder *pb)
{
	return pb->ctx;
}

int gmhook__plan_history(struct gmhook__plan_builder *pb, const char *rectype,
                         const char *actvcode, const char *resultcode,
                         int64_t when, const char *ref, const char *notes,
                         json_object **out, struct gmhook_error *err)
{
	json_object *h = gmhook__plan_action(pb, "history.add");

	if (!h) {
		return gmhook__error_set(err, GMHOOK_ENOMEM, MAP, "",
		                         "out of memory");
	}
	json_object_object_add(h, "rectype", json_object_new_string(rectype));
	json_object_object_add(
	        h, "actvcode",
	        json_object_new_string(actvcode ? actvcode : ""));
	json_object_object_add(
	        h, "resultcode",
	        json_object_new_string(resultcode ? resultcode : ""));
	gmhook__plan_set_when(h, "ondate", "ontime", when);
	if (notes && notes[0]) {
		json_object_object_add(h, "notes",
		                       json_object_new_string(notes));
	}
	if (out) {
		*out = h;
	}
	return gmhook__plan_set(pb, h, "ref", ref ? ref : "", 65,
	                        "CONTHIST.REF", NULL, err);
}

int gmhook__plan_find(struct gmhook__plan_builder *pb, const char *email,
                      const char *phone, struct gmhook_error *err)
{
	json_object *find = gmhook__plan_action(pb, "contact.find");
	json_object *match = json_object_new_object();

	if (!find || !match) {
		json_object_put(match);
		return gmhook__error_set(err, GMHOOK_ENOMEM, MAP, "",
		                         "out of memory");
	}
	if (email) {
		json_object_object_add(match, "email",
		                       json_object_new_string(email));
	} else if (phone) {
		json_object_object_add(match, "phone",
		                       json_object_new_string(phone));
	}
	json_object_object_add(find, "match", match);
	return 0;
}

int gmhook__record_suppress(struct gmhook__item *item, int outcome,
                            const char *address, const char *from, int64_t when,
                            const char *notes, struct gmhook_error *err)
{
	static const char *const names[] = { "unsubscribe", "bounce", "spam" };
	int rc;

	if (outcome < 0 || outcome > 2 || !address) {
		return gmhook__error_set(err, GMHOOK_EMAP, MAP, "",
		                         "no address to unsubscribe or remove");
	}
	rc = gmhook__record_set(item, "outcome", names[outcome], NULL);
	rc = rc ? rc : gmhook__record_set(item, "address", address, from);
	rc = rc ? rc : gmhook__record_set_time(item, "when", when);
	if (rc == 0 && notes && notes[0]) {
		rc = gmhook__record_set(item, "notes", notes, NULL);
	}
	return rc ? gmhook__error_set(err, GMHOOK_ENOMEM, MAP, "",
	                              "out of memory")
	          : 0;
}

/* ==== Records for built-in mapping files ==== */

int gmhook__record_set(struct gmhook__item *item, const char *key,
                       const char *value, const char *from)
{
	json_object *v;
	json_object *f = NULL;

	if (!value) {
		return 0;
	}
	v = json_object_new_string(value);
	if (!v || json_object_object_add(item->record, key, v) != 0) {
		return -1;
	}
	if (!from) {
		return 0;
	}
	if (!json_object_object_get_ex(item->record, "_from", &f)) {
		f = json_object_new_object();
		if (!f || json_object_object_add(item->record, "_from", f)) {
			return -1;
		}
	}
	return json_object_object_add(f, key, json_object_new_string(from));
}

int gmhook__record_set_time(struct gmhook__item *item, const char *key,
                            int64_t t)
{
	char iso[32];

	gmhook__time_format_utc(t, iso, sizeof(iso));
	return gmhook__record_set(item, key, iso, NULL);
}

int gmhook__record_set_int(struct gmhook__item *item, const char *key,
                           int64_t value)
{
	char text[24];

	snprintf(text, sizeof(text), "%" PRId64, value);
	return gmhook__record_set(item, key, text, NULL);
}

int gmhook__record_ignore(struct gmhook__item *item, const char *reason)
{
	return gmhook__record_set(item, "ignore", reason, NULL);
}

int gmhook__record_person(struct gmhook__item *item,
                          const struct gmhook__person *p)
{
	char name[512];
	char last[256];
	const char *full = p->name;
	const char *full_from = p->name_path;
	const char *lastname = p->last;
	const char *last_from = p->last_path;
	int rc;

	if ((!full || !full[0]) && (p->first || p->last)) {
		snprintf(name, sizeof(name), "%s%s%s", p->first ? p->first : "",
		         p->first && p->last ? " " : "",
		         p->last ? p->last : "");
		full = name;
	}
	/* Cut-value warnings name the field the value came from. */
	if ((!lastname || !lastname[0]) && full) {
		lastname = last_word(full, last, sizeof(last));
		last_from = p->name ? p->name_path : p->last_path;
	}
	rc = gmhook__record_set(item, "email", p->email, NULL);
	if (rc == 0) {
		rc = gmhook__record_set(item, "contact",
		                        full && full[0] ? full : NULL,
		                        full_from);
	}
	if (rc == 0) {
		rc = gmhook__record_set(item, "lastname", lastname, last_from);
	}
	if (rc == 0 && p->phone && p->phone[0]) {
		rc = gmhook__record_set(item, "phone", p->phone, p->phone_path);
	}
	if (rc == 0 && p->company && p->company[0]) {
		rc = gmhook__record_set(item, "company", p->company,
		                        p->company_path);
	}
	if (rc == 0 && p->new_only) {
		rc = gmhook__record_set(item, "new_only", "true", NULL);
	}
	return rc;
}
