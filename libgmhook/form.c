/* SPDX-License-Identifier: MIT */
/*
 * Decoder for application/x-www-form-urlencoded bodies, part of the parse
 * stage: it turns a plain HTML form, Mailchimp, Elementor or Twilio
 * delivery into a JSON object that the source modules then read like any
 * JSON body. The field-name grammar ("a[b][]", repeated names) lives here
 * too and is shared with multipart.c through form.h.
 */
#include <assert.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "form.h"
#include "gmhook-private.h"

/* Longest part of a field name quoted in a message, in bytes. */
#define NAME_SHOWN_MAX 60

/*
 * The userdata of an object value (a file part). Its address marks the
 * object as a leaf, so a later field cannot nest into it.
 */
static char leaf_marker;

/* One gmhook__form_insert() call: what its messages need. */
struct insertion {
	const char *key;
	size_t key_len;
	size_t offset;
	char path[sizeof(((struct gmhook_error *) 0)->path)];
	struct gmhook_error *err;
};

/* Walks the tokens of a field name: the base, then each bracket segment. */
struct name_cursor {
	const char *key;
	size_t len;
	size_t pos; /* where the next token starts */
	bool segmented;
	uint32_t depth; /* tokens taken so far */
};

static int fail_nomem(struct gmhook_error *err)
{
	return gmhook__error_set(err, GMHOOK_ENOMEM, GMHOOK_STAGE_PARSE, "",
	                         "out of memory decoding the form");
}

/* How much of a field name to quote: at most NAME_SHOWN_MAX bytes, cut on
 * a character boundary (names are checked to be UTF-8 before quoting). */
static int name_shown(const char *key, size_t len)
{
	size_t n = len;

	if (n > NAME_SHOWN_MAX) {
		n = NAME_SHOWN_MAX;
		while (n > 0 && (key[n] & 0xC0) == 0x80) {
			n--;
		}
	}
	return (int) n;
}

/*
 * Is @p key exactly base[s1][s2]... with a non-empty base free of '[' and
 * segments free of '[' and ']'? Anything else is one literal key.
 */
static bool name_has_segments(const char *key, size_t len)
{
	size_t i = 0;

	while (i < len && key[i] != '[') {
		i++;
	}
	if (i == 0 || i == len) {
		return false;
	}
	while (i < len) {
		if (key[i] != '[') {
			return false;
		}
		i++;
		while (i < len && key[i] != '[' && key[i] != ']') {
			i++;
		}
		if (i == len || key[i] != ']') {
			return false;
		}
		i++;
	}
	return true;
}

static void cursor_init(struct name_cursor *c, const char *key, size_t len)
{
	c->key = key;
	c->len = len;
	c->pos = 0;
	c->segmented = name_has_segments(key, len);
	c->depth = 0;
}

/*
 * Copy the next token into @p name (room for the whole key plus a NUL).
 * *append tells a "[]" segment.
 */
static void cursor_next(struct name_cursor *c, char *name, bool *append)
{
	size_t start = c->pos;
	size_t end = c->len;

	*append = false;
	if (c->segmented && c->depth == 0) {
		end = (size_t) ((const char *) memchr(c->key, '[', c->len) -
		                c->key);
		c->pos = end;
	} else if (c->segmented) {
		start = c->pos + 1;
		end = (size_t) ((const char *) memchr(c->key + start, ']',
		                                      c->len - start) -
		                c->key);
		c->pos = end + 1;
		*append = end == start;
	} else {
		c->pos = c->len;
	}
	memcpy(name, c->key + start, end - start);
	name[end - start] = '\0';
	c->depth++;
}

static bool cursor_done(const struct name_cursor *c)
{
	return c->pos >= c->len;
}

/* Is the token after the current one "[]"? */
static bool cursor_next_appends(const struct name_cursor *c)
{
	return c->pos + 1 < c->len && c->key[c->pos + 1] == ']';
}

/* A value a later field may not nest into: a string or a file object. */
static bool is_leaf(json_object *obj)
{
	if (json_object_is_type(obj, json_type_array)) {
		return false;
	}
	if (json_object_is_type(obj, json_type_object)) {
		return json_object_get_userdata(obj) == &leaf_marker;
	}
	return true;
}

static bool is_container_object(json_object *obj)
{
	return json_object_is_type(obj, json_type_object) && !is_leaf(obj);
}

static int fail_clash(const struct insertion *ins)
{
	return gmhook__error_set(
	        ins->err, GMHOOK_EPARSE, GMHOOK_STAGE_PARSE, ins->path,
	        "field \"%.*s\" at byte %zu clashes with an earlier field of another shape",
	        name_shown(ins->key, ins->key_len), ins->key, ins->offset);
}

