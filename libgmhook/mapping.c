/* SPDX-License-Identifier: MIT */
/*
 * Site mapping files: JSON rules that turn any event into GoldMine actions
 * without writing C. A rule matches on source, event type and conditions
 * (equals, exists, one_of, a POSIX regular expression) and either replaces
 * the source's built-in actions, extends them, or ignores the event. Each
 * field value is a literal, a JSON pointer into the event, or a join of
 * values, passed through transforms (trim, case, name split, E.164 phone,
 * dates in the server's zone, truncate, default, join, replace, lookup).
 * Files are checked completely when loaded, so a bad rule is a
 * configuration error at start, never a failure at the first event.
 */
#define _XOPEN_SOURCE 700
#include <ctype.h>
#include <errno.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gmhook-private.h"

#define MAP            GMHOOK_STAGE_MAP
#define MAX_RULES      256
#define MAX_CONDITIONS 16
#define VALUE_MAX      65536

enum cond_kind { COND_EQUALS, COND_EXISTS, COND_ONE_OF, COND_MATCHES };

struct condition {
	int kind;
	bool on_record; /* the pointer reads the source's record */
	char *pointer;
	json_object *arg; /* the rule's value (reference held by the doc) */
	regex_t re;
	bool re_ok;
};

struct rule {
	char name[64];
	char *file;
	char path[32]; /* "/rules/3" */
	char source[32];
	char event[64];
	int mode; /* GMHOOK__RULE_* */
	char reason[256];
	struct condition conds[MAX_CONDITIONS];
	size_t n_conds;
	json_object *actions; /* borrowed from doc */
	const char *each;     /* record pointer of an array, or NULL */
};

struct gmhook__mappings {
	json_object *docs[16];
	size_t n_docs;
	struct rule rules[MAX_RULES];
	size_t n_rules;
	char phone_country[4]; /* calling code digits, e.g. "1" */
};

/* ==== Loading and checking ==== */

struct check {
	const char *file;
	struct gmhook_error *err;
	const char *source; /* a source's own file: the rules' source */
};

static int check_error(struct check *c, const char *path, const char *fmt, ...)
        GMHOOK_PRINTF(3, 4);

static int check_error(struct check *c, const char *path, const char *fmt, ...)
{
	char message[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(message, sizeof(message), fmt, ap);
	va_end(ap);
	return gmhook__error_set(c->err, GMHOOK_ECONFIG, GMHOOK_STAGE_NONE,
	                         path, "%s: %s", c->file, message);
}

static const char *const transform_names[] = {
	"trim", "lower", "upper", "title",  "first_name", "last_name",
	"e164", "date",  "time",  "digits", NULL,
};

static const char *const transform_objects[] = {
	"truncate", "default", "join", "replace", "lookup", "date", NULL,
};

static bool in_list(const char *const *list, const char *s)
{
	size_t i;

	for (i = 0; list[i]; i++) {
		if (strcmp(list[i], s) == 0) {
			return true;
		}
	}
	return false;
}

static bool is_string(json_object *v)
{
	return json_object_is_type(v, json_type_string);
}

static bool transform_arg_ok(const char *key, json_object *arg)
{
	json_object *x = NULL;

	if (strcmp(key, "truncate") == 0) {
		return json_object_is_type(arg, json_type_int) &&
		       json_object_get_int64(arg) >= 0;
	}
	if (strcmp(key, "default") == 0 || strcmp(key, "join") == 0) {
		return is_string(arg);
	}
	if (strcmp(key, "replace") == 0) {
		return json_object_is_type(arg, json_type_object) &&
		       json_object_object_length(arg) == 2 &&
		       is_string(gmhook__get(arg, "/from")) &&
		       is_string(gmhook__get(arg, "/to"));
	}
	if (strcmp(key, "lookup") == 0) {
		return json_object_is_type(arg, json_type_object) &&
		       json_object_is_type(gmhook__get(arg, "/table"),
		                           json_type_object) &&
		       json_object_object_length(arg) <=
		               (json_object_object_get_ex(arg, "default", NULL)
		                        ? 2
		                        : 1);
	}
	/* date */
	if (!json_object_is_type(arg, json_type_object)) {
		return false;
	}
	json_object_object_foreach (arg, k, v) {
		if (strcmp(k, "input") == 0 && is_string(v)) {
			continue;
		}
		if (strcmp(k, "output") == 0 && is_string(v) &&
		    (strcmp(json_object_get_string(v), "date") == 0 ||
		     strcmp(json_object_get_string(v), "time") == 0)) {
			continue;
		}
		return false;
	}
	(void) x;
	return true;
}

/* What a transform's argument must be, for errors. */
static const char *transform_arg_text(const char *key)
{
	if (strcmp(key, "truncate") == 0) {
		return "a whole number of characters";
	}
	if (strcmp(key, "default") == 0 || strcmp(key, "join") == 0) {
		return "a string";
	}
	if (strcmp(key, "replace") == 0) {
		return "{\"from\": string, \"to\": string}";
	}
	if (strcmp(key, "lookup") == 0) {
		return "{\"table\": {...}} with an optional \"default\"";
	}
	return "{\"input\": strptime format, \"output\": \"date\" or \"time\"}";
}

static int check_transforms(struct check *c, json_object *t, const char *path)
{
	char p[256];
	size_t i;

	if (!json_object_is_type(t, json_type_array)) {
		return check_error(c, path, "transforms must be an array");
	}
	for (i = 0; i < json_object_array_length(t); i++) {
		json_object *x = json_object_array_get_idx(t, i);

		snprintf(p, sizeof(p), "%s/%zu", path, i);
		if (json_object_is_type(x, json_type_string)) {
			if (!in_list(transform_names,
			             json_object_get_string(x))) {
				return check_error(
				        c, p,
				        "unknown transform '%s' (expected one of trim, lower, upper, title, first_name, last_name, e164, date, time, digits, or an object: truncate, default, join, replace, lookup, date)",
				        json_object_get_string(x));
			}
			continue;
		}
		if (!json_object_is_type(x, json_type_object) ||
		    json_object_object_length(x) != 1) {
			return check_error(
			        c, p,
			        "a transform is a name or an object with one key");
		}
		json_object_object_foreach (x, key, arg) {
			if (!in_list(transform_objects, key)) {
				return check_error(
				        c, p, "unknown transform '%s'", key);
			}
			if (!transform_arg_ok(key, arg)) {
				gmhook__path_push(p, sizeof(p), key);
				return check_error(c, p, "must be %s",
				                   transform_arg_text(key));
			}
		}
	}
	return 0;
}

/* A value spec's parts, read in one pass over its (few) members. */
enum spec_kind {
	SPEC_NONE,
	SPEC_POINTER,
	SPEC_RECORD,
	SPEC_META,
	SPEC_FIRST,
	SPEC_LITERAL,
	SPEC_JOIN,
};

struct spec {
	enum spec_kind kind; /* the first present, in this order */
	json_object *arg;
	json_object *transforms;
};

static enum spec_kind spec_kind_of(const char *key)
{
	static const char *const names[] = { "pointer", "record",  "meta",
		                             "first",   "literal", "join" };
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (key[0] == names[i][0] && strcmp(key, names[i]) == 0) {
			return (enum spec_kind)(SPEC_POINTER + i);
		}
	}
	return SPEC_NONE;
}

