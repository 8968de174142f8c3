/* SPDX-License-Identifier: MIT */
/*
 * The map stage shared by the order sources: a sale described once as a
 * struct gmhook__order becomes contact.upsert (billing details and
 * address into CONTACT1), email.add, a completed sale in CONTHIST
 * (RECTYPE S, ACTVCODE ORD, the amount in DURATION and the quantity in
 * UNITS) and an "Order" detail row holding the order number. Also the
 * amount helpers, since every provider writes money differently.
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "order.h"

#define MAP GMHOOK_STAGE_MAP

/* CONTHIST.DURATION and UNITS are VARCHAR(8) in GoldMine. */
#define SALE_FIELD_MAX 8

static const char *const address_columns[GMHOOK__ORDER_N_ADDRESS] = {
	"ADDRESS1", "ADDRESS2", "CITY", "STATE", "ZIP", "COUNTRY",
};

void gmhook__order_address_from(struct gmhook__order *o, json_object *data,
                                const char *base,
                                const char *const rel[GMHOOK__ORDER_N_ADDRESS])
{
	const char *v;
	size_t i;

	for (i = 0; i < GMHOOK__ORDER_N_ADDRESS; i++) {
		if (!rel[i]) {
			continue;
		}
		gmhook__path_join(o->address_path[i],
		                  sizeof(o->address_path[i]), base, rel[i]);
		v = gmhook__get_str(data, o->address_path[i]);
		o->address[i] = v && v[0] ? v : NULL;
	}
}

const char *gmhook__order_text(json_object *data, const char *pointer)
{
	json_object *v = gmhook__get(data, pointer);

	if (json_object_is_type(v, json_type_string) ||
	    json_object_is_type(v, json_type_int)) {
		return json_object_get_string(v);
	}
	return NULL;
}

bool gmhook__order_quantity(char *buf, size_t size, json_object *data,
                            const char *array, const char *member)
{
	json_object *items = gmhook__get(data, array);
	int64_t total = 0;
	size_t i;

	if (!json_object_is_type(items, json_type_array) ||
	    json_object_array_length(items) == 0) {
		return false;
	}
	for (i = 0; i < json_object_array_length(items); i++) {
		json_object *item = json_object_array_get_idx(items, i);
		json_object *q = gmhook__get(item, member);

		if (json_object_is_type(q, json_type_int)) {
			total += json_object_get_int64(q);
		}
	}
	snprintf(buf, size, "%" PRId64, total);
	return true;
}

bool gmhook__order_amount_valid(const char *s)
{
	bool digits = false;

	if (!s) {
		return false;
	}
	if (*s == '-') {
		s++;
	}
	while (isdigit((unsigned char) *s)) {
		s++;
		digits = true;
	}
	if (*s == '.') {
		s++;
		if (!isdigit((unsigned char) *s)) {
			return false;
		}
		while (isdigit((unsigned char) *s)) {
			s++;
		}
	}
	return digits && *s == '\0';
}

/* ISO 4217 minor-unit exponents that are not 2; Stripe and Square send
 * amounts of these currencies in whole units (0) or thousandths (3). */
static int currency_decimals(const char *currency)
{
	static const char *const zero[] = {
		"BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "MGA",
		"PYG", "RWF", "UGX", "VND", "VUV", "XAF", "XOF", "XPF", NULL,
	};
	static const char *const three[] = { "BHD", "IQD", "JOD", "KWD",
		                             "LYD", "OMR", "TND", NULL };
	size_t i;

	for (i = 0; currency && zero[i]; i++) {
		if (gmhook__str_ieq(currency, zero[i])) {
			return 0;
		}
	}
	for (i = 0; currency && three[i]; i++) {
		if (gmhook__str_ieq(currency, three[i])) {
			return 3;
		}
	}
	return 2;
}

