/* SPDX-License-Identifier: MIT */
/*
 * Postmark webhooks: one JSON record per delivery, told apart by
 * RecordType. A HardBounce removes the address's e-mail rows, a spam
 * complaint, an Unsubscribe-type bounce and a SubscriptionChange that
 * suppresses sending strip the campaign merge code; each leaves a history
 * row. Postmark signs nothing, so deliveries are guarded by the source's
 * url_token (a ?token= in the URL or HTTP Basic credentials).
 *
 * The module reads an event into a record; the built-in mapping file
 * mappings/campaigns.json turns it into GoldMine actions.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "gmhook-private.h"

#define MAP GMHOOK_STAGE_MAP

enum outcome {
	OUTCOME_NONE = -1,
	OUTCOME_UNSUBSCRIBE,
	OUTCOME_BOUNCE,
	OUTCOME_COMPLAINT,
};

static const char *const record_types[] = {
	"Bounce",
	"SpamComplaint",
	"SubscriptionChange",
	"Delivery",
	"Open",
	"Click",
	"Inbound",
	NULL,
};

static bool str_is(const char *s, const char *value)
{
	return s && strcmp(s, value) == 0;
}

static bool is_record_type(const char *type)
{
	size_t i;

	for (i = 0; type && record_types[i]; i++) {
		if (strcmp(type, record_types[i]) == 0) {
			return true;
		}
	}
	return false;
}

/* The address field: Email on bounces and complaints, Recipient on
 * subscription changes. */
static const char *address_pointer(json_object *data)
{
	return str_is(gmhook__get_str(data, "/RecordType"),
	              "SubscriptionChange")
	               ? "/Recipient"
	               : "/Email";
}

/*
 * Only HardBounce among the bounce types is permanent. A bounce of Type
 * "Unsubscribe" (TypeCode 16) is a list-unsubscribe reply, so it is an
 * unsubscribe; Postmark sends some without an address, which can only be
 * ignored.
 */
static int outcome_of(json_object *data)
{
	const char *record = gmhook__get_str(data, "/RecordType");
	const char *type = gmhook__get_str(data, "/Type");
	json_object *suppress = gmhook__get(data, "/SuppressSending");

	if (str_is(record, "Bounce") && str_is(type, "HardBounce")) {
		return OUTCOME_BOUNCE;
	}
	if (str_is(record, "Bounce") && str_is(type, "Unsubscribe") &&
	    gmhook__get_str(data, "/Email")) {
		return OUTCOME_UNSUBSCRIBE;
	}
	if (str_is(record, "SpamComplaint")) {
		return OUTCOME_COMPLAINT;
	}
	if (str_is(record, "SubscriptionChange") &&
	    json_object_is_type(suppress, json_type_boolean) &&
	    json_object_get_boolean(suppress)) {
		return OUTCOME_UNSUBSCRIBE;
	}
	return OUTCOME_NONE;
}

static int detect(const struct gmhook__delivery *d)
{
	const char *ua = gmhook__header(d->req, "User-Agent");

	if (d->format != GMHOOK__FORMAT_JSON ||
	    !is_record_type(gmhook__get_str(d->body, "/RecordType"))) {
		return 0;
	}
	if (ua && strstr(ua, "Postmark")) {
		return 100;
	}
	return gmhook__get(d->body, "/MessageID") ||
	                       gmhook__get(d->body, "/ServerID")
	               ? 90
	               : 0;
}

static const char *time_pointer(json_object *data)
{
	static const char *const pointers[] = { "/BouncedAt", "/ChangedAt",
		                                "/DeliveredAt", "/ReceivedAt",
		                                NULL };
	size_t i;

	for (i = 0; pointers[i]; i++) {
		if (gmhook__get_str(data, pointers[i])) {
			return pointers[i];
		}
	}
	return NULL;
}

/*
 * Bounces and complaints carry a numeric ID, Postmark's de-duplication
 * key. Subscription changes have none: MessageID + ChangedAt stands in.
 */
static int extract(struct gmhook_ctx *ctx, const struct gmhook__delivery *d,
                   struct gmhook__item *item, struct gmhook_error *err)
{
	const char *record = gmhook__get_str(item->data, "/RecordType");
	json_object *num = gmhook__get(item->data, "/ID");
	const char *msg = gmhook__get_str(item->data, "/MessageID");
	const char *changed = gmhook__get_str(item->data, "/ChangedAt");
	const char *tp = time_pointer(item->data);
	char id[256] = "";
	char iso[32];
	int64_t t;