static bool spec_read(json_object *v, struct spec *sp)
{
	sp->kind = SPEC_NONE;
	sp->arg = NULL;
	sp->transforms = NULL;
	if (!json_object_is_type(v, json_type_object)) {
		return false;
	}
	json_object_object_foreach (v, key, val) {
		enum spec_kind k = spec_kind_of(key);

		if (k != SPEC_NONE && (sp->kind == SPEC_NONE || k < sp->kind)) {
			sp->kind = k;
			sp->arg = val;
		} else if (k == SPEC_NONE && strcmp(key, "transforms") == 0) {
			sp->transforms = val;
		}
	}
	return sp->kind != SPEC_NONE;
}

static bool is_value_spec(json_object *v)
{
	struct spec sp;

	return spec_read(v, &sp);
}

static int check_value(struct check *c, json_object *v, const char *path);

static int check_spec(struct check *c, json_object *v, const char *path)
{
	json_object *x = NULL;
	char p[256];
	size_t i;
	int rc = 0;

	json_object_object_foreach (v, key, val) {
		(void) val;
		if (!in_list((const char *const[]){ "pointer", "record",
		                                    "literal", "meta", "join",
		                                    "first", "separator",
		                                    "transforms", "type",
		                                    NULL },
		             key)) {
			snprintf(p, sizeof(p), "%s/%s", path, key);
			return check_error(
			        c, p,
			        "unknown key '%s' in a value (pointer, record, literal, meta, join, first, separator, transforms, type)",
			        key);
		}
	}
	if (json_object_object_get_ex(v, "meta", &x) &&
	    !in_list((const char *const[]){ "time", "type", "id", "label",
	                                    NULL },
	             json_object_get_string(x))) {
		snprintf(p, sizeof(p), "%s/meta", path);
		return check_error(
		        c, p,
		        "must be \"time\", \"type\", \"id\" or \"label\"");
	}
	if (json_object_object_get_ex(v, "type", &x) &&
	    !in_list((const char *const[]){ "integer", "boolean", NULL },
	             json_object_get_string(x))) {
		snprintf(p, sizeof(p), "%s/type", path);
		return check_error(c, p, "must be \"integer\" or \"boolean\"");
	}
	if (json_object_object_get_ex(v, "pointer", &x) ||
	    json_object_object_get_ex(v, "record", &x)) {
		const char *s = json_object_get_string(x);

		if (!json_object_is_type(x, json_type_string) ||
		    (s[0] && s[0] != '/')) {
			snprintf(p, sizeof(p), "%s/%s", path,
			         json_object_object_get_ex(v, "record", NULL)
			                 ? "record"
			                 : "pointer");
			return check_error(
			        c, p,
			        "must be a JSON pointer such as \"/payload/email\"");
		}
	}
	if (json_object_object_get_ex(v, "join", &x) ||
	    json_object_object_get_ex(v, "first", &x)) {
		const char *k = json_object_object_get_ex(v, "join", NULL)
		                        ? "join"
		                        : "first";

		snprintf(p, sizeof(p), "%s/%s", path, k);
		if (!json_object_is_type(x, json_type_array)) {
			return check_error(c, p, "must be an array of values");
		}
		for (i = 0; rc == 0 && i < json_object_array_length(x); i++) {
			snprintf(p, sizeof(p), "%s/%s/%zu", path, k, i);
			rc = check_value(c, json_object_array_get_idx(x, i), p);
		}
	}
	if (rc == 0 && json_object_object_get_ex(v, "transforms", &x)) {
		snprintf(p, sizeof(p), "%s/transforms", path);
		rc = check_transforms(c, x, p);
	}
	return rc;
}

static int check_value(struct check *c, json_object *v, const char *path)
{
	if (is_value_spec(v)) {
		return check_spec(c, v, path);
	}
	if (json_object_is_type(v, json_type_object) ||
	    json_object_is_type(v, json_type_array)) {
		return check_error(
		        c, path,
		        "a value is a string, number, boolean, or an object with pointer, record, literal, meta, join or first");
	}
	return 0;
}

static const char *const action_names[] = {
	"contact.upsert",    "contact.find",    "email.add",
	"email.optout",      "email.remove",    "history.add",
	"calendar.schedule", "calendar.cancel", "note.add",
	"detail.add",        "case.create",     NULL,
};

static int check_fields(struct check *c, json_object *obj, const char *path,
                        const char *group)
{
	char p[256];
	int rc;

	json_object_object_foreach (obj, key, v) {
		snprintf(p, sizeof(p), "%s", path);
		gmhook__path_push(p, sizeof(p), key);
		if ((strcmp(group, "contact1") == 0 ||
		     strcmp(group, "contact1_new") == 0) &&
		    !gmhook__column_size("CONTACT1", key)) {
			return check_error(
			        c, p, "not a CONTACT1 column gmhook writes");
		}
		if (strcmp(group, "match") == 0 && strcmp(key, "email") != 0 &&
		    strcmp(key, "phone") != 0) {
			return check_error(
			        c, p,
			        "unknown key '%s': match takes \"email\" or \"phone\"",
			        key);
		}
		if (strcmp(group, "contact2") == 0 &&
		    !gmhook__contact2_column_ok(key)) {
			return check_error(
			        c, p,
			        "not a CONTACT2 field name (USERDEF01..10 or a custom U... field, upper case, at most 10 characters)");
		}
		rc = check_value(c, v, p);
		if (rc < 0) {
			return rc;
		}
	}
	return 0;
}

/* The fields each action takes (commit.c reads these). */
static bool action_key_ok(const char *action, const char *key)
{
	static const struct {
		const char *action;
		const char *keys[12];
	} fields[] = {
		{ "contact.upsert",
		  { "match", "contact1", "contact1_new", "contact2",
		    "source" } },
		{ "contact.find", { "match", "contact2" } },
		{ "email.add", { "address", "primary" } },
		{ "email.optout", { "address" } },
		{ "email.remove", { "address" } },
		{ "history.add",
		  { "rectype", "actvcode", "resultcode", "ondate", "ontime",
		    "ref", "notes", "duration", "units" } },
		{ "calendar.schedule",
		  { "rectype", "actvcode", "resultcode", "ondate", "ontime",
		    "enddate", "duration", "ref", "notes", "link" } },
		{ "calendar.cancel", { "link" } },
		{ "note.add", { "text" } },
		{ "detail.add", { "name", "reference", "notes" } },
		{ "case.create",
		  { "subject", "description", "priority", "source", "category",
		    "type", "number", "link" } },
	};

	size_t i;
	size_t k;

	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		if (strcmp(fields[i].action, action) != 0) {
			continue;
		}
		for (k = 0; k < 12 && fields[i].keys[k]; k++) {
			if (strcmp(fields[i].keys[k], key) == 0) {
				return true;
			}
		}
	}
	return false;
}

static int load_condition(struct check *c, struct condition *cond,
                          json_object *obj, const char *path);