void gmhook__order_minor_units(char *buf, size_t size, int64_t amount,
                               const char *currency)
{
	int decimals = currency_decimals(currency);
	int64_t scale = decimals == 3 ? 1000 : 100;
	uint64_t magnitude = amount < 0 ? (uint64_t) 0 - (uint64_t) amount
	                                : (uint64_t) amount;

	if (decimals == 0) {
		snprintf(buf, size, "%" PRId64, amount);
		return;
	}
	snprintf(buf, size, "%s%" PRIu64 ".%0*" PRIu64, amount < 0 ? "-" : "",
	         magnitude / (uint64_t) scale, decimals,
	         magnitude % (uint64_t) scale);
}

/* The last word of a full name, for LASTNAME when no last name is given;
 * NULL for a one-word name (as gmhook__plan_person does). */
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

/* Set CONTACT1 column @p column of @p c1 from @p value, cut to size. */
static int set_column(struct gmhook__plan_builder *pb,
                      const struct gmhook__item *item, json_object *c1,
                      const char *column, const char *value,
                      const char *pointer, struct gmhook_error *err)
{
	char path[256];
	char name[32];

	if (!value || !value[0]) {
		return 0;
	}
	gmhook__path_join(path, sizeof(path), item->pointer,
	                  pointer ? pointer : "");
	snprintf(name, sizeof(name), "CONTACT1.%s", column);
	return gmhook__plan_set(pb, c1, column, value,
	                        gmhook__column_size("CONTACT1", column), name,
	                        path, err);
}

/* CONTACT and LASTNAME from the full name or first + last name. */
static int set_names(struct gmhook__plan_builder *pb,
                     const struct gmhook__item *item, json_object *c1,
                     const struct gmhook__person *p, struct gmhook_error *err)
{
	const char *full = p->name && p->name[0] ? p->name : NULL;
	const char *last = p->last && p->last[0] ? p->last : NULL;
	const char *last_path = p->last_path;
	char joined[256];
	char word[128];
	int rc;

	if (!full && (p->first || last)) {
		snprintf(joined, sizeof(joined), "%s%s%s",
		         p->first ? p->first : "",
		         p->first && p->first[0] && last ? " " : "",
		         last ? last : "");
		full = joined[0] ? joined : NULL;
	}
	if (!last && full) {
		last = last_word(full, word, sizeof(word));
		last_path = p->name ? p->name_path : p->last_path;
	}
	rc = set_column(pb, item, c1, "CONTACT", full,
	                p->name ? p->name_path : p->last_path, err);
	if (rc == 0) {
		rc = set_column(pb, item, c1, "LASTNAME", last, last_path, err);
	}
	return rc;
}

static int fill_contact1(struct gmhook__plan_builder *pb,
                         const struct gmhook__item *item, json_object *c1,
                         const struct gmhook__order *o,
                         struct gmhook_error *err)
{
	const struct gmhook__person *p = &o->person;
	size_t i;
	int rc;

	rc = set_names(pb, item, c1, p, err);
	if (rc == 0) {
		rc = set_column(pb, item, c1, "PHONE1", p->phone, p->phone_path,
		                err);
	}
	if (rc == 0) {
		rc = set_column(pb, item, c1, "COMPANY", p->company,
		                p->company_path, err);
	}
	for (i = 0; rc == 0 && i < GMHOOK__ORDER_N_ADDRESS; i++) {
		rc = set_column(pb, item, c1, address_columns[i], o->address[i],
		                o->address_path[i], err);
	}
	return rc;
}

/* contact.upsert matched on the e-mail address, else the phone number,
 * then email.add; SOURCE is written by commit on new contacts only. */
static int add_contact(struct gmhook__plan_builder *pb,
                       const struct gmhook__item *item,
                       const struct gmhook__order *o, const char *label,
                       struct gmhook_error *err)
{
	const char *source = gmhook__plan_ctx(pb)->source_label;
	json_object *upsert = gmhook__plan_action(pb, "contact.upsert");
	json_object *match = json_object_new_object();
	json_object *c1 = json_object_new_object();
	json_object *email;
	const char *key = o->person.email ? "email" : "phone";
	const char *value = o->person.email ? o->person.email : o->person.phone;
	int rc;

