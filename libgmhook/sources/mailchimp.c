/* SPDX-License-Identifier: MIT */
/*
 * Mailchimp audience webhooks: urlencoded bodies with PHP-style bracket
 * keys (type=unsubscribe&fired_at=...&data[email]=...). Mailchimp signs
 * nothing, so deliveries are guarded by the url_token of the source's
 * configuration. An unsubscribe strips the campaign merge code from the
 * address's e-mail rows, a "cleaned" address (hard bounce) loses its rows,
 * and both leave a history row; profile and subscribe change nothing.
 *
 * The module reads an event into a record; the built-in mapping file
 * mappings/campaigns.json turns it into GoldMine actions.
 */
#include <stdio.h>
#include <string.h>

#include "gmhook-private.h"

#define MAP GMHOOK_STAGE_MAP

enum outcome {
	OUTCOME_UNSUBSCRIBE,
	OUTCOME_BOUNCE,
	OUTCOME_COMPLAINT,
};

static const char *const known_types[] = { "subscribe", "unsubscribe",
	                                   "profile",   "upemail",
	                                   "cleaned",   "campaign",
	                                   NULL };

static bool is_known_type(const char *type)
{
	size_t i;

	for (i = 0; type && known_types[i]; i++) {
		if (strcmp(type, known_types[i]) == 0) {
			return true;
		}
	}
	return false;
}

/* Does the event change GoldMine (and so need an address)? */
static bool is_acted_on(const char *type)
{
	return type &&
	       (strcmp(type, "unsubscribe") == 0 ||
	        strcmp(type, "cleaned") == 0 || strcmp(type, "upemail") == 0);
}

static int detect(const struct gmhook__delivery *d)
{
	const char *ua = gmhook__header(d->req, "User-Agent");
	json_object *data = gmhook__get(d->body, "/data");

	if (d->format == GMHOOK__FORMAT_JSON ||
	    !is_known_type(gmhook__get_str(d->body, "/type")) ||
	    !json_object_is_type(data, json_type_object)) {
		return 0;
	}
	if (ua && strstr(ua, "MailChimp")) {
		return 100;
	}
	return 80;
}

/* The address an event is about: data[email], or the new one of an
 * upemail event. */
static const char *address_of(json_object *data)
{
	const char *s = gmhook__get_str(data, "/data/email");

	return s ? s : gmhook__get_str(data, "/data/new_email");
}

/*
 * Mailchimp sends no event id; its documented de-duplication key is the
 * type, the address and fired_at. Without fired_at (profile events) the
 * body digest stands in.
 */
static int extract(struct gmhook_ctx *ctx, const struct gmhook__delivery *d,
                   struct gmhook__item *item, struct gmhook_error *err)
{
	const char *type = gmhook__get_str(item->data, "/type");
	const char *fired = gmhook__get_str(item->data, "/fired_at");
	const char *email = address_of(item->data);
	char id[512];
	char iso[32];
	int64_t t;

	(void) ctx;
	(void) d;
	(void) err;
	json_object_object_add(item->meta, "type",
	                       json_object_new_string(type ? type : "unknown"));
	if (type && fired && email) {
		snprintf(id, sizeof(id), "%s:%s:%s", type, email, fired);
		json_object_object_add(item->meta, "id",
		                       json_object_new_string(id));
	}
	/* fired_at is "YYYY-MM-DD HH:MM:SS" in UTC (not documented). */
	if (fired && gmhook__time_parse(fired, &t)) {
		gmhook__time_format_utc(t, iso, sizeof(iso));
		json_object_object_add(item->meta, "time",
		                       json_object_new_string(iso));
	}
	return 0;
}

static int validate(struct gmhook_ctx *ctx, struct gmhook__item *item,
                    struct gmhook_error *err)
{
	const char *type = gmhook__get_str(item->data, "/type");
	int rc;

	(void) ctx;
	if (!is_acted_on(type)) {
		return 0;
	}
	rc = gmhook__validate_time(item, "/fired_at", false, err);
	if (rc == 0 && strcmp(type, "upemail") == 0) {
		rc = gmhook__validate_email(item, "/data/old_email", true, err);
		if (rc == 0) {
			rc = gmhook__validate_email(item, "/data/new_email",
			                            true, err);
		}
		return rc;
	}
	if (rc == 0) {
		rc = gmhook__validate_email(item, "/data/email", true, err);
	}
	return rc;
}

/* data[reason] is a string, or an array when the key was repeated (the
 * documented unsubscribe sample sends it twice). Joins the values. */
static void add_reasons(struct gmhook__buf *out, json_object *reason)
{
	bool first = true;
	size_t i;

	if (json_object_is_type(reason, json_type_string)) {
		gmhook__buf_adds(out, json_object_get_string(reason));
		return;
	}
	for (i = 0; json_object_is_type(reason, json_type_array) &&
	            i < json_object_array_length(reason);
	     i++) {
		json_object *v = json_object_array_get_idx(reason, i);

		if (!json_object_is_type(v, json_type_string)) {
			continue;
		}
		if (!first) {
			gmhook__buf_adds(out, ", ");
		}
		gmhook__buf_adds(out, json_object_get_string(v));
		first = false;
	}
}

