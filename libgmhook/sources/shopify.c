/* SPDX-License-Identifier: MIT */
/*
 * Shopify: the orders/create and orders/paid webhooks, whose body is the
 * Order resource and whose topic is only in the X-Shopify-Topic header.
 * The event id is X-Shopify-Event-Id (the same on every retry), else
 * X-Shopify-Webhook-Id, else the order id plus the topic; ids exceed 2^53
 * and are only ever read as text. X-Shopify-Hmac-Sha256 is checked over
 * the raw body. An order becomes a record of its billing details and
 * sale (see order.c), mapped by libgmhook/mappings/orders.json; admin
 * test notifications are ignored.
 */
#include <stdio.h>
#include <string.h>

#include "order.h"

#define VALIDATE GMHOOK_STAGE_VALIDATE

/* Admin "Send test notification" deliveries carry X-Shopify-Test: true. */
static bool is_test_delivery(const char *value)
{
	return value && gmhook__str_ieq(value, "true");
}

static bool is_order_topic(const char *topic)
{
	return topic && (strcmp(topic, "orders/create") == 0 ||
	                 strcmp(topic, "orders/paid") == 0);
}

static int detect(const struct gmhook__delivery *d)
{
	const char *gid;

	if (gmhook__header(d->req, "X-Shopify-Topic") ||
	    gmhook__header(d->req, "X-Shopify-Hmac-Sha256")) {
		return 100;
	}
	if (d->format != GMHOOK__FORMAT_JSON) {
		return 0;
	}
	gid = gmhook__get_str(d->body, "/admin_graphql_api_id");
	if (gid && strncmp(gid, "gid://shopify/Order/", 20) == 0) {
		return 80;
	}
	return 0;
}

static void add_string(json_object *meta, const char *key, const char *value)
{
	json_object_object_add(meta, key, json_object_new_string(value));
}

/*
 * Without X-Shopify-Topic (a body saved and replayed by hand) the order
 * is taken as orders/create and record says so in a warning.
 */
static int extract(struct gmhook_ctx *ctx, const struct gmhook__delivery *d,
                   struct gmhook__item *item, struct gmhook_error *err)
{
	const char *topic = gmhook__header(d->req, "X-Shopify-Topic");
	const char *id = gmhook__header(d->req, "X-Shopify-Event-Id");
	const char *order_id = gmhook__order_text(item->data, "/id");
	const char *when = gmhook__get_str(item->data, "/created_at");
	char key[256];
	char iso[32];
	int64_t t;

	(void) ctx;
	(void) err;
	if (!topic) {
		topic = "orders/create";
		json_object_object_add(item->meta, "topic_assumed",
		                       json_object_new_boolean(1));
	}
	add_string(item->meta, "type", topic);
	if (!id) {
		id = gmhook__header(d->req, "X-Shopify-Webhook-Id");
	}
	if (!id && order_id) {
		snprintf(key, sizeof(key), "%s:%s", order_id, topic);
		id = key;
	}
	if (id) {
		add_string(item->meta, "id", id);
	}
	if (is_test_delivery(gmhook__header(d->req, "X-Shopify-Test"))) {
		json_object_object_add(item->meta, "test_delivery",
		                       json_object_new_boolean(1));
	}
	if (when && gmhook__time_parse(when, &t)) {
		gmhook__time_format_utc(t, iso, sizeof(iso));
		add_string(item->meta, "time", iso);
	}
	return 0;
}

static void mac_of(const struct gmhook__secret *s,
                   const struct gmhook_event *event, unsigned char mac[64],
                   size_t *mac_len)
{
	const void *parts[1] = { event->raw };
	size_t lens[1] = { event->raw_len };

	*mac_len = gmhook__hmac(GMHOOK__SHA256, s->key, s->len, parts, lens, 1,
	                        mac);
}

/*
 * X-Shopify-Hmac-Sha256: base64 HMAC-SHA256 of the raw body, keyed with
 * the app's client secret (or, for webhooks made in the admin, the key
 * shown under Settings → Notifications). Shopify signs no timestamp;
 * a replay is refused only as a ledger duplicate of its event id.
 */
static int verify(struct gmhook_ctx *ctx, const struct gmhook_event *event,
                  const struct gmhook__source_config *cfg,
                  struct gmhook_error *err)
{
	static const char header[] = "X-Shopify-Hmac-Sha256";
	const char *value = gmhook__event_header(event, header);
	unsigned char mac[64];
	size_t mac_len;
	size_t i;

	(void) ctx;
	if (!value || !value[0]) {
		return gmhook__signature_fail(err, header, "missing");
	}
	for (i = 0; i < cfg->n_secrets; i++) {
		mac_of(&cfg->secrets[i], event, mac, &mac_len);
		if (gmhook__mac_equal_base64(mac, mac_len, value,
		                             strlen(value))) {
			return 0;
		}
	}
	return gmhook__signature_fail(err, header, "does not match the body");
}

