/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for the form decoders of the parse stage: form.c
 * (application/x-www-form-urlencoded), multipart.c (multipart/form-data)
 * and the field-name grammar they share through form.h. The inputs are
 * written here in the shapes of the HTML form, Elementor, Mailchimp,
 * Twilio and JotForm samples of the corpus; none is copied from it.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "form.h"
#include "gmhook-private.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

/* One decoder call and what it must give. */
struct decode_case {
	const char *body;
	int code;
	const char *path;   /* on failure */
	const char *expect; /* success: JSON; failure: part of message */
};

typedef int (*decode_fn)(json_object **out, const char *body, size_t len,
                         const struct gmhook__limits *limits,
                         struct gmhook_error *err);

static const struct gmhook__limits default_limits = { 32, 2000 };
static const struct gmhook__limits small_limits = { 3, 4 };

#define BOUNDARY "BB"

static int decode_multipart(json_object **out, const char *body, size_t len,
                            const struct gmhook__limits *limits,
                            struct gmhook_error *err)
{
	return gmhook__multipart_decode(out, body, len, BOUNDARY, limits, err);
}

/* Decode a copy of exactly @p len bytes, so that a sanitizer or valgrind
 * sees any read past the end of the body. */
static int decode_copy(decode_fn decode, json_object **out, const char *body,
                       size_t len, const struct gmhook__limits *limits,
                       struct gmhook_error *err)
{
	char *copy = malloc(len > 0 ? len : 1);
	int rc;

	assert_non_null(copy);
	if (len > 0) {
		memcpy(copy, body, len);
	}
	rc = decode(out, copy, len, limits, err);
	free(copy);
	return rc;
}

static void check_case(const char *table, size_t index,
                       const struct decode_case *c, decode_fn decode,
                       const struct gmhook__limits *limits)
{
	struct gmhook_error err = GMHOOK_ERROR_INIT;
	json_object *out = NULL;
	const char *got;
	int rc;

	rc = decode_copy(decode, &out, c->body, strlen(c->body), limits, &err);
	if (rc != c->code) {
		fail_msg("%s[%zu]: code %d, want %d (%s)", table, index, rc,
		         c->code, err.message);
	}
	if (rc == 0) {
		got = json_object_to_json_string_ext(out,
		                                     JSON_C_TO_STRING_PLAIN);
		if (strcmp(got, c->expect) != 0) {
			fail_msg("%s[%zu]:\n got  %s\n want %s", table, index,
			         got, c->expect);
		}
		json_object_put(out);
		return;
	}
	if (out != NULL || err.code != c->code ||
	    err.stage != GMHOOK_STAGE_PARSE) {
		fail_msg("%s[%zu]: out %p, err.code %d, err.stage %d", table,
		         index, (void *) out, err.code, err.stage);
	}
	if (strcmp(err.path, c->path) != 0) {
		fail_msg("%s[%zu]: path \"%s\", want \"%s\" (%s)", table, index,
		         err.path, c->path, err.message);
	}
	if (strstr(err.message, c->expect) == NULL) {
		fail_msg("%s[%zu]: message \"%s\" lacks \"%s\"", table, index,
		         err.message, c->expect);
	}
}