static bool has_reason(json_object *reason, const char *value)
{
	size_t i;

	if (json_object_is_type(reason, json_type_string)) {
		return strcmp(json_object_get_string(reason), value) == 0;
	}
	for (i = 0; json_object_is_type(reason, json_type_array) &&
	            i < json_object_array_length(reason);
	     i++) {
		const char *s = json_object_get_string(
		        json_object_array_get_idx(reason, i));

		if (s && strcmp(s, value) == 0) {
			return true;
		}
	}
	return false;
}

static int64_t event_time(struct gmhook_ctx *ctx, json_object *data)
{
	int64_t t;

	if (!gmhook__time_parse(gmhook__get_str(data, "/fired_at"), &t)) {
		t = gmhook__now(ctx);
	}
	return t;
}

static void common_notes(struct gmhook__buf *notes, json_object *data,
                         const char *address)
{
	const char *action = gmhook__get_str(data, "/data/action");
	const char *list = gmhook__get_str(data, "/data/list_id");
	const char *campaign = gmhook__get_str(data, "/data/campaign_id");
	json_object *reason = gmhook__get(data, "/data/reason");

	gmhook__buf_adds(notes, "Provider: Mailchimp\r\n");
	gmhook__buf_addf(notes, "Address: %s\r\n", address);
	if (reason) {
		gmhook__buf_adds(notes, "Reason: ");
		add_reasons(notes, reason);
		gmhook__buf_adds(notes, "\r\n");
	}
	if (action) {
		gmhook__buf_addf(notes, "Action: %s\r\n",
		                 strcmp(action, "delete") == 0
		                         ? "delete (archived from the audience)"
		                         : action);
	}
	if (list) {
		gmhook__buf_addf(notes, "Audience: %s\r\n", list);
	}
	if (campaign) {
		gmhook__buf_addf(notes, "Campaign: %s\r\n", campaign);
	}
}

/* upemail: the old and new address and the notes; the mapping finds the
 * contact by the old address and adds the new one to it. */
static int record_upemail(struct gmhook__item *item, int64_t when,
                          struct gmhook_error *err)
{
	const char *old_email = gmhook__get_str(item->data, "/data/old_email");
	const char *new_email = gmhook__get_str(item->data, "/data/new_email");
	struct gmhook__buf notes = { 0 };
	int rc;

	gmhook__buf_addf(
	        &notes,
	        "Provider: Mailchimp\r\nOld address: %s\r\nNew address: %s\r\n",
	        old_email, new_email);
	rc = notes.failed ? -1 : 0;
	rc = rc ? rc
	        : gmhook__record_set(item, "old_email", old_email,
	                             "/data/old_email");
	rc = rc ? rc
	        : gmhook__record_set(item, "new_email", new_email,
	                             "/data/new_email");
	rc = rc ? rc : gmhook__record_set_time(item, "when", when);
	rc = rc ? rc : gmhook__record_set(item, "notes", notes.data, NULL);
	gmhook__buf_free(&notes);
	return rc ? gmhook__error_set(err, GMHOOK_ENOMEM, MAP, "",
	                              "out of memory")
	          : 0;
}

/*
 * The record campaigns.json maps: outcome ("unsubscribe", "bounce" or
 * "spam"), address, when and notes (gmhook__record_suppress); for upemail
 * old_email, new_email, when and notes. Other events leave it empty.
 */
static int record(struct gmhook_ctx *ctx, struct gmhook__item *item,
                  struct gmhook__plan_builder *pb, struct gmhook_error *err)
{
	const char *type = gmhook__get_str(item->data, "/type");
	const char *address = gmhook__get_str(item->data, "/data/email");
	json_object *reason = gmhook__get(item->data, "/data/reason");
	struct gmhook__buf notes = { 0 };
	int outcome;
	int64_t when;
	int rc;

	(void) pb;
	if (!is_acted_on(type)) {
		return 0;
	}
	when = event_time(ctx, item->data);
	if (strcmp(type, "upemail") == 0) {
		return record_upemail(item, when, err);
	}
	/* cleaned: "hard" is a hard bounce, "abuse" a spam complaint. An
	 * unsubscribe with reason "abuse" came from a complaint too. */
	if (has_reason(reason, "abuse") && !has_reason(reason, "hard")) {
		outcome = OUTCOME_COMPLAINT;
	} else if (strcmp(type, "cleaned") == 0) {
		outcome = OUTCOME_BOUNCE;
	} else {
		outcome = OUTCOME_UNSUBSCRIBE;
	}
	common_notes(&notes, item->data, address);
	if (notes.failed) {
		gmhook__buf_free(&notes);
		return gmhook__error_set(err, GMHOOK_ENOMEM, MAP, "",
		                         "out of memory");
	}
	rc = gmhook__record_suppress(item, outcome, address, "/data/email",
	                             when, notes.data, err);
	gmhook__buf_free(&notes);
	return rc;
}

const struct gmhook__source gmhook__source_mailchimp = {
	.name = "mailchimp",
	.signature = "none (url_token guard)",
	.actions =
	        "unsubscribe -> history + email.optout; cleaned -> history BNC + email.remove; upemail -> history CHG + email.add",
	.description =
	        "Mailchimp audience webhooks (unsubscribe, cleaned, upemail)",
	.label = "Mailchimp",
	.detect = detect,
	.extract = extract,
	.verify = NULL,
	.validate = validate,
	.record = record,
	.mapping = "campaigns.json",
};
