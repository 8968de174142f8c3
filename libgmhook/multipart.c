/* SPDX-License-Identifier: MIT */
/*
 * Decoder for multipart/form-data bodies (RFC 7578 over RFC 2046 section
 * 5.1), part of the parse stage; JotForm posts every submission this way.
 * Part names go through the same grammar as urlencoded names (form.h).
 * Text parts become strings; a file part becomes a small summary object,
 * because the bytes of an upload have no place in GoldMine.
 */
#include <assert.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "form.h"
#include "gmhook-private.h"

struct multipart {
	const char *body;
	size_t len;
	const char *boundary;
	size_t boundary_len;
};

/* A delimiter line found in the body. */
struct delimiter {
	size_t start;  /* offset of its "--" */
	size_t next;   /* first byte after it and its line end */
	bool is_close; /* "--boundary--" */
};

/* A header parameter or value, malloc'd and NUL-terminated; s is NULL
 * while unset. */
struct text {
	char *s;
	size_t len;
};

struct part {
	size_t start; /* offset of the part's first header line */
	struct text name;
	struct text filename;
	struct text content_type;
	size_t data_start;
};

static int fail_nomem(struct gmhook_error *err)
{
	return gmhook__error_set(err, GMHOOK_ENOMEM, GMHOOK_STAGE_PARSE, "",
	                         "out of memory decoding the multipart body");
}

static int fail_at(struct gmhook_error *err, const char *what, size_t offset)
{
	return gmhook__error_set(err, GMHOOK_EPARSE, GMHOOK_STAGE_PARSE, "",
	                         "%s at byte %zu", what, offset);
}

static void text_clear(struct text *t)
{
	free(t->s);
	t->s = NULL;
	t->len = 0;
}

/* Replace @p t with a copy of @p n bytes at @p s. */
static int text_set(struct text *t, const char *s, size_t n,
                    struct gmhook_error *err)
{
	char *copy = malloc(n + 1);

	if (copy == NULL) {
		return fail_nomem(err);
	}
	memcpy(copy, s, n);
	copy[n] = '\0';
	free(t->s);
	t->s = copy;
	t->len = n;
	return 0;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* Shrink [*start, *end) of @p s past spaces and tabs at both ends. */
static void trim(const char *s, size_t *start, size_t *end)
{
	while (*start < *end && is_blank(s[*start])) {
		(*start)++;
	}
	while (*end > *start && is_blank(s[*end - 1])) {
		(*end)--;
	}
}

static char ascii_lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char) (c - 'A' + 'a') : c;
}

/* Does @p s (@p n bytes) equal the ASCII word @p want, ignoring case? */
static bool word_is(const char *s, size_t n, const char *want)
{
	size_t i;

	if (strlen(want) != n) {
		return false;
	}
	for (i = 0; i < n; i++) {
		if (ascii_lower(s[i]) != ascii_lower(want[i])) {
			return false;
		}
	}
	return true;
}

/* Is there a delimiter line "--boundary" at @p i? RFC 2046 5.1.1 allows
 * spaces or tabs between the boundary and the line end. */
static bool delimiter_at(const struct multipart *mp, size_t i,
                         struct delimiter *d)
{
	const char *b = mp->body;
	size_t j = i + 2 + mp->boundary_len;

	if (mp->len - i < 2 + mp->boundary_len || b[i] != '-' ||
	    b[i + 1] != '-' ||
	    memcmp(b + i + 2, mp->boundary, mp->boundary_len) != 0) {
		return false;
	}
	d->start = i;
	d->is_close = mp->len - j >= 2 && b[j] == '-' && b[j + 1] == '-';
	if (d->is_close) {
		d->next = j + 2;
		return true;
	}
	while (j < mp->len && is_blank(b[j])) {
		j++;
	}
	if (j == mp->len || b[j] == '\n') {
		d->next = j == mp->len ? j : j + 1;
		return true;
	}
	if (b[j] == '\r' && j + 1 < mp->len && b[j + 1] == '\n') {
		d->next = j + 2;
		return true;
	}
	return false;
}

/* The first delimiter line at or after @p from; only a line start counts,
 * so the boundary text inside a value does not split it. */
static bool find_delimiter(const struct multipart *mp, size_t from,
                           struct delimiter *d)
{
	size_t i = from;
	const char *nl;

	while (i < mp->len) {
		if ((i == 0 || mp->body[i - 1] == '\n') &&
		    delimiter_at(mp, i, d)) {
			return true;
		}
		nl = memchr(mp->body + i, '\n', mp->len - i);
		if (nl == NULL) {
			return false;
		}
		i = (size_t) (nl - mp->body) + 1;
	}
	return false;
}

/*
 * Read the quoted-string at body[*i] (the opening quote) into @p out.
 * Only \" and \\ are escapes: a lone backslash stays, as in the Windows
 * paths that old browsers sent as file names.
 */