static void free_condition(struct condition *cond);

/* An action's own "when": conditions as for rules, but without
 * "matches" (they are read again for each event, not compiled). */
static int check_action_when(struct check *c, json_object *when,
                             const char *path)
{
	struct condition cond;
	char p[256];
	size_t i;
	int rc = 0;

	if (!json_object_is_type(when, json_type_array) ||
	    json_object_array_length(when) > MAX_CONDITIONS) {
		return check_error(c, path,
		                   "must be an array of at most %d conditions",
		                   MAX_CONDITIONS);
	}
	for (i = 0; rc == 0 && i < json_object_array_length(when); i++) {
		snprintf(p, sizeof(p), "%s/%zu", path, i);
		memset(&cond, 0, sizeof(cond));
		rc = load_condition(c, &cond,
		                    json_object_array_get_idx(when, i), p);
		if (rc == 0 && cond.kind == COND_MATCHES) {
			rc = check_error(c, p,
			                 "an action's conditions cannot use "
			                 "matches (a rule's can)");
		}
		free_condition(&cond);
	}
	return rc;
}

static int check_action(struct check *c, json_object *a, const char *path)
{
	json_object *name = NULL;
	char p[256];
	int rc;

	if (!json_object_is_type(a, json_type_object) ||
	    !json_object_object_get_ex(a, "action", &name) ||
	    !in_list(action_names, json_object_get_string(name))) {
		snprintf(p, sizeof(p), "%s/action", path);
		return check_error(
		        c, p,
		        "needs \"action\": one of contact.upsert, contact.find, email.add, email.optout, email.remove, history.add, calendar.schedule, calendar.cancel, note.add, detail.add, case.create");
	}
	json_object_object_foreach (a, key, v) {
		if (strcmp(key, "action") == 0) {
			continue;
		}
		snprintf(p, sizeof(p), "%s", path);
		gmhook__path_push(p, sizeof(p), key);
		if (strcmp(key, "when") == 0) {
			rc = check_action_when(c, v, p);
			if (rc < 0) {
				return rc;
			}
			continue;
		}
		if (strcmp(key, "warn") == 0) {
			rc = check_value(c, v, p);
			if (rc < 0) {
				return rc;
			}
			continue;
		}
		if (!action_key_ok(json_object_get_string(name), key)) {
			return check_error(
			        c, p,
			        "unknown key '%s': %s has no such field (docs/mapping.md lists each action's fields)",
			        key, json_object_get_string(name));
		}
		if (json_object_is_type(v, json_type_object) &&
		    !is_value_spec(v)) {
			rc = check_fields(c, v, p, key);
		} else {
			rc = check_value(c, v, p);
		}
		if (rc < 0) {
			return rc;
		}
	}
	return 0;
}

static int load_condition(struct check *c, struct condition *cond,
                          json_object *obj, const char *path)
{
	static const char *const kinds[] = { "equals", "exists", "one_of",
		                             "matches", NULL };
	json_object *ptr = NULL;
	int k;

	if (json_object_is_type(obj, json_type_object) &&
	    json_object_object_get_ex(obj, "record", &ptr)) {
		cond->on_record = true;
	}
	if (!json_object_is_type(obj, json_type_object) ||
	    (!ptr && !json_object_object_get_ex(obj, "pointer", &ptr)) ||
	    !json_object_is_type(ptr, json_type_string)) {
		return check_error(
		        c, path,
		        "a condition needs \"pointer\" (or \"record\") and one of equals, exists, one_of, matches");
	}
	for (k = 0; kinds[k]; k++) {
		if (json_object_object_get_ex(obj, kinds[k], &cond->arg)) {
			break;
		}
	}
	if (!kinds[k] || json_object_object_length(obj) != 2) {
		return check_error(
		        c, path,
		        "a condition needs \"pointer\" (or \"record\") and exactly one of equals, exists, one_of, matches");
	}
	if (json_object_get_string(ptr)[0] &&
	    json_object_get_string(ptr)[0] != '/') {
		char p[256];

		snprintf(p, sizeof(p), "%s/%s", path,
		         cond->on_record ? "record" : "pointer");
		return check_error(
		        c, p, "must be a JSON pointer such as \"/form_id\"");
	}
	cond->kind = k;
	cond->pointer = gmhook__strdup(json_object_get_string(ptr));
	if (k == COND_ONE_OF &&
	    !json_object_is_type(cond->arg, json_type_array)) {
		return check_error(c, path, "one_of must be an array");
	}
	if (k == COND_MATCHES) {
		if (!json_object_is_type(cond->arg, json_type_string) ||
		    regcomp(&cond->re, json_object_get_string(cond->arg),
		            REG_EXTENDED | REG_NOSUB) != 0) {
			return check_error(
			        c, path,
			        "matches must be a valid POSIX extended regular expression");
		}
		cond->re_ok = true;
	}
	return cond->pointer ? 0 : check_error(c, path, "out of memory");
}

static void free_condition(struct condition *cond)
{
	free(cond->pointer);
	cond->pointer = NULL;
	if (cond->re_ok) {
		regfree(&cond->re);
		cond->re_ok = false;
	}
}

static int copy_str(struct check *c, json_object *obj, const char *key,
                    char *dst, size_t size, const char *path, bool required)
{
	json_object *v = NULL;
	char p[256];

	snprintf(p, sizeof(p), "%s/%s", path, key);
	if (!json_object_object_get_ex(obj, key, &v)) {
		return required ? check_error(c, p, "is required") : 0;
	}
	if (!json_object_is_type(v, json_type_string) ||
	    (size_t) json_object_get_string_len(v) >= size) {
		return check_error(
		        c, p, "must be a string shorter than %zu characters",
		        size);
	}
	snprintf(dst, size, "%s", json_object_get_string(v));
	return 0;
}

static int load_mode(struct check *c, struct rule *r, json_object *obj,
                     const char *path)
{
	char mode[16] = "replace";
	char p[256];
	int rc = copy_str(c, obj, "mode", mode, sizeof(mode), path, false);

	snprintf(p, sizeof(p), "%s/mode", path);
	if (rc < 0) {
		return rc;
	}
	if (strcmp(mode, "replace") == 0) {
		r->mode = GMHOOK__RULE_REPLACE;
	} else if (strcmp(mode, "extend") == 0) {
		r->mode = GMHOOK__RULE_EXTEND;
	} else if (strcmp(mode, "ignore") == 0) {
		r->mode = GMHOOK__RULE_IGNORE;
	} else {
		return check_error(
		        c, p, "must be \"replace\", \"extend\" or \"ignore\"");
	}
	return copy_str(c, obj, "reason", r->reason, sizeof(r->reason), path,
	                false);
}

