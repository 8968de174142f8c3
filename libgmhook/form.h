/* SPDX-License-Identifier: MIT */
/*
 * The field-name grammar shared by the two form decoders of the parse
 * stage, form.c (urlencoded) and multipart.c (multipart/form-data). Both
 * turn a flat list of (name, value) pairs into one JSON tree through
 * gmhook__form_insert(), so "a[]", "a[b][c]" and repeated names nest the
 * same way whichever encoding the sender chose.
 */
#ifndef GMHOOK_FORM_H
#define GMHOOK_FORM_H

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "gmhook-private.h"

/* The tree being built by one decoder call. */
struct gmhook__form_tree {
	json_object *root; /* the top-level object; owned by the decoder */
	const struct gmhook__limits *limits;
	uint32_t n_fields; /* values inserted so far */
};

/*
 * Insert @p value under the field name @p key (@p key_len bytes, not
 * NUL-terminated) into @p tree. Takes ownership of @p value, also on
 * failure. @p offset is the byte offset of the field in the body and only
 * appears in messages.
 *
 * Grammar: a name of the exact shape base[s1][s2]... with a non-empty base
 * free of '[' and segments free of '[' and ']' is a path: "[]" appends to
 * an array, any other segment is an object key ("a[0]" is key "0"). Any
 * other name ("a[b", "a[b]c", "[a]", "a[b[c]]") is one literal key, so
 * nothing is lost. Nothing is renamed (PHP's '.' to '_' is not done).
 *
 * A repeated leaf turns into an array of its values in order, and a leaf
 * that already holds an array gets the value appended ("a[]=1&a=2" gives
 * ["1","2"]). A value where an array is wanted is promoted the same way
 * ("a=1&a[]=2"). Every other clash of shapes ("a=1&a[b]=2", "a[b]=1&a=2",
 * "a[]=1&a[b]=2", "a[b]=1&a[]=2") fails with GMHOOK_EPARSE and the pointer
 * of the clashing member. An object @p value (a file part) is a leaf, not
 * a container: a repeated file name also makes an array.
 *
 * Errors (stage parse): GMHOOK_EPARSE for a name that is not UTF-8 or
 * holds a NUL byte (path ""), a string value, or a string member of an
 * object value, that is not UTF-8 (path of the value), or a clash;
 * GMHOOK_ETOOBIG when the name has more than limits->max_depth levels
 * (path of the first level too deep, an appended element named by its
 * index) or the tree would hold more than limits->max_fields values
 * (path ""); GMHOOK_ENOMEM.
 */
int gmhook__form_insert(struct gmhook__form_tree *tree, const char *key,
                        size_t key_len, json_object *value, size_t offset,
                        struct gmhook_error *err);

/* gmhook__form_insert() with a new string of @p value_len bytes. */
int gmhook__form_insert_string(struct gmhook__form_tree *tree, const char *key,
                               size_t key_len, const char *value,
                               size_t value_len, size_t offset,
                               struct gmhook_error *err);

#endif