	if (!upsert || !match || !c1) {
		json_object_put(match);
		json_object_put(c1);
		return gmhook__error_set(err, GMHOOK_ENOMEM, MAP, "",
		                         "out of memory");
	}
	json_object_object_add(match, key, json_object_new_string(value));
	json_object_object_add(upsert, "match", match); /* steals match */
	json_object_object_add(upsert, "contact1", c1); /* steals c1 */
	json_object_object_add(upsert, "source",
	                       json_object_new_string(source ? source : label));
	rc = fill_contact1(pb, item, c1, o, err);
	if (rc < 0 || !o->person.email) {
		return rc;
	}
	email = gmhook__plan_action(pb, "email.add");
	if (!email) {
		return gmhook__error_set(err, GMHOOK_ENOMEM, MAP, "",
		                         "out of memory");
	}
	json_object_object_add(email, "address",
	                       json_object_new_string(o->person.email));
	json_object_object_add(email, "primary", json_object_new_boolean(1));
	return 0;
}

/* A sale field of at most 8 characters, or a warning when it does not
 * fit: an amount is never cut, it stays in the notes. */
static void add_sale_field(struct gmhook__plan_builder *pb, json_object *h,
                           const char *key, const char *value,
                           const char *column)
{
	if (!value || !value[0]) {
		return;
	}
	if (strlen(value) > SALE_FIELD_MAX) {
		gmhook__plan_warn(
		        pb,
		        "%s \"%s\" does not fit %s (%d characters); it is kept in the notes only",
		        key, value, column, SALE_FIELD_MAX);
		return;
	}
	json_object_object_add(h, key, json_object_new_string(value));
}

static int add_sale(struct gmhook__plan_builder *pb,
                    const struct gmhook__order *o, struct gmhook_error *err)
{
	json_object *h = NULL;
	int rc;

	rc = gmhook__plan_history(pb, "S", "ORD", o->resultcode, o->when,
	                          o->ref, o->notes, &h, err);
	if (rc < 0) {
		return rc;
	}
	add_sale_field(pb, h, "duration", o->amount, "CONTHIST.DURATION");
	add_sale_field(pb, h, "units", o->units, "CONTHIST.UNITS");
	return 0;
}

static int add_detail(struct gmhook__plan_builder *pb,
                      const struct gmhook__order *o, struct gmhook_error *err)
{
	json_object *d;

	if (!o->number || !o->number[0]) {
		return 0;
	}
	d = gmhook__plan_action(pb, "detail.add");
	if (!d) {
		return gmhook__error_set(err, GMHOOK_ENOMEM, MAP, "",
		                         "out of memory");
	}
	json_object_object_add(d, "name", json_object_new_string("Order"));
	if (o->ref) {
		json_object_object_add(d, "notes",
		                       json_object_new_string(o->ref));
	}
	return gmhook__plan_set(pb, d, "reference", o->number, 35,
	                        "CONTSUPP.CONTSUPREF", NULL, err);
}

int gmhook__order_plan(struct gmhook__plan_builder *pb,
                       const struct gmhook__item *item,
                       const struct gmhook__order *o, const char *label,
                       struct gmhook_error *err)
{
	int rc;

	if (!o->person.email && !o->person.phone) {
		gmhook__plan_ignore(
		        pb,
		        "the order names no e-mail address or phone number, so no GoldMine contact can be found or created for it");
		return 0;
	}
	rc = add_contact(pb, item, o, label, err);
	if (rc == 0) {
		rc = add_sale(pb, o, err);
	}
	if (rc == 0) {
		rc = add_detail(pb, o, err);
	}
	return rc;
}