static int load_rule(struct check *c, struct rule *r, json_object *obj,
                     const char *path)
{
	static const char *const keys[] = { "name",    "source", "event",
		                            "when",    "mode",   "reason",
		                            "actions", "each",   NULL };
	json_object *when = NULL;
	json_object *each = NULL;
	char p[256];
	size_t i;
	int rc;

	if (!json_object_is_type(obj, json_type_object)) {
		return check_error(c, path, "a rule must be an object");
	}
	json_object_object_foreach (obj, key, v) {
		(void) v;
		if (!in_list(keys, key)) {
			snprintf(p, sizeof(p), "%s", path);
			gmhook__path_push(p, sizeof(p), key);
			return check_error(
			        c, p,
			        "unknown key '%s' (name, source, event, when, mode, reason, actions, each)",
			        key);
		}
	}
	snprintf(r->path, sizeof(r->path), "%s", path);
	snprintf(r->event, sizeof(r->event), "*");
	if (c->source) {
		/* A source's own mapping file: "source" may be left out,
		 * and may not name another source. */
		snprintf(r->source, sizeof(r->source), "%s", c->source);
	}
	rc = copy_str(c, obj, "source", r->source, sizeof(r->source), path,
	              !c->source);
	if (rc == 0 && c->source && strcmp(r->source, c->source) != 0) {
		snprintf(p, sizeof(p), "%s/source", path);
		rc = check_error(
		        c, p,
		        "this file is the mapping of source '%s' "
		        "(sources/%s/mapping); a rule cannot name '%s'",
		        c->source, c->source, r->source);
	}
	if (rc == 0) {
		rc = copy_str(c, obj, "name", r->name, sizeof(r->name), path,
		              false);
	}
	if (rc == 0) {
		rc = copy_str(c, obj, "event", r->event, sizeof(r->event), path,
		              false);
	}
	if (rc == 0 && strcmp(r->source, "*") != 0 &&
	    !gmhook__source_find(r->source)) {
		snprintf(p, sizeof(p), "%s/source", path);
		rc = check_error(c, p,
		                 "unknown source '%s' (see gmhook sources)",
		                 r->source);
	}
	if (rc == 0) {
		rc = load_mode(c, r, obj, path);
	}
	if (rc == 0 && json_object_object_get_ex(obj, "each", &each)) {
		snprintf(p, sizeof(p), "%s/each", path);
		if (!is_string(each) ||
		    json_object_get_string(each)[0] != '/') {
			return check_error(
			        c, p,
			        "must be a record pointer such as \"/recipients\"");
		}
		r->each = json_object_get_string(each);
	}
	if (rc == 0 && json_object_object_get_ex(obj, "when", &when)) {
		snprintf(p, sizeof(p), "%s/when", path);
		if (!json_object_is_type(when, json_type_array) ||
		    json_object_array_length(when) > MAX_CONDITIONS) {
			return check_error(
			        c, p,
			        "must be an array of at most %d conditions",
			        MAX_CONDITIONS);
		}
		for (i = 0; rc == 0 && i < json_object_array_length(when);
		     i++) {
			snprintf(p, sizeof(p), "%s/when/%zu", path, i);
			rc = load_condition(c, &r->conds[i],
			                    json_object_array_get_idx(when, i),
			                    p);
			r->n_conds = i + 1;
		}
	}
	if (rc == 0 && r->mode != GMHOOK__RULE_IGNORE) {
		snprintf(p, sizeof(p), "%s/actions", path);
		if (!json_object_object_get_ex(obj, "actions", &r->actions) ||
		    !json_object_is_type(r->actions, json_type_array)) {
			return check_error(c, p, "must be an array of actions");
		}
		for (i = 0; rc == 0 && i < json_object_array_length(r->actions);
		     i++) {
			snprintf(p, sizeof(p), "%s/actions/%zu", path, i);
			rc = check_action(
			        c, json_object_array_get_idx(r->actions, i), p);
		}
	}
	return rc;
}

static int parse_json(struct check *c, const char *text, size_t len,
                      json_object **out)
{
	struct json_tokener *tok = json_tokener_new_ex(64);
	int rc = 0;

	if (!tok) {
		return check_error(c, "", "out of memory");
	}
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	*out = json_tokener_parse_ex(tok, text, (int) len);
	if (!*out || !json_object_is_type(*out, json_type_object)) {
		rc = check_error(
		        c, "", "not a JSON object (byte %zu: %s)",
		        json_tokener_get_parse_end(tok),
		        json_tokener_error_desc(json_tokener_get_error(tok)));
	}
	json_tokener_free(tok);
	return rc;
}

static int read_json_file(struct check *c, json_object **out)
{
	FILE *f = fopen(c->file, "rb");
	char *buf;
	size_t len;
	int rc;

	if (!f) {
		return check_error(c, "", "cannot open the mapping file");
	}
	buf = malloc(4 * 1024 * 1024 + 1);
	len = buf ? fread(buf, 1, 4 * 1024 * 1024 + 1, f) : 0;
	fclose(f);
	if (!buf || len > 4 * 1024 * 1024) {
		rc = check_error(c, "", "larger than 4 MiB or out of memory");
	} else {
		rc = parse_json(c, buf, len, out);
	}
	free(buf);
	return rc;
}

/* Check @p doc and add its rules to *@p mp (created on first use); the
 * rules borrow from the document, which *@p mp keeps. */
static int load_doc(struct gmhook__mappings **mp, struct check *c,
                    json_object *doc)
{
	struct gmhook__mappings *m = *mp;
	json_object *rules = NULL;
	char path[32];
	size_t i;
	int rc;

	if (!m) {
		m = *mp = calloc(1, sizeof(*m));
		if (!m) {
			json_object_put(doc);
			return check_error(c, "", "out of memory");
		}
	}
	if (m->n_docs == sizeof(m->docs) / sizeof(m->docs[0])) {
		json_object_put(doc);
		return check_error(c, "",
		                   "too many mapping files (%zu at most)",
		                   sizeof(m->docs) / sizeof(m->docs[0]));
	}
	m->docs[m->n_docs++] = doc; /* kept: rules borrow from it */
	json_object_object_foreach (doc, key, v) {
		(void) v;
		if (strcmp(key, "rules") != 0 && strcmp(key, "comment") != 0) {
			snprintf(path, sizeof(path), "/%s", key);
			return check_error(
			        c, path,
			        "unknown key (a mapping file has \"rules\")");
		}
	}
	if (!json_object_object_get_ex(doc, "rules", &rules) ||
	    !json_object_is_type(rules, json_type_array)) {
		return check_error(c, "/rules", "must be an array of rules");
	}
	for (i = 0; i < json_object_array_length(rules); i++) {
		struct rule *r;

		if (m->n_rules == MAX_RULES) {
			return check_error(c, "/rules", "more than %d rules",
			                   MAX_RULES);
		}
		r = &m->rules[m->n_rules++];
		r->file = gmhook__strdup(c->file);
		snprintf(path, sizeof(path), "/rules/%zu", i);
		rc = load_rule(c, r, json_object_array_get_idx(rules, i), path);
		if (rc < 0) {
			return rc;
		}
	}
	return 0;
}

int gmhook__mappings_load(struct gmhook_ctx *ctx, const char *file,
                          const char *source, struct gmhook_error *err)
{
	struct check c = { file, err, source };
	json_object *doc = NULL;
	int rc = read_json_file(&c, &doc);

	if (rc < 0) {
		json_object_put(doc);
		return rc;
	}
	return load_doc(&ctx->mappings, &c, doc);
}

