/* SPDX-License-Identifier: MIT */
/*
 * WooCommerce: the order.created webhook (the REST API order resource,
 * topic in X-WC-Webhook-Topic) and the ping WooCommerce sends when a
 * webhook is saved, a form body "webhook_id=N" with no signature that
 * must be answered 2xx; it is ignored. The delivery id changes on every
 * attempt, so the order id plus date_modified_gmt is the event id.
 * X-WC-Webhook-Signature is checked over the raw body; an order becomes a
 * record of its billing details and sale (see order.c), mapped by
 * libgmhook/mappings/orders.json.
 */
#include <stdio.h>
#include <string.h>

#include "order.h"

#define VALIDATE GMHOOK_STAGE_VALIDATE

static const char ping_type[] = "webhook.ping";

/* The ping: a form whose only field is webhook_id. */
static bool is_ping(int format, json_object *body)
{
	return format == GMHOOK__FORMAT_FORM &&
	       json_object_is_type(body, json_type_object) &&
	       json_object_object_length(body) == 1 &&
	       gmhook__get_str(body, "/webhook_id");
}

static int detect(const struct gmhook__delivery *d)
{
	const char *agent = gmhook__header(d->req, "User-Agent");
	const char *key;

	if (gmhook__header(d->req, "X-WC-Webhook-Topic") ||
	    gmhook__header(d->req, "X-WC-Webhook-Signature") ||
	    (agent && strstr(agent, "WooCommerce"))) {
		return 100;
	}
	if (is_ping(d->format, d->body)) {
		return 60;
	}
	if (d->format != GMHOOK__FORMAT_JSON) {
		return 0;
	}
	key = gmhook__get_str(d->body, "/order_key");
	if (key && strncmp(key, "wc_order_", 9) == 0) {
		return 80;
	}
	return 0;
}

static void add_string(json_object *meta, const char *key, const char *value)
{
	json_object_object_add(meta, key, json_object_new_string(value));
}

/*
 * Without X-WC-Webhook-Topic (a body saved and replayed by hand) the
 * order is taken as order.created and record says so in a warning.
 */
static int extract(struct gmhook_ctx *ctx, const struct gmhook__delivery *d,
                   struct gmhook__item *item, struct gmhook_error *err)
{
	const char *topic = gmhook__header(d->req, "X-WC-Webhook-Topic");
	const char *id = gmhook__order_text(item->data, "/id");
	const char *modified =
	        gmhook__get_str(item->data, "/date_modified_gmt");
	const char *created = gmhook__get_str(item->data, "/date_created_gmt");
	char key[256];
	char iso[32];
	int64_t t;

	(void) ctx;
	(void) err;
	if (is_ping(d->format, item->data)) {
		add_string(item->meta, "type", ping_type);
		snprintf(key, sizeof(key), "ping:%s",
		         gmhook__get_str(item->data, "/webhook_id"));
		add_string(item->meta, "id", key);
		return 0;
	}
	if (!topic) {
		topic = "order.created";
		json_object_object_add(item->meta, "topic_assumed",
		                       json_object_new_boolean(1));
	}
	add_string(item->meta, "type", topic);
	if (id) {
		snprintf(key, sizeof(key), "%s:%s:%s", topic, id,
		         modified ? modified : "");
		add_string(item->meta, "id", key);
	}
	/* The *_gmt dates carry no zone; they are UTC. */
	if (created && gmhook__time_parse(created, &t)) {
		gmhook__time_format_utc(t, iso, sizeof(iso));
		add_string(item->meta, "time", iso);
	}
	return 0;
}

/*
 * X-WC-Webhook-Signature: base64 HMAC-SHA256 of the raw body, keyed with
 * the webhook's secret as WooCommerce stores it (wp_specialchars_decode:
 * "&amp;" in the admin screen is "&"). The ping is never signed and is
 * let through: it is ignored, so nothing is written for it.
 */
static int verify(struct gmhook_ctx *ctx, const struct gmhook_event *event,
                  const struct gmhook__source_config *cfg,
                  struct gmhook_error *err)
{
	static const char header[] = "X-WC-Webhook-Signature";
	const char *value = gmhook__event_header(event, header);
	const char *format = gmhook__get_str(event->doc, "/format");
	const void *parts[1] = { event->raw };
	size_t lens[1] = { event->raw_len };
	unsigned char mac[64];
	size_t mac_len;
	size_t i;