/* The e-mail address of the order: the order's, its contact e-mail or
 * the customer's. */
static const char *email_pointer(json_object *data)
{
	static const char *const candidates[] = { "/email", "/contact_email",
		                                  "/customer/email", NULL };
	size_t i;

	for (i = 0; candidates[i]; i++) {
		const char *s = gmhook__get_str(data, candidates[i]);

		if (s && s[0]) {
			return candidates[i];
		}
	}
	return candidates[0];
}

static int validate_amount(const struct gmhook__item *item, const char *pointer,
                           struct gmhook_error *err)
{
	char path[256];

	if (gmhook__order_amount_valid(gmhook__get_str(item->data, pointer))) {
		return 0;
	}
	gmhook__path_join(path, sizeof(path), item->pointer, pointer);
	return gmhook__error_set(
	        err, GMHOOK_EVALIDATE, VALIDATE, path,
	        "the order total must be a decimal amount as a string, such as \"123.45\"");
}

static int validate(struct gmhook_ctx *ctx, struct gmhook__item *item,
                    struct gmhook_error *err)
{
	const char *topic = gmhook__get_str(item->meta, "/type");
	char path[256];
	int rc;

	(void) ctx;
	if (!is_order_topic(topic)) {
		return 0;
	}
	if (!gmhook__order_text(item->data, "/id")) {
		gmhook__path_join(path, sizeof(path), item->pointer, "/id");
		return gmhook__error_set(err, GMHOOK_EVALIDATE, VALIDATE, path,
		                         "an order id is required");
	}
	rc = validate_amount(item, "/total_price", err);
	if (rc == 0) {
		rc = gmhook__validate_email(item, email_pointer(item->data),
		                            false, err);
	}
	if (rc == 0) {
		rc = gmhook__validate_time(item, "/created_at", false, err);
	}
	return rc;
}

/* Where the billing details are: the billing address, else the shipping
 * address (orders without billing), else the customer's default. */
static const char *address_base(json_object *data)
{
	static const char *const candidates[] = { "/billing_address",
		                                  "/shipping_address",
		                                  "/customer/default_address",
		                                  NULL };
	size_t i;

	for (i = 0; candidates[i]; i++) {
		if (json_object_is_type(gmhook__get(data, candidates[i]),
		                        json_type_object)) {
			return candidates[i];
		}
	}
	return NULL;
}

static const char *nonempty(const char *s)
{
	return s && s[0] ? s : NULL;
}

/* A member of the address object at @p base, its path into @p path. */
static const char *address_member(json_object *data, const char *base,
                                  const char *member, char *path, size_t size)
{
	const char *v;

	gmhook__path_join(path, size, base ? base : "/billing_address", member);
	v = nonempty(gmhook__get_str(data, path));
	return base ? v : NULL;
}

struct person_paths {
	char name[128];
	char first[128];
	char last[128];
	char phone[128];
	char company[128];
};