int gmhook__mappings_load_text(struct gmhook__mappings **mp, const char *name,
                               const char *text, size_t len,
                               struct gmhook_error *err)
{
	struct check c = { name, err, NULL };
	json_object *doc = NULL;
	int rc = parse_json(&c, text, len, &doc);

	if (rc < 0) {
		json_object_put(doc);
		return rc;
	}
	return load_doc(mp, &c, doc);
}

void gmhook__mappings_free(struct gmhook__mappings *m)
{
	size_t i;
	size_t k;

	if (!m) {
		return;
	}
	for (i = 0; i < m->n_rules; i++) {
		for (k = 0; k < m->rules[i].n_conds; k++) {
			free_condition(&m->rules[i].conds[k]);
		}
		free(m->rules[i].file);
	}
	for (i = 0; i < m->n_docs; i++) {
		json_object_put(m->docs[i]);
	}
	free(m);
}

size_t gmhook__mappings_count(const struct gmhook__mappings *m)
{
	return m ? m->n_rules : 0;
}

/* ==== Matching ==== */

/* The text of a JSON value as a mapping sees it: strings as they are,
 * numbers and booleans as JSON, arrays joined by ", ". Caller frees. */
static char *value_text(json_object *v)
{
	struct gmhook__buf b = { 0 };
	size_t i;

	if (!v || json_object_is_type(v, json_type_null)) {
		return NULL;
	}
	if (json_object_is_type(v, json_type_string)) {
		return gmhook__strdup(json_object_get_string(v));
	}
	if (json_object_is_type(v, json_type_array)) {
		for (i = 0; i < json_object_array_length(v); i++) {
			char *s = value_text(json_object_array_get_idx(v, i));

			if (s) {
				gmhook__buf_addf(&b, "%s%s", b.len ? ", " : "",
				                 s);
				free(s);
			}
		}
		return gmhook__buf_steal(&b);
	}
	return gmhook__strdup(json_object_to_json_string_ext(
	        v, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
}

static bool condition_holds(const struct condition *c, json_object *data,
                            json_object *record)
{
	json_object *v = gmhook__get(c->on_record ? record : data, c->pointer);
	char *text = value_text(v);
	bool holds = false;
	size_t i;

	switch (c->kind) {
	case COND_EXISTS:
		holds = (text && text[0]) == json_object_get_boolean(c->arg);
		break;
	case COND_EQUALS:
		holds = text &&
		        strcmp(text, json_object_get_string(c->arg)) == 0;
		break;
	case COND_ONE_OF:
		for (i = 0; text && i < json_object_array_length(c->arg); i++) {
			holds = holds ||
			        strcmp(text, json_object_get_string(
			                             json_object_array_get_idx(
			                                     c->arg, i))) == 0;
		}
		break;
	default:
		holds = text && regexec(&c->re, text, 0, NULL, 0) == 0;
	}
	free(text);
	return holds;
}

const struct gmhook__rule *
gmhook__mappings_match(const struct gmhook__mappings *m, const char *source,
                       const char *event, json_object *data,
                       json_object *record)
{
	size_t i;
	size_t k;

	for (i = 0; m && i < m->n_rules; i++) {
		const struct rule *r = &m->rules[i];
		bool ok = (strcmp(r->source, "*") == 0 ||
		           strcmp(r->source, source) == 0) &&
		          (strcmp(r->event, "*") == 0 ||
		           strcmp(r->event, event) == 0);

		for (k = 0; ok && k < r->n_conds; k++) {
			ok = condition_holds(&r->conds[k], data, record);
		}
		if (ok) {
			return (const struct gmhook__rule *) r;
		}
	}
	return NULL;
}

int gmhook__rule_mode(const struct gmhook__rule *rule)
{
	return ((const struct rule *) rule)->mode;
}

const char *gmhook__rule_reason(const struct gmhook__rule *rule)
{
	const struct rule *r = (const struct rule *) rule;

	return r->reason[0] ? r->reason : "ignored by a mapping rule";
}

/* ==== Evaluating values ==== */

struct eval {
	struct gmhook__plan_builder *pb;
	const struct rule *rule;
	struct gmhook__item *item;
	json_object *explain; /* NULL unless explaining */
	json_object *steps;   /* transforms applied to the current value */
	const char *pointer;  /* the pointer read for the current value */
	const char *record;   /* the record key read for the current value */
};

/* Change the case of one character at @p p (ASCII, or a Latin-1 letter
 * encoded as 0xC3 0x80..0xBE in UTF-8, as SQL Server's UPPER does);
 * returns the number of bytes the character takes. */
static size_t set_case(unsigned char *p, bool upper)
{
	if (p[0] == 0xc3 && p[1] >= 0x80 && p[1] <= 0xbe && p[1] != 0x97 &&
	    p[1] != 0xb7) {
		if (upper && p[1] >= 0xa0) {
			p[1] = (unsigned char) (p[1] - 0x20);
		} else if (!upper && p[1] < 0xa0 && p[1] != 0x9f) {
			p[1] = (unsigned char) (p[1] + 0x20);
		}
		return 2;
	}
	if (p[0] < 0x80) {
		p[0] = (unsigned char) (upper ? toupper(p[0]) : tolower(p[0]));
	}
	return 1;
}

static bool is_letter(const unsigned char *p)
{
	return isalpha(p[0]) || (p[0] == 0xc3 && p[1] >= 0x80 && p[1] <= 0xbe &&
	                         p[1] != 0x97 && p[1] != 0xb7);
}

static char *change_case(char *s, int mode)
{
	unsigned char *p = (unsigned char *) s;
	bool start = true;

	while (*p) {
		if (mode != 't') {
			p += set_case(p, mode == 'u');
		} else if (is_letter(p)) {
			p += set_case(p, start);
			start = false;
		} else {
			start = *p == ' ' || *p == '-' || *p == '\'';
			p++;
		}
	}
	return s;
}

static char *trim(char *s)
{
	size_t n = strlen(s);
	size_t lead = strspn(s, " \t\r\n");

	while (n > lead && strchr(" \t\r\n", s[n - 1])) {
		n--;
	}
	memmove(s, s + lead, n - lead);
	s[n - lead] = '\0';
	return s;
}

/* First or last part of a full name: "Ada King Lovelace" → "Ada" /
 * "King Lovelace" is wrong for GoldMine's LASTNAME, so last = last word. */
static char *name_part(char *s, bool first)
{
	char *space;

	trim(s);
	space = first ? strchr(s, ' ') : strrchr(s, ' ');
	if (!space) {
		if (!first) {
			s[0] = '\0';
		}
		return s;
	}
	if (first) {
		*space = '\0';
		return s;
	}
	memmove(s, space + 1, strlen(space + 1) + 1);
	return s;
}

/* E.164: keep digits; a leading '+' or "00" means the number carries its
 * country code, otherwise the configured default country's is added. */
static char *e164(char *s, const char *country)
{
	char out[40];
	size_t n = 0;
	const char *p = s;
	bool international = false;

	while (*p == ' ') {
		p++;
	}
	if (*p == '+') {
		international = true;
	} else if (p[0] == '0' && p[1] == '0') {
		international = true;
		p += 2;
	}
	out[n++] = '+';
	if (!international) {
		n += (size_t) snprintf(out + n, sizeof(out) - n, "%s", country);
		if (p[0] == '0') {
			p++; /* national trunk prefix */
		}
	}
	for (; *p && n + 1 < sizeof(out); p++) {
		if (isdigit((unsigned char) *p)) {
			out[n++] = *p;
		}
	}
	out[n] = '\0';
	free(s);
	/* E.164 numbers have at least 7 digits after the '+'; anything
	 * shorter is not a phone number, and the value becomes absent. */
	return n < 8 ? NULL : gmhook__strdup(out);
}

static char *date_part(char *s, bool date, const char *input_format)
{
	struct tm tm = { 0 };
	char buf[16];
	int64_t t;
	char *end;

	if (input_format) {
		end = strptime(s, input_format, &tm);
		if (!end || *end) {
			s[0] = '\0';
			return s;
		}
		tm.tm_isdst = -1;
		t = (int64_t) mktime(&tm); /* the input is in the server zone */
	} else if (!gmhook__time_parse(s, &t)) {
		s[0] = '\0';
		return s;
	}
	gmhook__time_local(t, &tm);
	strftime(buf, sizeof(buf), date ? "%Y-%m-%d" : "%H:%M", &tm);
	free(s);
	return gmhook__strdup(buf);
}

static char *apply_named(char *s, const char *name, const char *country)
{
	if (strcmp(name, "trim") == 0) {
		return trim(s);
	}
	if (strcmp(name, "lower") == 0 || strcmp(name, "upper") == 0 ||
	    strcmp(name, "title") == 0) {
		return change_case(s, name[0]);
	}
	if (strcmp(name, "first_name") == 0 || strcmp(name, "last_name") == 0) {
		return name_part(s, name[0] == 'f');
	}
	if (strcmp(name, "e164") == 0) {
		return e164(s, country);
	}
	if (strcmp(name, "digits") == 0) {
		char *w = s;
		char *p;

		for (p = s; *p; p++) {
			if (isdigit((unsigned char) *p)) {
				*w++ = *p;
			}
		}
		*w = '\0';
		return s;
	}
	return date_part(s, strcmp(name, "date") == 0, NULL);
}

/* Replace every @p from in @p s by @p to; returns a new string. */
static char *replace_all(char *s, const char *from, const char *to)
{
	struct gmhook__buf b = { 0 };
	size_t from_len = strlen(from);
	const char *p = s;
	const char *hit;

	if (!from_len) {
		return s;
	}
	while ((hit = strstr(p, from)) != NULL) {
		gmhook__buf_add(&b, p, (size_t) (hit - p));
		gmhook__buf_adds(&b, to);
		p = hit + from_len;
	}
	gmhook__buf_adds(&b, p);
	free(s);
	return gmhook__buf_steal(&b);
}

static char *apply_object(char *s, const char *key, json_object *arg,
                          json_object *raw)
{
	if (strcmp(key, "truncate") == 0) {
		size_t cut = gmhook__utf8_prefix(
		        s, (size_t) json_object_get_int(arg));

		s[cut] = '\0';
		return s;
	}
	if (strcmp(key, "default") == 0) {
		if (!s[0]) {
			free(s);
			return gmhook__strdup(json_object_get_string(arg));
		}
		return s;
	}
	if (strcmp(key, "join") == 0 &&
	    json_object_is_type(raw, json_type_array)) {
		struct gmhook__buf b = { 0 };
		size_t i;

		for (i = 0; i < json_object_array_length(raw); i++) {
			char *t = value_text(json_object_array_get_idx(raw, i));

			if (t) {
				gmhook__buf_addf(
				        &b, "%s%s",
				        b.len ? json_object_get_string(arg)
				              : "",
				        t);
				free(t);
			}
		}
		free(s);
		return gmhook__buf_steal(&b);
	}
	if (strcmp(key, "replace") == 0) {
		return replace_all(s,
		                   gmhook__get_str(arg, "/from")
		                           ? gmhook__get_str(arg, "/from")
		                           : "",
		                   gmhook__get_str(arg, "/to")
		                           ? gmhook__get_str(arg, "/to")
		                           : "");
	}
	if (strcmp(key, "lookup") == 0) {
		json_object *hit = NULL;
		json_object *table = gmhook__get(arg, "/table");

		if (json_object_object_get_ex(table, s, &hit) ||
		    json_object_object_get_ex(arg, "default", &hit)) {
			char *found = value_text(hit);

			free(s);
			return found ? found : gmhook__strdup("");
		}
		return s;
	}
	if (strcmp(key, "date") == 0) {
		return date_part(
		        s,
		        !gmhook__str_ieq(gmhook__get_str(arg, "/output"),
		                         "time"),
		        gmhook__get_str(arg, "/input"));
	}
	return s;
}

static char *apply_transforms(struct eval *e, char *s, json_object *list,
                              json_object *raw)
{
	const char *country = gmhook__plan_ctx(e->pb)->phone_country;
	size_t i;

	for (i = 0; s && i < json_object_array_length(list); i++) {
		json_object *t = json_object_array_get_idx(list, i);

		if (e->steps) {
			json_object_array_add(e->steps, json_object_get(t));
		}
		if (json_object_is_type(t, json_type_string)) {
			s = apply_named(s, json_object_get_string(t),
			                country[0] ? country : "1");
			continue;
		}
		json_object_object_foreach (t, key, arg) {
			s = apply_object(s, key, arg, raw);
		}
	}
	return s;
}

static void note_transforms(struct eval *e, json_object *list)
{
	size_t i;

	for (i = 0; e->steps && json_object_is_type(list, json_type_array) &&
	            i < json_object_array_length(list);
	     i++) {
		json_object_array_add(
		        e->steps,
		        json_object_get(json_object_array_get_idx(list, i)));
	}
}

/* Does the value's transform list hold a "default"? */
static bool has_default(json_object *v)
{
	json_object *list = gmhook__get(v, "/transforms");
	size_t i;

	for (i = 0; json_object_is_type(list, json_type_array) &&
	            i < json_object_array_length(list);
	     i++) {
		if (json_object_object_get_ex(
		            json_object_array_get_idx(list, i), "default",
		            NULL)) {
			return true;
		}
	}
	return false;
}

/* {"meta": KEY}: the source's label, or the event's type, id or time. */
static char *meta_text(struct eval *e, const char *key)
{
	json_object *m = NULL;

	if (strcmp(key, "label") == 0) {
		struct gmhook_ctx *ctx = gmhook__plan_ctx(e->pb);

		return gmhook__strdup(ctx->source_label ? ctx->source_label
		                                        : e->item->label);
	}
	/* "type", "id", "time": members of the event's entry, not
	 * pointers. */
	if (json_object_object_get_ex(e->item->meta, key, &m) &&
	    json_object_is_type(m, json_type_string)) {
		return gmhook__strdup(json_object_get_string(m));
	}
	return NULL;
}

/* Evaluate a value spec to a string (caller frees) or NULL (absent). */
static char *evaluate(struct eval *e, json_object *v)
{
	json_object *x = NULL;
	json_object *raw = NULL;
	struct spec sp;
	char *s = NULL;
	size_t i;

	if (!spec_read(v, &sp)) {
		return value_text(v);
	}
	x = sp.arg;
	switch (sp.kind) {
	case SPEC_RECORD:
		/* The source's record says where it read the value (a
		 * pointer in the event) when it read it as is. */
		e->record = json_object_get_string(x);
		raw = gmhook__get(e->item->record, e->record);
		e->pointer = gmhook__get_str(
		        gmhook__get(e->item->record, "/_from"), e->record);
		s = value_text(raw);
		break;
	case SPEC_POINTER:
		e->pointer = json_object_get_string(x);
		raw = gmhook__get(e->item->data, e->pointer);
		s = value_text(raw);
		break;
	case SPEC_META:
		s = meta_text(e, json_object_get_string(x));
		break;
	case SPEC_FIRST:
		/* The first part that gives a non-empty text. */
		for (i = 0; !s && i < json_object_array_length(x); i++) {
			s = evaluate(e, json_object_array_get_idx(x, i));
			if (s && !s[0]) {
				free(s);
				s = NULL;
			}
		}
		break;
	case SPEC_LITERAL:
		s = value_text(x);
		break;
	default: {
		struct gmhook__buf b = { 0 };
		const char *sep = gmhook__get_str(v, "/separator");

		for (i = 0; i < json_object_array_length(x); i++) {
			char *part =
			        evaluate(e, json_object_array_get_idx(x, i));

			if (part && part[0]) {
				gmhook__buf_addf(&b, "%s%s",
				                 b.len ? (sep ? sep : " ") : "",
				                 part);
			}
			free(part);
		}
		s = gmhook__buf_steal(&b);
	}
	}
	if (!s &&
	    (sp.kind == SPEC_POINTER || sp.kind == SPEC_RECORD ||
	     sp.kind == SPEC_FIRST) &&
	    !has_default(v)) {
		/* Absent stays absent: never blank a field. Explain still
		 * lists the transforms the rule names. */
		note_transforms(e, sp.transforms);
		return NULL;
	}
	if (sp.transforms) {
		if (!s) {
			s = gmhook__strdup("");
		}
		s = apply_transforms(e, s, sp.transforms, raw);
	}
	if (s && strlen(s) > VALUE_MAX) {
		s[gmhook__utf8_prefix(s, VALUE_MAX)] = '\0';
	}
	return s;
}

/* @p a then @p b into @p dst, cut to fit (snprintf costs more here, once
 * per field of every event). */
static void join2(char *dst, size_t size, const char *a, const char *b)
{
	size_t na = strlen(a);
	size_t nb = strlen(b);

	if (na >= size) {
		na = size - 1;
	}
	if (nb >= size - na) {
		nb = size - na - 1;
	}
	memcpy(dst, a, na);
	memcpy(dst + na, b, nb);
	dst[na + nb] = '\0';
}

/* The column a field of an action is written to, for its size. */
static size_t field_size(const char *action, const char *group, const char *key,
                         char *column, size_t size)
{
	static const struct {
		const char *action;
		const char *key;
		const char *column;
		size_t size;
	} sizes[] = {
		{ "history.add", "ref", "CONTHIST.REF", 65 },
		{ "history.add", "actvcode", "CONTHIST.ACTVCODE", 3 },
		{ "history.add", "resultcode", "CONTHIST.RESULTCODE", 3 },
		{ "history.add", "duration", "CONTHIST.DURATION", 8 },
		{ "history.add", "units", "CONTHIST.UNITS", 8 },
		{ "calendar.schedule", "ref", "CAL.REF", 65 },
		{ "calendar.schedule", "actvcode", "CAL.ACTVCODE", 3 },
		{ "detail.add", "name", "CONTSUPP.CONTACT", 40 },
		{ "detail.add", "reference", "CONTSUPP.CONTSUPREF", 35 },
		{ "case.create", "subject", "CASES.SUBJECT", 200 },
		{ "case.create", "priority", "CASES.PRIORITY", 40 },
		{ "case.create", "number", "CASES.NUMBER", 40 },
		{ "case.create", "source", "CASES.SOURCE", 40 },
		{ "case.create", "category", "CASES.CATEGORY", 40 },
		{ "case.create", "type", "CASES.FTYPE", 40 },
		{ "case.create", "link", "GMHOOK_LINK.LINKKEY", 200 },
	};

	size_t i;

	if (group && (strcmp(group, "contact1") == 0 ||
	              strcmp(group, "contact1_new") == 0)) {
		join2(column, size, "CONTACT1.", key);
		return gmhook__column_size("CONTACT1", key);
	}
	if (group && strcmp(group, "contact2") == 0) {
		join2(column, size, "CONTACT2.", key);
		return strncmp(key, "USERDEF", 7) == 0 ? 10 : 0;
	}
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		if (strcmp(sizes[i].action, action) == 0 &&
		    strcmp(sizes[i].key, key) == 0) {
			join2(column, size, "", sizes[i].column);
			return sizes[i].size;
		}
	}
	join2(column, size, "", key);
	return 0;
}

static void explain_field(struct eval *e, size_t index, const char *name,
                          const char *value)
{
	json_object *x = json_object_new_object();
	char where[160];

	if (!x) {
		return;
	}
	snprintf(where, sizeof(where), "%s%s", e->rule->file, e->rule->path);
	json_object_object_add(x, "action", json_object_new_int((int) index));
	json_object_object_add(x, "field", json_object_new_string(name));
	json_object_object_add(x, "rule", json_object_new_string(where));
	if (e->rule->name[0]) {
		json_object_object_add(x, "rule_name",
		                       json_object_new_string(e->rule->name));
	}
	if (e->record) {
		json_object_object_add(x, "record",
		                       json_object_new_string(e->record));
	}
	if (e->pointer) {
		char full[256];

		gmhook__path_join(full, sizeof(full), e->item->pointer,
		                  e->pointer);
		json_object_object_add(x, "pointer",
		                       json_object_new_string(full));
	}
	json_object_object_add(x, "transforms", e->steps);
	e->steps = NULL;
	json_object_object_add(x, "value",
	                       value ? json_object_new_string(value) : NULL);
	json_object_array_add(e->explain, x);
}

/* A value with "type" goes into the plan as a JSON number or boolean; a
 * text that is not a whole number leaves the field out. */
static void set_type(json_object *dst, const char *key, const char *type)
{
	json_object *v = NULL;
	const char *text;
	char *end;
	long long n;

	if (!type || !json_object_object_get_ex(dst, key, &v)) {
		return;
	}
	text = json_object_get_string(v);
	if (strcmp(type, "boolean") == 0) {
		json_object_object_add(
		        dst, key,
		        json_object_new_boolean(strcmp(text, "true") == 0 ||
		                                strcmp(text, "1") == 0));
		return;
	}
	errno = 0;
	n = strtoll(text, &end, 10);
	if (text[0] && !*end && errno == 0) {
		json_object_object_add(dst, key, json_object_new_int64(n));
	} else {
		json_object_object_del(dst, key);
	}
}

static int emit_field(struct eval *e, json_object *dst, const char *action,
                      const char *group, const char *key, json_object *spec,
                      size_t index, struct gmhook_error *err)
{
	char column[64];
	char name[96];
	char path[256];
	size_t max = field_size(action, group, key, column, sizeof(column));
	char *value;
	int rc;

	e->pointer = NULL;
	e->record = NULL;
	e->steps = e->explain ? json_object_new_array() : NULL;
	if (!is_value_spec(spec) &&
	    !json_object_is_type(spec, json_type_string)) {
		/* Numbers and booleans pass through (duration, primary). */
		json_object_object_add(dst, key, json_object_get(spec));
		json_object_put(e->steps);
		e->steps = NULL;
		return 0;
	}
	value = evaluate(e, spec);
	if (e->pointer) {
		gmhook__path_join(path, sizeof(path), e->item->pointer,
		                  e->pointer);
	}
	rc = gmhook__plan_set(e->pb, dst, key, value, max, column,
	                      e->pointer ? path : NULL, err);
	if (rc == 0 && json_object_is_type(spec, json_type_object) &&
	    json_object_object_length(spec) > 1) {
		set_type(dst, key, gmhook__get_str(spec, "/type"));
	}
	if (e->explain) {
		json_object *set = NULL;

		snprintf(name, sizeof(name), "%s%s%s", group ? group : "",
		         group ? "/" : "", key);
		json_object_object_get_ex(dst, key, &set);
		explain_field(e, index, name,
		              set ? json_object_get_string(set) : NULL);
	}
	json_object_put(e->steps);
	e->steps = NULL;
	free(value);
	return rc;
}

/* Do an action's own conditions hold for the event? */
static bool action_when_holds(struct eval *e, json_object *when)
{
	static const char *const kinds[] = { "equals", "exists", "one_of",
		                             NULL };
	struct condition c;
	bool ok = true;
	size_t i;
	int k;

	for (i = 0; ok && i < json_object_array_length(when); i++) {
		json_object *obj = json_object_array_get_idx(when, i);
		json_object *ptr = NULL;

		memset(&c, 0, sizeof(c));
		c.on_record = json_object_object_get_ex(obj, "record", &ptr);
		if (!c.on_record) {
			json_object_object_get_ex(obj, "pointer", &ptr);
		}
		c.pointer = (char *) json_object_get_string(ptr);
		for (k = 0; kinds[k]; k++) {
			if (json_object_object_get_ex(obj, kinds[k], &c.arg)) {
				c.kind = k;
				break;
			}
		}
		ok = kinds[k] &&
		     condition_holds(&c, e->item->data, e->item->record);
	}
	return ok;
}

static int emit_action(struct eval *e, json_object *spec, size_t index,
                       struct gmhook_error *err)
{
	const char *name = gmhook__get_str(spec, "/action");
	json_object *when = gmhook__get(spec, "/when");
	json_object *action;
	json_object *match;
	int rc = 0;

	if (when && !action_when_holds(e, when)) {
		json_object *warn = gmhook__get(spec, "/warn");
		char *text = warn ? evaluate(e, warn) : NULL;

		if (text && text[0]) {
			gmhook__plan_warn(e->pb, "%s", text);
		}
		free(text);
		return 0;
	}
	action = gmhook__plan_action(e->pb, name);
	if (!action) {
		return gmhook__error_set(err, GMHOOK_ENOMEM, MAP, "",
		                         "out of memory");
	}
	json_object_object_foreach (spec, key, v) {
		if (rc < 0 || strcmp(key, "action") == 0 ||
		    strcmp(key, "when") == 0 || strcmp(key, "warn") == 0) {
			continue;
		}
		if (json_object_is_type(v, json_type_object) &&
		    !is_value_spec(v)) {
			json_object *group = json_object_new_object();

			json_object_object_add(action, key, group);
			json_object_object_foreach (v, field, fv) {
				if (rc == 0) {
					rc = emit_field(e, group, name, key,
					                field, fv, index, err);
				}
			}
		} else {
			rc = emit_field(e, action, name, NULL, key, v, index,
			                err);
		}
	}
	match = gmhook__get(action, "/match");
	if (rc == 0 &&
	    (strcmp(name, "contact.upsert") == 0 ||
	     strcmp(name, "contact.find") == 0) &&
	    (!json_object_is_type(match, json_type_object) ||
	     json_object_object_length(match) == 0)) {
		rc = gmhook__error_set(
		        err, GMHOOK_EMAP, MAP, e->item->pointer,
		        "the event names no e-mail address or phone number");
	}
	return rc;
}

static int apply_actions(const struct rule *r, struct gmhook__plan_builder *pb,
                         struct gmhook__item *item, json_object *explain,
                         struct gmhook_error *err)
{
	struct eval e = { pb, r, item, explain, NULL, NULL, NULL };
	size_t i;
	int rc = 0;

	/* An action skipped by its "when" takes no index in the plan. */
	for (i = 0; rc == 0 && i < json_object_array_length(r->actions); i++) {
		rc = emit_action(&e, json_object_array_get_idx(r->actions, i),
		                 gmhook__plan_action_count(pb), err);
	}
	return rc;
}

/* With "each", the actions run once per element of that record array,
 * reading the element as their record. */
int gmhook__rule_apply(const struct gmhook__rule *rule,
                       struct gmhook__plan_builder *pb,
                       struct gmhook__item *item, json_object *explain,
                       struct gmhook_error *err)
{
	const struct rule *r = (const struct rule *) rule;
	json_object *whole = item->record;
	json_object *list;
	size_t k;
	int rc = 0;

	if (!r->each) {
		return apply_actions(r, pb, item, explain, err);
	}
	list = gmhook__get(whole, r->each);
	for (k = 0; rc == 0 && json_object_is_type(list, json_type_array) &&
	            k < json_object_array_length(list);
	     k++) {
		item->record = json_object_array_get_idx(list, k);
		rc = apply_actions(r, pb, item, explain, err);
	}
	item->record = whole;
	return rc;
}

int gmhook__mappings_contact2(const struct gmhook__mappings *m,
                              int (*fn)(const char *file, const char *pointer,
                                        const char *column, void *arg),
                              void *arg)
{
	char pointer[256];
	size_t i;
	size_t k;
	int rc;

	for (i = 0; m && i < m->n_rules; i++) {
		const struct rule *r = &m->rules[i];

		for (k = 0;
		     r->actions && k < json_object_array_length(r->actions);
		     k++) {
			json_object *c2 = gmhook__get(
			        json_object_array_get_idx(r->actions, k),
			        "/contact2");

			if (!json_object_is_type(c2, json_type_object)) {
				continue;
			}
			json_object_object_foreach (c2, column, v) {
				(void) v;
				snprintf(pointer, sizeof(pointer),
				         "%s/actions/%zu/contact2", r->path, k);
				gmhook__path_push(pointer, sizeof(pointer),
				                  column);
				rc = fn(r->file, pointer, column, arg);
				if (rc < 0) {
					return rc;
				}
			}
		}
	}
	return 0;
}