/*
 * Add @p child to @p parent under @p name, or append it when @p name is
 * NULL. Takes ownership of @p child, also on failure.
 */
static int attach(json_object *parent, const char *name, json_object *child,
                  struct gmhook_error *err)
{
	int r;

	if (name != NULL) {
		r = json_object_object_add(parent, name, child); /* steals */
	} else {
		r = json_object_array_add(parent, child); /* steals */
	}
	if (r < 0) {
		json_object_put(child);
		return fail_nomem(err);
	}
	return 0;
}

/* Replace member @p name of @p parent, a leaf @p old, by the array [old]. */
static int promote(json_object **out, json_object *parent, const char *name,
                   json_object *old, struct gmhook_error *err)
{
	json_object *arr = json_object_new_array();
	int rc;

	if (arr == NULL) {
		return fail_nomem(err);
	}
	rc = attach(arr, NULL, json_object_get(old), err);
	if (rc < 0) {
		json_object_put(arr);
		return rc;
	}
	/* Replacing the member puts the parent's reference on old; arr has
	 * its own now. */
	rc = attach(parent, name, arr, err);
	if (rc < 0) {
		return rc;
	}
	*out = arr;
	return 0;
}

/* A new empty array or object as member @p name of @p parent, or appended
 * to it when @p name is NULL. */
static int add_container(json_object **out, json_object *parent,
                         const char *name, bool want_array,
                         struct gmhook_error *err)
{
	json_object *child;
	int rc;

	if (want_array) {
		child = json_object_new_array();
	} else {
		child = json_object_new_object();
	}
	if (child == NULL) {
		return fail_nomem(err);
	}
	rc = attach(parent, name, child, err);
	if (rc < 0) {
		return rc;
	}
	*out = child;
	return 0;
}

/*
 * Step from *node into its member @p name (or a new element when
 * @p append), which must be an array when @p want_array, else an object.
 */
static int descend(json_object **node, const char *name, bool append,
                   bool want_array, const struct insertion *ins)
{
	json_object *child = NULL;

	if (append) {
		return add_container(node, *node, NULL, want_array, ins->err);
	}
	if (!json_object_object_get_ex(*node, name, &child)) {
		return add_container(node, *node, name, want_array, ins->err);
	}
	if (want_array && json_object_is_type(child, json_type_array)) {
		*node = child;
		return 0;
	}
	if (!want_array && is_container_object(child)) {
		*node = child;
		return 0;
	}
	if (want_array && is_leaf(child)) {
		return promote(node, *node, name, child, ins->err);
	}
	return fail_clash(ins);
}

/* Store @p value, which this takes over, as member @p name of @p node or
 * as a new element when @p append. */
static int put_leaf(json_object *node, const char *name, bool append,
                    json_object *value, const struct insertion *ins)
{
	json_object *old = NULL;
	json_object *arr = NULL;
	int rc;

	if (append) {
		return attach(node, NULL, value, ins->err);
	}
	if (!json_object_object_get_ex(node, name, &old)) {
		return attach(node, name, value, ins->err);
	}
	if (json_object_is_type(old, json_type_array)) {
		return attach(old, NULL, value, ins->err);
	}
	if (!is_leaf(old)) {
		json_object_put(value);
		return fail_clash(ins);
	}
	rc = promote(&arr, node, name, old, ins->err);
	if (rc < 0) {
		json_object_put(value);
		return rc;
	}
	return attach(arr, NULL, value, ins->err);
}

static bool string_is_utf8(json_object *str)
{
	const char *s = json_object_get_string(str);
	int len = json_object_get_string_len(str);

	return gmhook__utf8_invalid_at(s, (size_t) len) < 0;
}

/* Each string member of a file object must be UTF-8; the path names it. */
static int check_members(json_object *value, const struct insertion *ins)
{
	char path[sizeof(ins->path)];

	json_object_object_foreach (value, member, member_value) {
		if (!json_object_is_type(member_value, json_type_string) ||
		    string_is_utf8(member_value)) {
			continue;
		}
		memcpy(path, ins->path, sizeof(path));
		(void) gmhook__path_push(path, sizeof(path), member);
		return gmhook__error_set(
		        ins->err, GMHOOK_EPARSE, GMHOOK_STAGE_PARSE, path,
		        "%s of \"%.*s\" (field at byte %zu) is not valid UTF-8",
		        member, name_shown(ins->key, ins->key_len), ins->key,
		        ins->offset);
	}
	return 0;
}