#define RUN_TABLE(table, decode, limits)                                    \
	do {                                                                \
		size_t i_;                                                  \
		for (i_ = 0; i_ < sizeof(table) / sizeof(table[0]); i_++) { \
			check_case(#table, i_, &table[i_], decode, limits); \
		}                                                           \
	} while (0)

/* ==== urlencoded ==== */

static const struct decode_case form_valid[] = {
	{ "", 0, "", "{}" },
	{ "name=Jane&email=jane%40example.com", 0, "",
	  "{\"name\":\"Jane\",\"email\":\"jane@example.com\"}" },
	/* '+' is a space; a literal '+' arrives as %2B */
	{ "q=hello+world&lit=1%2B1&sp=a%20b", 0, "",
	  "{\"q\":\"hello world\",\"lit\":\"1+1\",\"sp\":\"a b\"}" },
	{ "e=%c3%a9%C3%A9", 0, "", "{\"e\":\"\xc3\xa9\xc3\xa9\"}" },
	/* 4-byte UTF-8 (U+1F44B) */
	{ "msg=Hola+%F0%9F%91%8B", 0, "",
	  "{\"msg\":\"Hola \xf0\x9f\x91\x8b\"}" },
	/* textareas send CRLF */
	{ "comments=line+1%0D%0Aline+2", 0, "",
	  "{\"comments\":\"line 1\\r\\nline 2\"}" },
	{ "tag=a&tag=b&tag=c", 0, "", "{\"tag\":[\"a\",\"b\",\"c\"]}" },
	{ "interests%5B%5D=crm&interests%5B%5D=sms", 0, "",
	  "{\"interests\":[\"crm\",\"sms\"]}" },
	{ "interests[]=crm&x=1&interests[]=sms", 0, "",
	  "{\"interests\":[\"crm\",\"sms\"],\"x\":\"1\"}" },
	{ "contact%5Bmethod%5D=phone&contact%5Btime%5D=evening", 0, "",
	  "{\"contact\":{\"method\":\"phone\",\"time\":\"evening\"}}" },
	{ "a[b][c]=1&a[b][d]=2&a[e]=3", 0, "",
	  "{\"a\":{\"b\":{\"c\":\"1\",\"d\":\"2\"},\"e\":\"3\"}}" },
	/* Mailchimp: data[merges][...] and indexed GROUPINGS (objects) */
	{ "type=subscribe&data%5Bemail%5D=api%2Bx%40example.com"
	  "&data%5Bmerges%5D%5BFNAME%5D=Anna"
	  "&data%5Bmerges%5D%5BGROUPINGS%5D%5B0%5D%5Bid%5D=78830"
	  "&data%5Bmerges%5D%5BGROUPINGS%5D%5B1%5D%5Bid%5D=78834",
	  0, "",
	  "{\"type\":\"subscribe\",\"data\":{\"email\":\"api+x@example.com\","
	  "\"merges\":{\"FNAME\":\"Anna\",\"GROUPINGS\":{\"0\":{\"id\":"
	  "\"78830\"},\"1\":{\"id\":\"78834\"}}}}}" },
	/* Mailchimp's documented unsubscribe repeats data[reason] */
	{ "data[reason]=manual&data[reason]=hard", 0, "",
	  "{\"data\":{\"reason\":[\"manual\",\"hard\"]}}" },
	{ "company=&utm_source=", 0, "",
	  "{\"company\":\"\",\"utm_source\":\"\"}" },
	{ "newsletter&x=1", 0, "", "{\"newsletter\":\"\",\"x\":\"1\"}" },
	{ "&&a=1&&b=2&", 0, "", "{\"a\":\"1\",\"b\":\"2\"}" },
	{ "=v", 0, "", "{\"\":\"v\"}" },
	{ "eq=a=b", 0, "", "{\"eq\":\"a=b\"}" },
	/* Unbalanced or oddly bracketed names are literal keys. */
	{ "a[b=1&c]d=2&e[f]g=3&[h]=4&i[j[k]]=5", 0, "",
	  "{\"a[b\":\"1\",\"c]d\":\"2\",\"e[f]g\":\"3\",\"[h]\":\"4\","
	  "\"i[j[k]]\":\"5\"}" },
	{ "a[][b]=1&a[][b]=2", 0, "", "{\"a\":[{\"b\":\"1\"},{\"b\":\"2\"}]}" },
	{ "m[][]=1&m[][]=2", 0, "", "{\"m\":[[\"1\"],[\"2\"]]}" },
	/* A value meets an array: the value is promoted, order kept. */
	{ "a=1&a[]=2&a=3", 0, "", "{\"a\":[\"1\",\"2\",\"3\"]}" },
	{ "v=a%00b", 0, "", "{\"v\":\"a\\u0000b\"}" },
	/* Twilio and Elementor (label-keyed) shapes */
	{ "Body=twilio-go+testing%21&NumMedia=0&From=%2B15555550364", 0, "",
	  "{\"Body\":\"twilio-go testing!\",\"NumMedia\":\"0\","
	  "\"From\":\"+15555550364\"}" },
	{ "T%C3%A9l%C3%A9phone=%2B33+5+55&Nom+complet=Zo%C3%AB", 0, "",
	  "{\"T\xc3\xa9l\xc3\xa9phone\":\"+33 5 55\","
	  "\"Nom complet\":\"Zo\xc3\xab\"}" },
	{ "u=https%3A%2F%2Fexample.fr%2F", 0, "",
	  "{\"u\":\"https:\\/\\/example.fr\\/\"}" },
};

static const struct decode_case form_malformed[] = {
	{ "a=%G1", GMHOOK_EPARSE, "", "bad percent-escape at byte 2" },
	{ "abc=1&def=%4", GMHOOK_EPARSE, "", "bad percent-escape at byte 10" },
	{ "x=%", GMHOOK_EPARSE, "", "bad percent-escape at byte 2" },
	{ "a%Zb=1", GMHOOK_EPARSE, "", "bad percent-escape at byte 1" },
	{ "name=Janet&email=%ZZ", GMHOOK_EPARSE, "",
	  "bad percent-escape at byte 17" },
	{ "comments=%FF", GMHOOK_EPARSE, "/comments",
	  "value of \"comments\" (field at byte 0) is not valid UTF-8" },
	{ "ok=1&x=%C0%AF", GMHOOK_EPARSE, "/x", "field at byte 5" },
	{ "x=%ED%A0%80", GMHOOK_EPARSE, "/x", "not valid UTF-8" },
	{ "x=%E2%82", GMHOOK_EPARSE, "/x", "not valid UTF-8" },
	{ "data[merges][FNAME]=%FF", GMHOOK_EPARSE, "/data/merges/FNAME",
	  "\"data[merges][FNAME]\"" },
	{ "i[]=ok&i[]=%FF", GMHOOK_EPARSE, "/i/1", "\"i[]\"" },
	{ "a%2Fb=%FF", GMHOOK_EPARSE, "/a~1b", "\"a/b\"" },
	{ "t~x=%FF", GMHOOK_EPARSE, "/t~0x", "\"t~x\"" },
	{ "ok=1&%FF=1", GMHOOK_EPARSE, "",
	  "name of the field at byte 5 is not valid UTF-8" },
	{ "a%00=1", GMHOOK_EPARSE, "", "NUL byte" },
};

static const struct decode_case form_clashes[] = {
	{ "a=1&a[b]=2", GMHOOK_EPARSE, "/a",
	  "field \"a[b]\" at byte 4 clashes" },
	{ "a[b]=1&a=2", GMHOOK_EPARSE, "/a", "field \"a\" at byte 7 clashes" },
	{ "a[]=1&a[b]=2", GMHOOK_EPARSE, "/a", "clashes" },
	{ "a[b]=1&a[]=2", GMHOOK_EPARSE, "/a", "clashes" },
	{ "a=1&a=2&a[b]=3", GMHOOK_EPARSE, "/a", "clashes" },
	{ "a[b][c]=1&a[b]=2", GMHOOK_EPARSE, "/a/b", "clashes" },
	{ "a[b]=1&a[b][c]=2", GMHOOK_EPARSE, "/a/b", "clashes" },
	{ "x[0]=a&x[0][y]=b", GMHOOK_EPARSE, "/x/0", "clashes" },
	{ "x[][y]=a&x[0][y]=b", GMHOOK_EPARSE, "/x", "clashes" },
};

/* With small_limits: depth 3, 4 fields. */
static const struct decode_case form_limited[] = {
	{ "a[b][c]=1", 0, "", "{\"a\":{\"b\":{\"c\":\"1\"}}}" },
	{ "a[b][c][d]=1", GMHOOK_ETOOBIG, "/a/b/c/d",
	  "nests deeper than 3 levels" },
	{ "a[][][]=1", GMHOOK_ETOOBIG, "/a/0/0/0", "deeper" },
	{ "ok=1&a%5Bb%5D%5Bc%5D%5Bd%5D%5Be%5D=1", GMHOOK_ETOOBIG, "/a/b/c/d",
	  "field \"a[b][c][d][e]\" at byte 5" },
	{ "a=1&b=2&c=3&d=4", 0, "",
	  "{\"a\":\"1\",\"b\":\"2\",\"c\":\"3\",\"d\":\"4\"}" },
	{ "&&&&&&a=1&&&&&&", 0, "", "{\"a\":\"1\"}" },
	{ "a=1&b=2&c=3&d=4&e=5", GMHOOK_ETOOBIG, "", "more than 4 fields" },
	{ "t=1&t=2&t=3&t=4&t=5", GMHOOK_ETOOBIG, "", "more than 4 fields" },
	{ "a&b&c&d&e", GMHOOK_ETOOBIG, "", "more than 4 fields" },
	{ "x[y=1", 0, "", "{\"x[y\":\"1\"}" },
};

static void form_decodes_valid_bodies(void **state)
{
	(void) state;
	RUN_TABLE(form_valid, gmhook__form_decode, &default_limits);
}

static void form_rejects_malformed_bodies(void **state)
{
	(void) state;
	RUN_TABLE(form_malformed, gmhook__form_decode, &default_limits);
}

static void form_rejects_clashing_names(void **state)
{
	(void) state;
	RUN_TABLE(form_clashes, gmhook__form_decode, &default_limits);
}

static void form_enforces_depth_and_field_limits(void **state)
{
	(void) state;
	RUN_TABLE(form_limited, gmhook__form_decode, &small_limits);
}

static void form_accepts_null_error(void **state)
{
	json_object *out = NULL;

	(void) state;
	assert_int_equal(
	        gmhook__form_decode(&out, "a=%", 3, &default_limits, NULL),
	        GMHOOK_EPARSE);
	assert_null(out);
	assert_int_equal(gmhook__multipart_decode(&out, "x", 1, BOUNDARY,
	                                          &default_limits, NULL),
	                 GMHOOK_EPARSE);
	assert_null(out);
}

/* ==== multipart/form-data ==== */

#define CD "Content-Disposition: form-data; "

static const struct decode_case multipart_valid[] = {
	{ "--BB\r\n" CD "name=\"a\"\r\n\r\n1\r\n--BB--\r\n", 0, "",
	  "{\"a\":\"1\"}" },
	{ "--BB\n" CD "name=\"a\"\n\n1\n--BB--\n", 0, "", "{\"a\":\"1\"}" },
	{ "--BB--", 0, "", "{}" },
	{ "--BB\r\n" CD "name=\"contact[method]\"\r\n\r\nphone\r\n"
	  "--BB\r\n" CD "name=\"interests[]\"\r\n\r\ncrm\r\n"
	  "--BB\r\n" CD "name=\"interests[]\"\r\n\r\nsms\r\n--BB--\r\n",
	  0, "",
	  "{\"contact\":{\"method\":\"phone\"},"
	  "\"interests\":[\"crm\",\"sms\"]}" },
	/* Two files under one name (RFC 7578 4.3) make an array. */
	{ "--BB\r\n" CD "name=\"f\"; filename=\"a.png\"\r\n"
	  "Content-Type: image/png\r\n\r\n\x89PNG\r\n"
	  "--BB\r\n" CD "name=\"f\"; filename=\"b.txt\"\r\n\r\nhello\r\n"
	  "--BB--\r\n",
	  0, "",
	  "{\"f\":[{\"filename\":\"a.png\",\"content_type\":\"image\\/png\","
	  "\"size\":4},{\"filename\":\"b.txt\",\"content_type\":null,"
	  "\"size\":5}]}" },
	{ "--BB\r\n" CD "name=\"up\"; filename=\"\"\r\n"
	  "Content-Type: application/octet-stream\r\n\r\n\r\n--BB--\r\n",
	  0, "",
	  "{\"up\":{\"filename\":\"\",\"content_type\":"
	  "\"application\\/octet-stream\",\"size\":0}}" },
	{ "--BB\r\n" CD "name=\"say \\\"hi\\\"\"\r\n\r\nx\r\n--BB--", 0, "",
	  "{\"say \\\"hi\\\"\":\"x\"}" },
	/* Old browsers sent Windows paths; a lone backslash is kept. */
	{ "--BB\r\n" CD "name=\"f\"; filename=\"C:\\Users\\a.txt\"\r\n\r\n"
	  "\r\n--BB--",
	  0, "",
	  "{\"f\":{\"filename\":\"C:\\\\Users\\\\a.txt\","
	  "\"content_type\":null,\"size\":0}}" },
	/* The boundary text not at a line start is data. */
	{ "--BB\r\n" CD "name=\"v\"\r\n\r\nsee --BB and --BB--\r\n--BB--", 0,
	  "", "{\"v\":\"see --BB and --BB--\"}" },
	/* A line that only starts with the delimiter is data too. */
	{ "--BB\r\n" CD "name=\"v\"\r\n\r\nl1\r\n--BBX\r\nl3\r\n--BB--", 0, "",
	  "{\"v\":\"l1\\r\\n--BBX\\r\\nl3\"}" },
	{ "preamble\r\n--BB  \r\n" CD "name=\"a\"\r\n\r\n1\r\n--BB--\r\n"
	  "epilogue",
	  0, "", "{\"a\":\"1\"}" },
	/* Empty data right after the blank line. */
	{ "--BB\r\n" CD "name=\"e\"\r\n\r\n--BB--", 0, "", "{\"e\":\"\"}" },
	{ "--BB\n" CD "name=\"e\"\n\n\n--BB--", 0, "", "{\"e\":\"\"}" },
	{ "--BB\r\ncontent-disposition: FORM-DATA; NAME=plain ; x=1\r\n"
	  "Content-Type: text/plain; charset=utf-8\r\nX-Other: y\r\n\r\n"
	  "a\r\nb\r\n--BB--",
	  0, "", "{\"plain\":\"a\\r\\nb\"}" },
	{ "--BB\r\n" CD "name=\"m\"\r\n\r\n\xf0\x9f\x91\x8b\r\n--BB--", 0, "",
	  "{\"m\":\"\xf0\x9f\x91\x8b\"}" },
};

static const struct decode_case multipart_malformed[] = {
	{ "--BB\r\n" CD "name=\"a\"\r\n\r\nvalue\r\n", GMHOOK_EPARSE, "",
	  "missing closing boundary: the body ends inside the part at byte 6" },
	{ "--BB\r\n" CD "name=\"a\"\r\n\r\nv\r\n--BB\r\n", GMHOOK_EPARSE, "",
	  "missing closing boundary after the delimiter at byte 53" },
	{ "--BB", GMHOOK_EPARSE, "", "missing closing boundary" },
	{ "--BB\r\nContent-Disposition: form-data\r\n\r\nv\r\n--BB--",
	  GMHOOK_EPARSE, "", "part without a name" },
	{ "--BB\r\n" CD "filename=\"a.txt\"\r\n\r\nv\r\n--BB--", GMHOOK_EPARSE,
	  "", "part without a name" },
	{ "--BB\r\n" CD "name=\"a\"\r\nvalue\r\n--BB--", GMHOOK_EPARSE, "",
	  "part header line without ':' (no blank line after the part headers?) at byte 48" },
	{ "--BB\r\n" CD "name=\"a\"", GMHOOK_EPARSE, "",
	  "not ended by a blank line in the part at byte 6" },
	{ "hello", GMHOOK_EPARSE, "", "no multipart boundary line found" },
	{ "--BBC\r\n", GMHOOK_EPARSE, "", "no multipart boundary line found" },
	{ "--BB\r\n" CD "name=\"abc\r\n\r\nv\r\n--BB--", GMHOOK_EPARSE, "",
	  "unterminated quoted string in a part header at byte 43" },
	{ "--BB\r\n" CD "name=\"comments\"\r\n\r\n\xff\r\n--BB--",
	  GMHOOK_EPARSE, "/comments", "value of \"comments\"" },
	{ "--BB\r\n" CD "name=\"up\"; filename=\"\xff.png\"\r\n\r\nx\r\n--BB--",
	  GMHOOK_EPARSE, "/up/filename", "filename of \"up\"" },
	{ "--BB\r\n" CD "name=\"\xc3\"\r\n\r\nx\r\n--BB--", GMHOOK_EPARSE, "",
	  "name of the field at byte 6" },
	{ "--BB\r\n" CD "name=\"a\"\r\n\r\n1\r\n"
	  "--BB\r\n" CD "name=\"a[b]\"\r\n\r\n2\r\n--BB--",
	  GMHOOK_EPARSE, "/a", "clashes" },
};

static const struct decode_case multipart_limited[] = {
	{ "--BB\r\n" CD "name=\"a[b][c][d]\"\r\n\r\n1\r\n--BB--",
	  GMHOOK_ETOOBIG, "/a/b/c/d", "deeper than 3" },
	{ "--BB\nContent-Disposition: form-data; name=a\n\n1\n"
	  "--BB\nContent-Disposition: form-data; name=b\n\n1\n"
	  "--BB\nContent-Disposition: form-data; name=c\n\n1\n"
	  "--BB\nContent-Disposition: form-data; name=d\n\n1\n"
	  "--BB\nContent-Disposition: form-data; name=e\n\n1\n--BB--",
	  GMHOOK_ETOOBIG, "", "more than 4 fields" },
};

static void multipart_decodes_valid_bodies(void **state)
{
	(void) state;
	RUN_TABLE(multipart_valid, decode_multipart, &default_limits);
}

static void multipart_rejects_malformed_bodies(void **state)
{
	(void) state;
	RUN_TABLE(multipart_malformed, decode_multipart, &default_limits);
	RUN_TABLE(multipart_limited, decode_multipart, &small_limits);
}

static void multipart_rejects_empty_boundary(void **state)
{
	struct gmhook_error err = GMHOOK_ERROR_INIT;
	json_object *out = NULL;

	(void) state;
	assert_int_equal(gmhook__multipart_decode(&out, "----\r\n", 6, "",
	                                          &default_limits, &err),
	                 GMHOOK_EPARSE);
	assert_null(out);
	assert_string_equal(err.path, "");
	assert_non_null(strstr(err.message, "boundary is missing"));
}

/* A JotForm-like delivery: answers as JSON text in "rawRequest", empty
 * parts, an upload, and a 24-dash boundary. */
#define JF_BOUNDARY "------------------------Jf0FAKE0Boundary0x"
#define JF_LINE     "--" JF_BOUNDARY "\r\n"
#define JF_RAW                                                           \
	"{\"slug\":\"submit\\/240000000000001\",\"q3_name\":{\"first\":" \
	"\"Ana\",\"last\":\"Ruiz\"},\"q4_email\":\"ana@example.com\","   \
	"\"q5_pick\":[\"Math, Physics\",\"a:b\"]}"

#define JF_TEXT(name, value)                                            \
	JF_LINE "Content-Disposition: form-data; name=\"" name "\"\r\n" \
	        "\r\n" value "\r\n"
#define JF_FILE_HEAD                                                   \
	JF_LINE "Content-Disposition: form-data; name=\"q6_upload\"; " \
	        "filename=\"ID_!#$&'()*+,-.;=@[]^_`{}~ .png\"\r\n"     \
	        "Content-Type: image/png\r\n\r\n"
/* The file data holds NUL and 0xff bytes and the boundary text, but not
 * at a line start. */
#define JF_FILE_DATA "\x89PNG\x1a\n\x00\xff\xfe--" JF_BOUNDARY "\r\n"

static const char jotform_body[] = {
	JF_TEXT("action", "") /* JotForm sends many empty parts */
	JF_TEXT("formID", "240000000000001") /* the de-duplication key */
	JF_TEXT("rawRequest", JF_RAW)        /* the answers, as JSON text */
	JF_TEXT("pretty", "Name:Ana Ruiz, Pick:Math, Physics a:b") /* lossy */
	JF_FILE_HEAD JF_FILE_DATA /* an upload, summarised */
	"--" JF_BOUNDARY "--\r\n" /* the closing delimiter */
};

static const char jotform_expect[] =
        "{\"action\":\"\",\"formID\":\"240000000000001\",\"rawRequest\":"
        "\"{\\\"slug\\\":\\\"submit\\\\\\/240000000000001\\\",\\\"q3_name"
        "\\\":{\\\"first\\\":\\\"Ana\\\",\\\"last\\\":\\\"Ruiz\\\"},\\\""
        "q4_email\\\":\\\"ana@example.com\\\",\\\"q5_pick\\\":[\\\"Math, "
        "Physics\\\",\\\"a:b\\\"]}\",\"pretty\":\"Name:Ana Ruiz, Pick:Math, "
        "Physics a:b\",\"q6_upload\":{\"filename\":\"ID_!#$&'()*+,-.;=@[]^_`{}"
        "~ .png\",\"content_type\":\"image\\/png\",\"size\":53}}";

static int decode_jotform(json_object **out, const char *body, size_t len,
                          const struct gmhook__limits *limits,
                          struct gmhook_error *err)
{
	return gmhook__multipart_decode(out, body, len, JF_BOUNDARY, limits,
	                                err);
}

static void check_jotform(const char *body, size_t len)
{
	struct gmhook_error err = GMHOOK_ERROR_INIT;
	json_object *out = NULL;
	json_object *answers;
	json_object *member;
	const char *raw;

	assert_int_equal(decode_copy(decode_jotform, &out, body, len,
	                             &default_limits, &err),
	                 0);
	assert_string_equal(
	        json_object_to_json_string_ext(out, JSON_C_TO_STRING_PLAIN),
	        jotform_expect);

	/* rawRequest is kept byte for byte, so it still parses as JSON. */
	assert_true(json_object_object_get_ex(out, "rawRequest", &member));
	raw = json_object_get_string(member);
	assert_string_equal(raw, JF_RAW);
	answers = json_tokener_parse(raw);
	assert_non_null(answers);
	assert_true(json_object_object_get_ex(answers, "q3_name", &member));
	assert_true(json_object_object_get_ex(member, "first", &member));
	assert_string_equal(json_object_get_string(member), "Ana");
	json_object_put(answers);
	json_object_put(out);
}

static void multipart_decodes_jotform_crlf_and_lf(void **state)
{
	char lf[sizeof(jotform_body)];
	size_t n = 0;
	size_t i;

	(void) state;
	check_jotform(jotform_body, sizeof(jotform_body) - 1);
	for (i = 0; i < sizeof(jotform_body) - 1; i++) {
		if (jotform_body[i] != '\r') {
			lf[n++] = jotform_body[i];
		}
	}
	check_jotform(lf, n);
}

/* ==== robustness ==== */

/* xorshift32: a fixed sequence, so that a failure reproduces. */
static uint32_t next_random(uint32_t *state)
{
	uint32_t x = *state;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	*state = x;
	return x;
}

/* Any outcome but a crash, a leak or a half-filled result is fine. */
static void decode_any(decode_fn decode, const char *body, size_t len,
                       const struct gmhook__limits *limits)
{
	struct gmhook_error err = GMHOOK_ERROR_INIT;
	json_object *out = NULL;
	int rc;

	rc = decode_copy(decode, &out, body, len, limits, &err);
	if (rc == 0) {
		assert_non_null(out);
		json_object_put(out);
		return;
	}
	assert_null(out);
	assert_true(rc == GMHOOK_EPARSE || rc == GMHOOK_ETOOBIG);
	assert_int_equal(err.code, rc);
	assert_non_null(memchr(err.path, '\0', sizeof(err.path)));
	assert_non_null(memchr(err.message, '\0', sizeof(err.message)));
}

static void decode_all_ways(const char *body, size_t len, bool small)
{
	const struct gmhook__limits *limits =
	        small ? &small_limits : &default_limits;

	decode_any(gmhook__form_decode, body, len, limits);
	decode_any(decode_multipart, body, len, limits);
	decode_any(decode_jotform, body, len, limits);
}

struct seed {
	const char *body;
	size_t len;
};

static size_t add_seeds(struct seed *seeds, size_t n,
                        const struct decode_case *table, size_t count)
{
	size_t i;

	for (i = 0; i < count; i++) {
		seeds[n].body = table[i].body;
		seeds[n].len = strlen(table[i].body);
		n++;
	}
	return n;
}

#define ADD_SEEDS(seeds, n, table) \
	add_seeds(seeds, n, table, sizeof(table) / sizeof(table[0]))

static size_t collect_seeds(struct seed *seeds)
{
	size_t n = 0;

	n = ADD_SEEDS(seeds, n, form_valid);
	n = ADD_SEEDS(seeds, n, form_malformed);
	n = ADD_SEEDS(seeds, n, form_clashes);
	n = ADD_SEEDS(seeds, n, form_limited);
	n = ADD_SEEDS(seeds, n, multipart_valid);
	n = ADD_SEEDS(seeds, n, multipart_malformed);
	n = ADD_SEEDS(seeds, n, multipart_limited);
	seeds[n].body = jotform_body;
	seeds[n].len = sizeof(jotform_body) - 1;
	return n + 1;
}

#define MAX_SEEDS 128
#define MUTATIONS 3000

static void form_survives_truncated_and_mutated_bodies(void **state)
{
	static const char alphabet[] = "%[]&=+\r\n-\"\\;: aF0\xff\xc3\x80";
	struct seed seeds[MAX_SEEDS];
	char buf[sizeof(jotform_body) + 8];
	uint32_t rnd = 0x2545f491;
	size_t n_seeds = collect_seeds(seeds);
	size_t i;
	size_t len;
	size_t k;
	size_t s;

	(void) state;
	assert_true(n_seeds <= MAX_SEEDS);
	for (s = 0; s < n_seeds; s++) {
		for (len = 0; len <= seeds[s].len; len++) {
			decode_all_ways(seeds[s].body, len, len % 2 == 0);
		}
	}

	for (i = 0; i < MUTATIONS; i++) {
		s = next_random(&rnd) % n_seeds;
		len = seeds[s].len;
		memcpy(buf, seeds[s].body, len);
		for (k = next_random(&rnd) % 4; k > 0 && len > 0; k--) {
			buf[next_random(&rnd) % len] =
			        alphabet[next_random(&rnd) %
			                 (sizeof(alphabet) - 1)];
		}
		if (len > 0 && next_random(&rnd) % 3 == 0) {
			len = next_random(&rnd) % len;
		}
		decode_all_ways(buf, len, i % 2 == 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(form_decodes_valid_bodies),
		cmocka_unit_test(form_rejects_malformed_bodies),
		cmocka_unit_test(form_rejects_clashing_names),
		cmocka_unit_test(form_enforces_depth_and_field_limits),
		cmocka_unit_test(form_accepts_null_error),
		cmocka_unit_test(multipart_decodes_valid_bodies),
		cmocka_unit_test(multipart_rejects_malformed_bodies),
		cmocka_unit_test(multipart_rejects_empty_boundary),
		cmocka_unit_test(multipart_decodes_jotform_crlf_and_lf),
		cmocka_unit_test(form_survives_truncated_and_mutated_bodies),
	};

	return cmocka_run_group_tests_name("form", tests, NULL, NULL);
}