static int read_quoted(struct text *out, const struct multipart *mp, size_t *i,
                       size_t end, struct gmhook_error *err)
{
	const char *b = mp->body;
	size_t open = *i;
	size_t j = open + 1;
	size_t n = 0;
	char *s = malloc(end - open);

	if (s == NULL) {
		return fail_nomem(err);
	}
	while (j < end && b[j] != '"') {
		if (b[j] == '\\' && j + 1 < end &&
		    (b[j + 1] == '"' || b[j + 1] == '\\')) {
			j++;
		}
		s[n++] = b[j++];
	}
	if (j == end) {
		free(s);
		return fail_at(err,
		               "unterminated quoted string in a part header",
		               open);
	}
	s[n] = '\0';
	free(out->s);
	out->s = s;
	out->len = n;
	*i = j + 1;
	return 0;
}

/* Read one parameter (name=value or name="value") of a
 * Content-Disposition header from body[*i] up to the next ';'. */
static int parse_param(struct part *part, const struct multipart *mp, size_t *i,
                       size_t end, struct gmhook_error *err)
{
	const char *b = mp->body;
	struct text value = { NULL, 0 };
	size_t name_start = *i;
	size_t name_end;
	size_t value_start;
	size_t value_end;
	int rc;

	while (*i < end && b[*i] != '=' && b[*i] != ';') {
		(*i)++;
	}
	name_end = *i;
	trim(b, &name_start, &name_end);
	if (*i == end || b[*i] == ';') {
		return 0;
	}

	(*i)++;
	while (*i < end && is_blank(b[*i])) {
		(*i)++;
	}
	value_start = *i;
	if (*i < end && b[*i] == '"') {
		rc = read_quoted(&value, mp, i, end, err);
	} else {
		while (*i < end && b[*i] != ';') {
			(*i)++;
		}
		value_end = *i;
		trim(b, &value_start, &value_end);
		rc = text_set(&value, b + value_start, value_end - value_start,
		              err);
	}
	if (rc < 0) {
		return rc;
	}

	/* RFC 7578 4.2: filename* is not to be used; only name, filename. */
	if (word_is(b + name_start, name_end - name_start, "name")) {
		text_clear(&part->name);
		part->name = value;
	} else if (word_is(b + name_start, name_end - name_start, "filename")) {
		text_clear(&part->filename);
		part->filename = value;
	} else {
		text_clear(&value);
	}
	while (*i < end && b[*i] != ';') {
		(*i)++;
	}
	return 0;
}

/* Content-Disposition: form-data; name="..."[; filename="..."]. The
 * disposition type itself is not checked. */
static int parse_disposition(struct part *part, const struct multipart *mp,
                             size_t start, size_t end, struct gmhook_error *err)
{
	size_t i = start;
	int rc;

	while (i < end && mp->body[i] != ';') {
		i++;
	}
	while (i < end) {
		i++; /* the ';' */
		rc = parse_param(part, mp, &i, end, err);
		if (rc < 0) {
			return rc;
		}
	}
	return 0;
}

static int parse_header_line(struct part *part, const struct multipart *mp,
                             size_t start, size_t end, struct gmhook_error *err)
{
	const char *b = mp->body;
	const char *colon = memchr(b + start, ':', end - start);
	size_t name_start = start;
	size_t name_end;
	size_t value_start;
	size_t value_end = end;

	if (colon == NULL) {
		return fail_at(
		        err,
		        "part header line without ':' (no blank line after the part headers?)",
		        start);
	}
	name_end = (size_t) (colon - b);
	value_start = name_end + 1;
	trim(b, &name_start, &name_end);
	trim(b, &value_start, &value_end);
	if (word_is(b + name_start, name_end - name_start,
	            "Content-Disposition")) {
		return parse_disposition(part, mp, value_start, value_end, err);
	}
	if (word_is(b + name_start, name_end - name_start, "Content-Type")) {
		return text_set(&part->content_type, b + value_start,
		                value_end - value_start, err);
	}
	return 0;
}

/* Read the header lines from @p pos up to the blank line; the data start
 * right after it. CRLF and bare LF line ends are both accepted. */
static int parse_headers(struct part *part, const struct multipart *mp,
                         size_t pos, struct gmhook_error *err)
{
	const char *nl;
	size_t nl_at;
	size_t line_end;
	int rc;

	for (;;) {
		nl = memchr(mp->body + pos, '\n', mp->len - pos);
		if (nl == NULL) {
			return fail_at(
			        err,
			        "part headers not ended by a blank line in the part",
			        part->start);
		}
		nl_at = (size_t) (nl - mp->body);
		line_end = nl_at;
		if (line_end > pos && mp->body[line_end - 1] == '\r') {
			line_end--;
		}
		if (line_end == pos) {
			part->data_start = nl_at + 1;
			return 0;
		}
		rc = parse_header_line(part, mp, pos, line_end, err);
		if (rc < 0) {
			return rc;
		}
		pos = nl_at + 1;
	}
}