static int check_value(json_object *value, const struct insertion *ins)
{
	if (json_object_is_type(value, json_type_object)) {
		return check_members(value, ins);
	}
	if (!json_object_is_type(value, json_type_string) ||
	    string_is_utf8(value)) {
		return 0;
	}
	return gmhook__error_set(
	        ins->err, GMHOOK_EPARSE, GMHOOK_STAGE_PARSE, ins->path,
	        "value of \"%.*s\" (field at byte %zu) is not valid UTF-8",
	        name_shown(ins->key, ins->key_len), ins->key, ins->offset);
}

/* json-c keys are C strings, so a NUL byte cannot be kept in a name. */
static int check_name(const char *key, size_t key_len, size_t offset,
                      struct gmhook_error *err)
{
	if (key_len > 0 && memchr(key, '\0', key_len) != NULL) {
		return gmhook__error_set(
		        err, GMHOOK_EPARSE, GMHOOK_STAGE_PARSE, "",
		        "name of the field at byte %zu contains a NUL byte",
		        offset);
	}
	if (gmhook__utf8_invalid_at(key, key_len) >= 0) {
		return gmhook__error_set(
		        err, GMHOOK_EPARSE, GMHOOK_STAGE_PARSE, "",
		        "name of the field at byte %zu is not valid UTF-8",
		        offset);
	}
	return 0;
}

/* Push the current token on the path: an appended element by the index
 * it gets. */
static void push_token(struct insertion *ins, json_object *node,
                       const char *name, bool append)
{
	if (append) {
		(void) gmhook__path_push_index(ins->path, sizeof(ins->path),
		                               json_object_array_length(node));
	} else {
		(void) gmhook__path_push(ins->path, sizeof(ins->path), name);
	}
}

static int fail_depth(const struct insertion *ins, uint32_t max_depth)
{
	return gmhook__error_set(
	        ins->err, GMHOOK_ETOOBIG, GMHOOK_STAGE_PARSE, ins->path,
	        "field \"%.*s\" at byte %zu nests deeper than %u levels",
	        name_shown(ins->key, ins->key_len), ins->key, ins->offset,
	        (unsigned int) max_depth);
}

/*
 * Walk from *node along the name, creating containers on the way, to the
 * container of the leaf; leave the leaf's token in @p name and ins->path.
 */
static int walk_name(json_object **node, char *name, bool *append,
                     struct insertion *ins, uint32_t max_depth)
{
	struct name_cursor cursor;
	int rc;

	cursor_init(&cursor, ins->key, ins->key_len);
	for (;;) {
		cursor_next(&cursor, name, append);
		push_token(ins, *node, name, *append);
		if (cursor.depth > max_depth) {
			return fail_depth(ins, max_depth);
		}
		if (cursor_done(&cursor)) {
			return 0;
		}
		rc = descend(node, name, *append, cursor_next_appends(&cursor),
		             ins);
		if (rc < 0) {
			return rc;
		}
	}
}

int gmhook__form_insert(struct gmhook__form_tree *tree, const char *key,
                        size_t key_len, json_object *value, size_t offset,
                        struct gmhook_error *err)
{
	struct insertion ins = { key ? key : "", key_len, offset, "", err };
	const struct gmhook__limits *limits = tree->limits;
	json_object *node = tree->root;
	char *name = NULL;
	bool append = false;
	int rc;

	assert(tree->root != NULL && limits != NULL && value != NULL);
	assert(key != NULL || key_len == 0);
	rc = check_name(ins.key, key_len, offset, err);
	if (rc < 0) {
		goto out;
	}

	if (tree->n_fields >= limits->max_fields) {
		rc = gmhook__error_set(err, GMHOOK_ETOOBIG, GMHOOK_STAGE_PARSE,
		                       "", "more than %u fields",
		                       (unsigned int) limits->max_fields);
		goto out;
	}

	name = malloc(key_len + 1);
	if (name == NULL) {
		rc = fail_nomem(err);
		goto out;
	}
	rc = walk_name(&node, name, &append, &ins, limits->max_depth);
	if (rc < 0) {
		goto out;
	}

	rc = check_value(value, &ins);
	if (rc < 0) {
		goto out;
	}
	if (json_object_is_type(value, json_type_object)) {
		json_object_set_userdata(value, &leaf_marker, NULL);
	}
	rc = put_leaf(node, name, append, value, &ins);
	value = NULL; /* put_leaf took it */
	if (rc < 0) {
		goto out;
	}
	tree->n_fields++;
out:
	json_object_put(value);
	free(name);
	return rc;
}

