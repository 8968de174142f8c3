/* SPDX-License-Identifier: MIT */
/*
 * The generic source: any JSON or form body from a service gmhook has no
 * module for. It is never detected; name it with --source generic. Its
 * events have no built-in mapping, so a site mapping rule (docs/mapping.md)
 * says what lands in GoldMine. The event type is the body's "type" or
 * "event" string when there is one, else "generic"; the id is the body's
 * "id" or "event_id", else the digest of the body.
 */
#include <stdio.h>
#include <string.h>

#include "gmhook-private.h"

static int detect(const struct gmhook__delivery *d)
{
	(void) d;
	return 0;
}

static const char *first_string(json_object *data, const char *const *keys)
{
	const char *s = NULL;
	char pointer[32];
	size_t i;

	for (i = 0; keys[i] && !s; i++) {
		snprintf(pointer, sizeof(pointer), "/%s", keys[i]);
		s = gmhook__get_str(data, pointer);
	}
	return s && s[0] ? s : NULL;
}

static int extract(struct gmhook_ctx *ctx, const struct gmhook__delivery *d,
                   struct gmhook__item *item, struct gmhook_error *err)
{
	static const char *const type_keys[] = { "type", "event", "topic",
		                                 NULL };
	static const char *const id_keys[] = { "id", "event_id", "eventId",
		                               NULL };
	const char *type = first_string(item->data, type_keys);
	const char *id = first_string(item->data, id_keys);
	char iso[32];
	char key[256];

	(void) err;
	gmhook__time_format_utc(d->req->received ? d->req->received
	                                         : gmhook__now(ctx),
	                        iso, sizeof(iso));
	json_object_object_add(item->meta, "type",
	                       json_object_new_string(type ? type : "generic"));
	json_object_object_add(item->meta, "time", json_object_new_string(iso));
	if (id) {
		snprintf(key, sizeof(key), "%s:%s", type ? type : "generic",
		         id);
		json_object_object_add(item->meta, "id",
		                       json_object_new_string(key));
	}
	return 0;
}

static int validate(struct gmhook_ctx *ctx, struct gmhook__item *item,
                    struct gmhook_error *err)
{
	(void) ctx;
	(void) item;
	(void) err;
	return 0;
}

static int map(struct gmhook_ctx *ctx, struct gmhook__item *item,
               struct gmhook__plan_builder *pb, struct gmhook_error *err)
{
	(void) ctx;
	(void) pb;
	return gmhook__error_set(
	        err, GMHOOK_EMAP, GMHOOK_STAGE_MAP, item->pointer,
	        "no mapping rule matches this generic event; add one to a mapping file (docs/mapping.md)");
}

const struct gmhook__source gmhook__source_generic = {
	.name = "generic",
	.signature = "none (url_token guard)",
	.actions = "none built in: a site mapping rule decides",
	.description = "any JSON or form body, mapped by a site mapping file",
	.label = "Web",
	.detect = detect,
	.extract = extract,
	.validate = validate,
	.map = map,
};