/* Add the text @p t, or JSON null when unset, as member @p key of @p obj;
 * false when out of memory. */
static bool add_text(json_object *obj, const char *key, const struct text *t)
{
	json_object *member = NULL;

	if (t->s != NULL) {
		member =
		        t->len <= INT_MAX
		                ? json_object_new_string_len(t->s, (int) t->len)
		                : NULL;
		if (member == NULL) {
			return false;
		}
	}
	if (json_object_object_add(obj, key, member) < 0) {
		json_object_put(member);
		return false;
	}
	return true; /* obj stole member */
}

static bool add_size(json_object *obj, size_t size)
{
	json_object *member = json_object_new_int64((int64_t) size);

	if (member == NULL) {
		return false;
	}
	if (json_object_object_add(obj, "size", member) < 0) {
		json_object_put(member);
		return false;
	}
	return true; /* obj stole member */
}

/* A file part: its name, type and size, not its bytes. */
static int insert_file(struct gmhook__form_tree *tree, const struct part *part,
                       size_t size, struct gmhook_error *err)
{
	json_object *file = json_object_new_object();

	if (file == NULL || !add_text(file, "filename", &part->filename) ||
	    !add_text(file, "content_type", &part->content_type) ||
	    !add_size(file, size)) {
		json_object_put(file);
		return fail_nomem(err);
	}
	/* gmhook__form_insert() takes over file. */
	return gmhook__form_insert(tree, part->name.s, part->name.len, file,
	                           part->start, err);
}

/* Where a part's data ends: before the line end ahead of its closing
 * delimiter, which may also be the blank line after the headers. */
static size_t data_end(const struct multipart *mp, size_t data_start,
                       const struct delimiter *next)
{
	size_t end = next->start;

	if (end > data_start) {
		end--; /* the '\n' */
	}
	if (end > data_start && mp->body[end - 1] == '\r') {
		end--;
	}
	return end;
}

/* Read the part that starts at @p d->next and move @p d to the delimiter
 * after it. */
static int read_part(struct gmhook__form_tree *tree, const struct multipart *mp,
                     struct delimiter *d, struct gmhook_error *err)
{
	struct part part = { .start = d->next };
	struct delimiter next;
	size_t end;
	int rc;

	rc = parse_headers(&part, mp, part.start, err);
	if (rc < 0) {
		goto out;
	}
	if (part.name.s == NULL) {
		rc = fail_at(
		        err,
		        "part without a name (Content-Disposition: form-data; name=...)",
		        part.start);
		goto out;
	}
	if (!find_delimiter(mp, part.data_start, &next)) {
		rc = fail_at(
		        err,
		        "missing closing boundary: the body ends inside the part",
		        part.start);
		goto out;
	}

	end = data_end(mp, part.data_start, &next);
	if (part.filename.s != NULL) {
		rc = insert_file(tree, &part, end - part.data_start, err);
	} else {
		rc = gmhook__form_insert_string(
		        tree, part.name.s, part.name.len,
		        mp->body + part.data_start, end - part.data_start,
		        part.start, err);
	}
	*d = next;
out:
	text_clear(&part.name);
	text_clear(&part.filename);
	text_clear(&part.content_type);
	return rc;
}

int gmhook__multipart_decode(json_object **out, const char *body, size_t len,
                             const char *boundary,
                             const struct gmhook__limits *limits,
                             struct gmhook_error *err)
{
	struct gmhook__form_tree tree = { NULL, limits, 0 };
	struct multipart mp = { body, len, boundary, 0 };
	struct delimiter d;
	int rc = 0;

	assert(out != NULL && limits != NULL);
	assert(body != NULL || len == 0);
	if (boundary == NULL || boundary[0] == '\0') {
		return gmhook__error_set(
		        err, GMHOOK_EPARSE, GMHOOK_STAGE_PARSE, "",
		        "the multipart boundary is missing or empty");
	}
	mp.boundary_len = strlen(boundary);
	tree.root = json_object_new_object();
	if (tree.root == NULL) {
		rc = fail_nomem(err);
		goto out;
	}

	if (!find_delimiter(&mp, 0, &d)) {
		rc = fail_at(err, "no multipart boundary line found", 0);
		goto out;
	}
	while (!d.is_close) {
		if (d.next >= len) {
			rc = fail_at(
			        err,
			        "missing closing boundary after the delimiter",
			        d.start);
			goto out;
		}
		rc = read_part(&tree, &mp, &d, err);
		if (rc < 0) {
			goto out;
		}
	}

	*out = tree.root;
	tree.root = NULL;
out:
	json_object_put(tree.root);
	return rc;
}