	(void) ctx;
	if (format && strcmp(format, "form") == 0 &&
	    is_ping(GMHOOK__FORMAT_FORM, gmhook__get(event->doc, "/body"))) {
		return 0;
	}
	if (!value || !value[0]) {
		return gmhook__signature_fail(err, header, "missing");
	}
	for (i = 0; i < cfg->n_secrets; i++) {
		mac_len =
		        gmhook__hmac(GMHOOK__SHA256, cfg->secrets[i].key,
		                     cfg->secrets[i].len, parts, lens, 1, mac);
		if (gmhook__mac_equal_base64(mac, mac_len, value,
		                             strlen(value))) {
			return 0;
		}
	}
	return gmhook__signature_fail(err, header, "does not match the body");
}

static bool is_order_created(const char *type)
{
	return type && strcmp(type, "order.created") == 0;
}

static int validate(struct gmhook_ctx *ctx, struct gmhook__item *item,
                    struct gmhook_error *err)
{
	const char *type = gmhook__get_str(item->meta, "/type");
	char path[256];
	int rc;

	(void) ctx;
	if (!is_order_created(type)) {
		return 0;
	}
	if (!gmhook__order_text(item->data, "/id")) {
		gmhook__path_join(path, sizeof(path), item->pointer, "/id");
		return gmhook__error_set(err, GMHOOK_EVALIDATE, VALIDATE, path,
		                         "an order id is required");
	}
	if (!gmhook__order_amount_valid(
	            gmhook__get_str(item->data, "/total"))) {
		gmhook__path_join(path, sizeof(path), item->pointer, "/total");
		return gmhook__error_set(
		        err, GMHOOK_EVALIDATE, VALIDATE, path,
		        "the order total must be a decimal amount as a string, such as \"123.45\"");
	}
	rc = gmhook__validate_email(item, "/billing/email", false, err);
	if (rc == 0) {
		rc = gmhook__validate_time(item, "/date_created_gmt", false,
		                           err);
	}
	return rc;
}

static const char *nonempty(const char *s)
{
	return s && s[0] ? s : NULL;
}

static void person_of(struct gmhook__person *p, json_object *data)
{
	p->email = nonempty(gmhook__get_str(data, "/billing/email"));
	p->first = nonempty(gmhook__get_str(data, "/billing/first_name"));
	p->last = nonempty(gmhook__get_str(data, "/billing/last_name"));
	p->last_path = "/billing/last_name";
	p->name_path = "/billing/first_name";
	p->phone = nonempty(gmhook__get_str(data, "/billing/phone"));
	p->phone_path = "/billing/phone";
	p->company = nonempty(gmhook__get_str(data, "/billing/company"));
	p->company_path = "/billing/company";
}

static void add_lines(struct gmhook__buf *notes, json_object *data)
{
	json_object *items = gmhook__get(data, "/line_items");
	size_t i;

	if (!json_object_is_type(items, json_type_array)) {
		return;
	}
	for (i = 0; i < json_object_array_length(items); i++) {
		json_object *it = json_object_array_get_idx(items, i);
		const char *name = gmhook__get_str(it, "/name");
		const char *qty = gmhook__order_text(it, "/quantity");
		const char *total = gmhook__get_str(it, "/total");
		const char *sku = nonempty(gmhook__get_str(it, "/sku"));

		gmhook__buf_addf(notes, "%s x %s", qty ? qty : "1",
		                 name ? name : "(item)");
		if (sku) {
			gmhook__buf_addf(notes, " [%s]", sku);
		}
		if (total) {
			gmhook__buf_addf(notes, " = %s", total);
		}
		gmhook__buf_adds(notes, "\r\n");
	}
}

