/* SPDX-License-Identifier: MIT */
/*
 * The map stage shared by the order sources: a sale described once as a
 * struct gmhook__order becomes the record that libgmhook/mappings/
 * orders.json turns into contact.upsert (billing details and address
 * into CONTACT1), email.add, a completed sale in CONTHIST (RECTYPE S,
 * ACTVCODE ORD, the amount in DURATION and the quantity in UNITS) and an
 * "Order" detail row holding the order number. Also the amount helpers,
 * since every provider writes money differently.
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "order.h"

#define MAP GMHOOK_STAGE_MAP

/* CONTHIST.DURATION and UNITS are VARCHAR(8) in GoldMine. */
#define SALE_FIELD_MAX 8

/* The record keys of the address, mapped to the CONTACT1 columns of
 * the same names. */
static const char *const address_keys[GMHOOK__ORDER_N_ADDRESS] = {
	"address1", "address2", "city", "state", "zip", "country",
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

/* Record @p key unless @p value is NULL or empty; @p path is where the
 * value was read, for the warning when it is cut to its column. */
static int set(struct gmhook__item *item, const char *key, const char *value,
               const char *path)
{
	return gmhook__record_set(item, key, value && value[0] ? value : NULL,
	                          path);
}

/* contact and lastname from the full name or first + last name. */
static int set_names(struct gmhook__item *item, const struct gmhook__person *p)
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
	rc = set(item, "contact", full, p->name ? p->name_path : p->last_path);
	if (rc == 0) {
		rc = set(item, "lastname", last, last_path);
	}
	return rc;
}

/* A sale field of at most 8 characters, or a warning when it does not
 * fit: an amount is never cut, it stays in the notes. */
static int set_sale_field(struct gmhook__plan_builder *pb,
                          struct gmhook__item *item, const char *key,
                          const char *field, const char *value,
                          const char *path, const char *column)
{
	if (!value || !value[0]) {
		return 0;
	}
	if (strlen(value) > SALE_FIELD_MAX) {
		gmhook__plan_warn(
		        pb,
		        "%s \"%s\" does not fit %s (%d characters); it is kept in the notes only",
		        field, value, column, SALE_FIELD_MAX);
		return 0;
	}
	return gmhook__record_set(item, key, value, path);
}

int gmhook__order_record(struct gmhook__plan_builder *pb,
                         struct gmhook__item *item,
                         const struct gmhook__order *o,
                         struct gmhook_error *err)
{
	const struct gmhook__person *p = &o->person;
	size_t i;
	int rc;

	if (!p->email && !p->phone) {
		rc = gmhook__record_ignore(
		        item,
		        "the order names no e-mail address or phone number, so no GoldMine contact can be found or created for it");
		goto out;
	}
	rc = set(item, "email", p->email, NULL);
	rc = rc ? rc : set_names(item, p);
	rc = rc ? rc : set(item, "phone", p->phone, p->phone_path);
	rc = rc ? rc : set(item, "company", p->company, p->company_path);
	for (i = 0; rc == 0 && i < GMHOOK__ORDER_N_ADDRESS; i++) {
		rc = set(item, address_keys[i], o->address[i],
		         o->address_path[i]);
	}
	rc = rc ? rc : set(item, "number", o->number, o->number_path);
	rc = rc ? rc : gmhook__record_set_time(item, "when", o->when);
	rc = rc ? rc
	        : set_sale_field(pb, item, "amount", "duration", o->amount,
	                         o->amount_path, "CONTHIST.DURATION");
	rc = rc ? rc
	        : set_sale_field(pb, item, "units", "units", o->units, NULL,
	                         "CONTHIST.UNITS");
	rc = rc ? rc : set(item, "notes", o->notes, NULL);
out:
	return rc ? gmhook__error_set(err, GMHOOK_ENOMEM, MAP, "",
	                              "out of memory")
	          : 0;
}