static void person_of(struct gmhook__order *o, struct person_paths *pp,
                      json_object *data, const char *base)
{
	struct gmhook__person *p = &o->person;

	p->email = nonempty(gmhook__get_str(data, email_pointer(data)));
	p->name =
	        address_member(data, base, "/name", pp->name, sizeof(pp->name));
	p->name_path = pp->name;
	p->first = address_member(data, base, "/first_name", pp->first,
	                          sizeof(pp->first));
	p->last = address_member(data, base, "/last_name", pp->last,
	                         sizeof(pp->last));
	p->last_path = pp->last;
	p->phone = address_member(data, base, "/phone", pp->phone,
	                          sizeof(pp->phone));
	p->phone_path = pp->phone;
	p->company = address_member(data, base, "/company", pp->company,
	                            sizeof(pp->company));
	p->company_path = pp->company;
	if (!p->name && !p->first && !p->last) {
		p->first =
		        nonempty(gmhook__get_str(data, "/customer/first_name"));
		p->last =
		        nonempty(gmhook__get_str(data, "/customer/last_name"));
		p->last_path = "/customer/last_name";
	}
	if (!p->phone) {
		p->phone = nonempty(gmhook__get_str(data, "/phone"));
		p->phone_path = "/phone";
	}
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
		const char *title = gmhook__get_str(it, "/name");
		const char *qty = gmhook__order_text(it, "/quantity");
		const char *price = gmhook__get_str(it, "/price");
		const char *sku = nonempty(gmhook__get_str(it, "/sku"));

		gmhook__buf_addf(notes, "%s x %s", qty ? qty : "1",
		                 title ? title : "(item)");
		if (sku) {
			gmhook__buf_addf(notes, " [%s]", sku);
		}
		if (price) {
			gmhook__buf_addf(notes, " @ %s", price);
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
		{ "Subtotal", "/subtotal_price" },
		{ "Shipping", "/total_shipping_price_set/shop_money/amount" },
		{ "Discounts", "/total_discounts" },
		{ "Tax", "/total_tax" },
		{ "Financial status", "/financial_status" },
		{ "Cancelled", "/cancelled_at" },
		{ "Note", "/note" },
	};

	const char *currency = gmhook__get_str(data, "/currency");
	const char *id = gmhook__order_text(data, "/id");
	size_t i;

	gmhook__buf_addf(notes, "Total: %s %s\r\n",
	                 gmhook__get_str(data, "/total_price"),
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
	if (json_object_get_boolean(gmhook__get(data, "/test"))) {
		gmhook__buf_adds(notes, "Test order\r\n");
	}
	if (id) {
		gmhook__buf_addf(notes, "Shopify order id: %s\r\n", id);
	}
}

/* The order's name ("#1001" as the shop shows it), else "#<number>",
 * else the order id; *@p path is where it was read as is. */
static const char *order_number(json_object *data, char *buf, size_t size,
                                const char **path)
{
	const char *name = nonempty(gmhook__get_str(data, "/name"));
	const char *number = gmhook__order_text(data, "/order_number");

	*path = NULL;
	if (name) {
		*path = "/name";
		return name;
	}
	if (number) {
		snprintf(buf, size, "#%s", number);
		return buf;
	}
	*path = "/id";
	return gmhook__order_text(data, "/id");
}

static int64_t order_time(struct gmhook_ctx *ctx, json_object *data, bool paid)
{
	const char *s =
	        gmhook__get_str(data, paid ? "/updated_at" : "/processed_at");
	int64_t t;

	if ((s && gmhook__time_parse(s, &t)) ||
	    gmhook__time_parse(gmhook__get_str(data, "/created_at"), &t)) {
		return t;
	}
	return gmhook__now(ctx);
}

static int record_order(struct gmhook_ctx *ctx, struct gmhook__item *item,
                        struct gmhook__plan_builder *pb, bool paid,
                        struct gmhook_error *err)
{
	static const char *const address_rel[GMHOOK__ORDER_N_ADDRESS] = {
		"/address1",      "/address2", "/city",
		"/province_code", "/zip",      "/country",
	};
	const char *base = address_base(item->data);
	struct gmhook__order o = { 0 };
	struct gmhook__buf notes = { 0 };
	struct person_paths pp;
	char number_buf[32];
	char units[24];
	int rc;

	person_of(&o, &pp, item->data, base);
	if (base) {
		gmhook__order_address_from(&o, item->data, base, address_rel);
	}
	o.number = order_number(item->data, number_buf, sizeof(number_buf),
	                        &o.number_path);
	o.when = order_time(ctx, item->data, paid);
	o.amount = gmhook__get_str(item->data, "/total_price");
	o.amount_path = "/total_price";
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
 * The record orders.json maps (docs/sources.md#shopify): the billing
 * details, the order's number, time, amount, units and notes. Test
 * notifications and topics other than orders/create and orders/paid
 * are ignored.
 */
static int record(struct gmhook_ctx *ctx, struct gmhook__item *item,
                  struct gmhook__plan_builder *pb, struct gmhook_error *err)
{
	const char *topic = gmhook__get_str(item->meta, "/type");
	int rc;

	if (json_object_get_boolean(
	            gmhook__get(item->meta, "/test_delivery"))) {
		rc = gmhook__record_ignore(
		        item,
		        "a Shopify test notification (X-Shopify-Test: true), not a real order");
	} else if (!is_order_topic(topic)) {
		rc = gmhook__record_ignore(
		        item,
		        "not an orders/create or orders/paid Shopify topic");
	} else {
		if (json_object_get_boolean(
		            gmhook__get(item->meta, "/topic_assumed"))) {
			gmhook__plan_warn(
			        pb,
			        "no X-Shopify-Topic header; the order is taken as orders/create");
		}
		return record_order(ctx, item, pb,
		                    strcmp(topic, "orders/paid") == 0, err);
	}
	return rc ? gmhook__error_set(err, GMHOOK_ENOMEM, GMHOOK_STAGE_MAP, "",
	                              "out of memory")
	          : 0;
}

const struct gmhook__source gmhook__source_shopify = {
	.name = "shopify",
	.signature = "X-Shopify-Hmac-Sha256 base64 HMAC-SHA256 of the body",
	.actions =
	        "orders/create, orders/paid -> contact from billing, history S (ORD), Order detail row",
	.description = "Shopify orders/create and orders/paid",
	.label = "Shopify",
	.detect = detect,
	.extract = extract,
	.verify = verify,
	.validate = validate,
	.record = record,
	.mapping = "orders.json",
};