int gmhook__form_insert_string(struct gmhook__form_tree *tree, const char *key,
                               size_t key_len, const char *value,
                               size_t value_len, size_t offset,
                               struct gmhook_error *err)
{
	json_object *str;

	/* json-c string lengths are int. */
	if (value_len > INT_MAX) {
		return gmhook__error_set(
		        err, GMHOOK_ETOOBIG, GMHOOK_STAGE_PARSE, "",
		        "value of the field at byte %zu is too long", offset);
	}
	str = json_object_new_string_len(value, (int) value_len);
	if (str == NULL) {
		return fail_nomem(err);
	}
	return gmhook__form_insert(tree, key, key_len, str, offset, err);
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9') {
		return c - '0';
	}
	if (c >= 'a' && c <= 'f') {
		return c - 'a' + 10;
	}
	if (c >= 'A' && c <= 'F') {
		return c - 'A' + 10;
	}
	return -1;
}

/*
 * Decode @p n bytes at @p s into @p out, which has room for @p n bytes:
 * '+' is a space and %XX a byte. A '%' not followed by two hex digits
 * fails, with its index in *bad_at.
 */
static bool percent_decode(char *out, size_t *out_len, const char *s, size_t n,
                           size_t *bad_at)
{
	size_t i = 0;
	size_t o = 0;
	int hi;
	int lo;

	while (i < n) {
		if (s[i] == '+') {
			out[o++] = ' ';
			i++;
		} else if (s[i] != '%') {
			out[o++] = s[i++];
		} else {
			hi = n - i >= 3 ? hex_digit(s[i + 1]) : -1;
			lo = n - i >= 3 ? hex_digit(s[i + 2]) : -1;
			if (hi < 0 || lo < 0) {
				*bad_at = i;
				return false;
			}
			out[o++] = (char) ((hi << 4) | lo);
			i += 3;
		}
	}
	*out_len = o;
	return true;
}

/* Decode the field body[start..end) into @p scratch (room for end-start
 * bytes) and insert it. */
static int decode_field(struct gmhook__form_tree *tree, const char *body,
                        size_t start, size_t end, char *scratch,
                        struct gmhook_error *err)
{
	const char *eq = memchr(body + start, '=', end - start);
	size_t key_end = eq != NULL ? (size_t) (eq - body) : end;
	size_t value_start = eq != NULL ? key_end + 1 : end;
	size_t key_len;
	size_t value_len;
	size_t bad;

	if (!percent_decode(scratch, &key_len, body + start, key_end - start,
	                    &bad)) {
		return gmhook__error_set(err, GMHOOK_EPARSE, GMHOOK_STAGE_PARSE,
		                         "", "bad percent-escape at byte %zu",
		                         start + bad);
	}
	if (!percent_decode(scratch + key_len, &value_len, body + value_start,
	                    end - value_start, &bad)) {
		return gmhook__error_set(err, GMHOOK_EPARSE, GMHOOK_STAGE_PARSE,
		                         "", "bad percent-escape at byte %zu",
		                         value_start + bad);
	}
	return gmhook__form_insert_string(tree, scratch, key_len,
	                                  scratch + key_len, value_len, start,
	                                  err);
}

int gmhook__form_decode(json_object **out, const char *body, size_t len,
                        const struct gmhook__limits *limits,
                        struct gmhook_error *err)
{
	struct gmhook__form_tree tree = { NULL, limits, 0 };
	const char *amp;
	char *scratch = NULL;
	size_t pos = 0;
	size_t end;
	int rc = 0;

	assert(out != NULL && limits != NULL);
	assert(body != NULL || len == 0);
	tree.root = json_object_new_object();
	scratch = malloc(len + 1);
	if (tree.root == NULL || scratch == NULL) {
		rc = fail_nomem(err);
		goto out;
	}

	/* WHATWG URL standard, application/x-www-form-urlencoded parsing:
	 * fields are split on '&' only, and empty ones are skipped. */
	while (pos < len) {
		amp = memchr(body + pos, '&', len - pos);
		end = amp != NULL ? (size_t) (amp - body) : len;
		if (end > pos) {
			rc = decode_field(&tree, body, pos, end, scratch, err);
			if (rc < 0) {
				goto out;
			}
		}
		pos = end + 1;
	}

	*out = tree.root;
	tree.root = NULL;
out:
	json_object_put(tree.root);
	free(scratch);
	return rc;
}