	(void) ctx;
	(void) d;
	(void) err;
	json_object_object_add(
	        item->meta, "type",
	        json_object_new_string(record ? record : "unknown"));
	if (json_object_is_type(num, json_type_int)) {
		snprintf(id, sizeof(id), "%s:%" PRId64, record ? record : "",
		         json_object_get_int64(num));
	} else if (msg && changed) {
		snprintf(id, sizeof(id), "%s:%s:%s", record ? record : "", msg,
		         changed);
	}
	if (id[0]) {
		json_object_object_add(item->meta, "id",
		                       json_object_new_string(id));
	}
	if (tp && gmhook__time_parse(gmhook__get_str(item->data, tp), &t)) {
		gmhook__time_format_utc(t, iso, sizeof(iso));
		json_object_object_add(item->meta, "time",
		                       json_object_new_string(iso));
	}
	return 0;
}

static int validate(struct gmhook_ctx *ctx, struct gmhook__item *item,
                    struct gmhook_error *err)
{
	const char *tp = time_pointer(item->data);
	int rc;

	(void) ctx;
	if (outcome_of(item->data) == OUTCOME_NONE) {
		return 0;
	}
	rc = gmhook__validate_email(item, address_pointer(item->data), true,
	                            err);
	if (rc == 0 && tp) {
		rc = gmhook__validate_time(item, tp, false, err);
	}
	return rc;
}

static void event_notes(struct gmhook__buf *notes, json_object *data)
{
	static const char *const keys[] = {
		"RecordType",
		"Type",
		"TypeCode",
		"Description",
		"Details",
		"Origin",
		"SuppressionReason",
		"MessageStream",
		"Tag",
		"MessageID",
		NULL,
	};
	size_t i;

	gmhook__buf_adds(notes, "Provider: Postmark\r\n");
	gmhook__buf_addf(notes, "Address: %s\r\n",
	                 gmhook__get_str(data, address_pointer(data)));
	for (i = 0; keys[i]; i++) {
		json_object *v = NULL;

		if (!json_object_object_get_ex(data, keys[i], &v) || !v ||
		    json_object_is_type(v, json_type_null) ||
		    json_object_is_type(v, json_type_object) ||
		    (json_object_is_type(v, json_type_string) &&
		     json_object_get_string_len(v) == 0)) {
			continue;
		}
		gmhook__buf_addf(notes, "%s: %s\r\n", keys[i],
		                 json_object_get_string(v));
	}
}

/* The record campaigns.json maps: outcome, address, when and notes
 * (gmhook__record_suppress); other records leave it empty. */
static int record(struct gmhook_ctx *ctx, struct gmhook__item *item,
                  struct gmhook__plan_builder *pb, struct gmhook_error *err)
{
	int outcome = outcome_of(item->data);
	const char *tp = time_pointer(item->data);
	const char *ap = address_pointer(item->data);
	struct gmhook__buf notes = { 0 };
	int64_t when;
	int rc;

	(void) pb;
	if (outcome == OUTCOME_NONE) {
		return 0;
	}
	if (!tp ||
	    !gmhook__time_parse(gmhook__get_str(item->data, tp), &when)) {
		when = gmhook__now(ctx);
	}
	event_notes(&notes, item->data);
	if (notes.failed) {
		gmhook__buf_free(&notes);
		return gmhook__error_set(err, GMHOOK_ENOMEM, MAP, "",
		                         "out of memory");
	}
	rc = gmhook__record_suppress(item, outcome,
	                             gmhook__get_str(item->data, ap), ap, when,
	                             notes.data, err);
	gmhook__buf_free(&notes);
	return rc;
}

const struct gmhook__source gmhook__source_postmark = {
	.name = "postmark",
	.signature = "none (url_token guard)",
	.actions =
	        "HardBounce -> history BNC + email.remove; SpamComplaint, SubscriptionChange -> history + email.optout",
	.description =
	        "Postmark webhooks (hard bounces, spam complaints, subscription changes)",
	.label = "Postmark",
	.detect = detect,
	.extract = extract,
	.verify = NULL,
	.validate = validate,
	.record = record,
	.mapping = "campaigns.json",
};