static void add_summary(struct gmhook__buf *notes, json_object *data)
{
	static const struct {
		const char *label;
		const char *pointer;
	} lines[] = {
		{ "Shipping", "/shipping_total" },
		{ "Discounts", "/discount_total" },
		{ "Tax", "/total_tax" },
		{ "Status", "/status" },
		{ "Payment", "/payment_method_title" },
		{ "Transaction", "/transaction_id" },
		{ "Customer note", "/customer_note" },
	};

	const char *currency = gmhook__get_str(data, "/currency");
	size_t i;

	gmhook__buf_addf(notes, "Total: %s %s\r\n",
	                 gmhook__get_str(data, "/total"),
	                 currency ? currency : "");
	add_lines(notes, data);
	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		const char *v =
		        nonempty(gmhook__get_str(data, lines[i].pointer));

		if (v) {
			gmhook__buf_addf(notes, "%s: %s\r\n", lines[i].label,
			                 v);
		}
	}
}

static int64_t order_time(struct gmhook_ctx *ctx, json_object *data)
{
	int64_t t;

	if (gmhook__time_parse(gmhook__get_str(data, "/date_created_gmt"),
	                       &t)) {
		return t;
	}
	return gmhook__now(ctx);
}

static int record_order(struct gmhook_ctx *ctx, struct gmhook__item *item,
                        struct gmhook__plan_builder *pb,
                        struct gmhook_error *err)
{
	static const char *const address_rel[GMHOOK__ORDER_N_ADDRESS] = {
		"/address_1", "/address_2", "/city",
		"/state",     "/postcode",  "/country",
	};
	const char *number = gmhook__order_text(item->data, "/number");
	struct gmhook__order o = { 0 };
	struct gmhook__buf notes = { 0 };
	char number_buf[64];
	char units[24];
	int rc;

	person_of(&o.person, item->data);
	gmhook__order_address_from(&o, item->data, "/billing", address_rel);
	snprintf(number_buf, sizeof(number_buf), "#%s",
	         number ? number : gmhook__order_text(item->data, "/id"));
	o.number = number_buf;
	o.when = order_time(ctx, item->data);
	o.amount = gmhook__get_str(item->data, "/total");
	o.amount_path = "/total";
	if (gmhook__order_quantity(units, sizeof(units), item->data,
	                           "/line_items", "/quantity")) {
		o.units = units;
	}
	add_summary(&notes, item->data);
	if (notes.failed) {
		gmhook__buf_free(&notes);
		return gmhook__error_set(err, GMHOOK_ENOMEM, GMHOOK_STAGE_MAP,
		                         "", "out of memory");
	}
	o.notes = notes.data;
	rc = gmhook__order_record(pb, item, &o, err);
	gmhook__buf_free(&notes);
	return rc;
}

/*
 * The record orders.json maps (docs/sources.md#woocommerce): the billing
 * details, the order's number ("#<number>"), time, amount, units and
 * notes. The ping and topics other than order.created are ignored.
 */
static int record(struct gmhook_ctx *ctx, struct gmhook__item *item,
                  struct gmhook__plan_builder *pb, struct gmhook_error *err)
{
	const char *type = gmhook__get_str(item->meta, "/type");
	int rc;

	if (type && strcmp(type, ping_type) == 0) {
		rc = gmhook__record_ignore(
		        item,
		        "the WooCommerce ping sent when a webhook is saved");
	} else if (!is_order_created(type)) {
		rc = gmhook__record_ignore(
		        item, "not an order.created WooCommerce topic");
	} else {
		if (json_object_get_boolean(
		            gmhook__get(item->meta, "/topic_assumed"))) {
			gmhook__plan_warn(
			        pb,
			        "no X-WC-Webhook-Topic header; the order is taken as order.created");
		}
		return record_order(ctx, item, pb, err);
	}
	return rc ? gmhook__error_set(err, GMHOOK_ENOMEM, GMHOOK_STAGE_MAP, "",
	                              "out of memory")
	          : 0;
}

const struct gmhook__source gmhook__source_woocommerce = {
	.name = "woocommerce",
	.signature = "X-WC-Webhook-Signature base64 HMAC-SHA256 of the body",
	.actions =
	        "order.created -> contact from billing, history S (ORD), Order detail row; ping ignored",
	.description = "WooCommerce order.created (and the webhook ping)",
	.label = "WooCommerce",
	.detect = detect,
	.extract = extract,
	.verify = verify,
	.validate = validate,
	.record = record,
	.mapping = "orders.json",
};
