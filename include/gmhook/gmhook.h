/* SPDX-License-Identifier: MIT */
/*
 * libgmhook: webhook deliveries into a GoldMine CRM database.
 *
 * A delivery goes through four stages, each a separate call:
 *
 *   gmhook_parse()    bytes + content type + headers -> event
 *   gmhook_validate() event -> event checked (signature, fields, limits)
 *   gmhook_map()      event -> plan of GoldMine actions
 *   gmhook_commit()   plan  -> result, one transaction per event
 *
 * Every stage output has a JSON form (gmhook_*_to_json) and a reader
 * (gmhook_*_from_json), so a stage can start from the previous stage's
 * saved output. A context holds the options, the log handler and the
 * database connection. The library never prints and never exits.
 *
 * Thread-safety: a context and the objects made with it may be used by one
 * thread at a time. Distinct contexts are independent.
 */
#ifndef GMHOOK_GMHOOK_H
#define GMHOOK_GMHOOK_H

#include <stddef.h>
#include <stdint.h>

#include <gmhook/error.h>
#include <gmhook/export.h>
#include <gmhook/version.h>

#ifdef __cplusplus
extern "C" {
#endif

struct gmhook_ctx;
struct gmhook_event;
struct gmhook_plan;
struct gmhook_result;

/** Log levels, most severe first. */
enum gmhook_log_level {
	GMHOOK_LOG_ERROR = 1,
	GMHOOK_LOG_WARN = 2,
	GMHOOK_LOG_INFO = 3,
	GMHOOK_LOG_DEBUG = 4,
};

/**
 * A log handler. @p message is formatted, has no trailing newline and is
 * valid only during the call. Messages never contain secrets; personal
 * data appears only at GMHOOK_LOG_DEBUG.
 */
typedef void (*gmhook_log_fn)(int level, const char *message, void *userdata);

/** What to do with a value longer than its GoldMine column. */
enum gmhook_overflow {
	GMHOOK_OVERFLOW_TRUNCATE = 0, /**< cut it and add a warning */
	GMHOOK_OVERFLOW_REJECT = 1,   /**< fail validation */
};

#define GMHOOK_OPTIONS_VERSION 1

/**
 * Options for gmhook_ctx_new(). Initialise with GMHOOK_OPTIONS_INIT, then
 * set what differs. A NULL string means the default. Fields are only ever
 * appended; @c version tells the library which ones the caller knows.
 */
struct gmhook_options {
	unsigned int version;
	/** ODBC connection string, DSN name or SQLite file; "gmhook.db" */
	const char *db;
	/** GoldMine user for USERID/CREATEBY/LASTUSER, max 8; "WEBHOOK" */
	const char *user;
	/** record owner of new contacts, max 8; "" (public) */
	const char *owner;
	/** CONTACT1.SOURCE of new contacts, max 20; the source's label */
	const char *source_label;
	/** merge codes put on new e-mail rows, max 20; "" */
	const char *merge_codes;
	/** largest body accepted, in bytes; 1 MiB */
	uint64_t max_body;
	/** deepest JSON or form nesting accepted; 32 */
	uint32_t max_depth;
	/** most fields (values) in one delivery; 2000 */
	uint32_t max_fields;
	/** most events in one delivery; 1000 */
	uint32_t max_events;
	/** an enum gmhook_overflow value */
	int32_t overflow;
	/** seconds to wait for the database login; 15 */
	uint32_t login_timeout;
	/** non-zero: gmhook_commit() writes nothing and reports the SQL */
	int32_t dry_run;
	/**
	 * A JSON configuration file (docs/configuration.md), read by
	 * gmhook_ctx_new() before the fields above are applied: a field set
	 * here wins over the file. NULL: no file.
	 */
	const char *config;
	/** non-zero: gmhook_map() lists, per field a mapping rule sets, the
	 * rule, the pointer read, the transforms and the value */
	int32_t explain;
};

#define GMHOOK_OPTIONS_INIT                                                    \
	{                                                                      \
		GMHOOK_OPTIONS_VERSION, NULL, NULL, NULL, NULL, NULL, 0, 0, 0, \
		        0, 0, 0, 0, NULL, 0                                    \
	}

/**
 * One HTTP header of a delivery. Names compare case-insensitively.
 */
struct gmhook_header {
	const char *name;
	const char *value;
};

#define GMHOOK_REQUEST_VERSION 1

/**
 * A delivery as received: the body bytes exactly as they arrived (the
 * signature covers them), its content type, its headers and an optional
 * source name. Initialise with GMHOOK_REQUEST_INIT.
 */
struct gmhook_request {
	unsigned int version;
	const void *body;
	size_t body_len;
	/** Content-Type header value; NULL: guess from the body */
	const char *content_type;
	const struct gmhook_header *headers;
	size_t n_headers;
	/** source name ("calendly", "webform"); NULL: detect */
	const char *source;
	/** when it was received, Unix seconds; 0: now */
	int64_t received;
};

#define GMHOOK_REQUEST_INIT                                             \
	{                                                               \
		GMHOOK_REQUEST_VERSION, NULL, 0, NULL, NULL, 0, NULL, 0 \
	}

/** The library's version string at run time, such as "0.1.0". */
GMHOOK_API const char *gmhook_version(void);

/** The library's GMHOOK_VERSION_NUMBER at run time. */
GMHOOK_API int gmhook_version_number(void);

/**
 * Create a context.
 *
 * The options are copied; @p opts may be NULL for all defaults. No
 * database connection is made until a call needs one.
 *
 * @param[out] out  the new context; caller owns, free with gmhook_ctx_free()
 * @param opts      options or NULL
 * @param[out] err  filled on failure, may be NULL
 * @return 0, GMHOOK_EINVAL (bad option, named in @p err) or GMHOOK_ENOMEM
 */
GMHOOK_API int gmhook_ctx_new(struct gmhook_ctx **out,
                              const struct gmhook_options *opts,
                              struct gmhook_error *err);

/**
 * The GoldMine server's time zone named by the configuration ("" when
 * none). The library converts times with the process's local time zone
 * (TZ); a program sets TZ from this value before the first event.
 * Borrowed from @p ctx.
 */
GMHOOK_API const char *gmhook_ctx_timezone(const struct gmhook_ctx *ctx);

/**
 * The spool directory named by the configuration ("" when none).
 * Borrowed from @p ctx.
 */
GMHOOK_API const char *gmhook_ctx_spool_dir(const struct gmhook_ctx *ctx);

/**
 * Whether the configuration trusts the forwarding headers
 * (X-Forwarded-Proto, X-Forwarded-Host) of a request from @p peer, the
 * address of the client that connected (CGI's REMOTE_ADDR, such as
 * "127.0.0.1" or "::1").
 *
 * Returns 1 when "http"."trust_proxy" is true, or lists an address or
 * network that contains @p peer (an IPv4 peer written as ::ffff:a.b.c.d
 * matches IPv4 entries); else 0, also for a NULL @p ctx, a NULL @p peer
 * or one that is not an IP address. Without the key, nobody is trusted.
 * Thread-safe for concurrent readers of one @p ctx.
 *
 * @param ctx   the context
 * @param peer  the client's IP address as text, or NULL
 * @return 1 (trusted) or 0
 */
GMHOOK_API int gmhook_ctx_trusts_proxy(const struct gmhook_ctx *ctx,
                                       const char *peer);

/** Free a context and close its database connection. NULL is a no-op. */
GMHOOK_API void gmhook_ctx_free(struct gmhook_ctx *ctx);

/**
 * Install a log handler; NULL removes it (the library is then silent).
 * Messages above @p level are not formatted at all.
 */
GMHOOK_API void gmhook_ctx_set_log_fn(struct gmhook_ctx *ctx, gmhook_log_fn fn,
                                      int level, void *userdata);

/**
 * Stage 1: decode a delivery.
 *
 * Decodes JSON (an object, or an array of events), urlencoded or
 * multipart/form-data bodies, detects or checks the source, and extracts
 * each event's type, id and time. Limits on body size, depth and field
 * count apply here.
 *
 * @param[out] out  the event; caller owns, free with gmhook_event_free()
 * @return 0, GMHOOK_EINVAL, GMHOOK_ENOMEM, GMHOOK_EPARSE, GMHOOK_ETOOBIG or
 *         GMHOOK_ESOURCE; @p err names the byte offset or pointer at fault
 */
GMHOOK_API int gmhook_parse(struct gmhook_event **out, struct gmhook_ctx *ctx,
                            const struct gmhook_request *req,
                            struct gmhook_error *err);

/**
 * Stage 2: check an event: signature (where the source has one), required
 * fields, e-mail syntax, dates, UTF-8. Marks the event validated.
 *
 * @return 0, GMHOOK_EINVAL, GMHOOK_EVALIDATE or GMHOOK_ESIGNATURE
 */
GMHOOK_API int gmhook_validate(struct gmhook_ctx *ctx,
                               struct gmhook_event *event,
                               struct gmhook_error *err);

/**
 * Stage 3: turn a validated event into a plan of GoldMine actions. Values
 * longer than their column are cut with a warning in the plan, or refused
 * with GMHOOK_EVALIDATE when the overflow option says so.
 *
 * @param[out] out  the plan; caller owns, free with gmhook_plan_free()
 * @return 0, GMHOOK_EINVAL (event not validated), GMHOOK_ENOMEM,
 *         GMHOOK_EMAP or GMHOOK_EVALIDATE
 */
GMHOOK_API int gmhook_map(struct gmhook_plan **out, struct gmhook_ctx *ctx,
                          const struct gmhook_event *event,
                          struct gmhook_error *err);

/**
 * Stage 4: apply a plan to the database, one transaction per event, each
 * with its ledger row. An event whose ledger row exists already writes
 * nothing and reports "duplicate" with the first result.
 *
 * @param[out] out  the result; caller owns, free with gmhook_result_free()
 * @return 0, GMHOOK_EINVAL, GMHOOK_ENOMEM, GMHOOK_EDB or GMHOOK_EUNAVAIL
 */
GMHOOK_API int gmhook_commit(struct gmhook_result **out, struct gmhook_ctx *ctx,
                             const struct gmhook_plan *plan,
                             struct gmhook_error *err);

/**
 * Create the tables gmhook writes (GoldMine's subset, for the embedded
 * database and tests) and its ledger. With @p ledger_only, only the ledger
 * tables are created, for a real GoldMine database. Existing tables are
 * left alone.
 *
 * @return 0, GMHOOK_EDB or GMHOOK_EUNAVAIL
 */
GMHOOK_API int gmhook_init_db(struct gmhook_ctx *ctx, int ledger_only,
                              struct gmhook_error *err);

/**
 * The SQL gmhook_init_db() would run, as text: the GoldMine tables (unless
 * @p ledger_only) and gmhook's ledger and link tables, in @p dialect
 * ("mssql", "postgresql" or "sqlite"). Nothing is connected to.
 *
 * @return the statements, each ending in ";\n"; caller owns, free with
 *         gmhook_free(). NULL for an unknown dialect or out of memory.
 */
GMHOOK_API char *gmhook_init_db_sql(const char *dialect, int ledger_only);

/**
 * Check a context's configuration against its database: connect, read
 * the columns of the tables gmhook writes, and make sure every CONTACT2
 * field a mapping names exists. The configuration file and mappings were
 * checked already by gmhook_ctx_new().
 *
 * @return 0, GMHOOK_ECONFIG (the mapping file and pointer in @p err),
 *         GMHOOK_EUNAVAIL or GMHOOK_EDB
 */
GMHOOK_API int gmhook_check(struct gmhook_ctx *ctx, struct gmhook_error *err);

/** Free an event. NULL is a no-op. */
GMHOOK_API void gmhook_event_free(struct gmhook_event *event);

/** Free a plan. NULL is a no-op. */
GMHOOK_API void gmhook_plan_free(struct gmhook_plan *plan);

/** Free a result. NULL is a no-op. */
GMHOOK_API void gmhook_result_free(struct gmhook_result *result);

/**
 * The JSON form of an event, pretty-printed when @p pretty is non-zero.
 * Caller owns the string; free it with gmhook_free(). NULL when out of
 * memory.
 */
GMHOOK_API char *gmhook_event_to_json(const struct gmhook_event *event,
                                      int pretty);

/** The JSON form of a plan; as gmhook_event_to_json(). */
GMHOOK_API char *gmhook_plan_to_json(const struct gmhook_plan *plan,
                                     int pretty);

/** The JSON form of a result; as gmhook_event_to_json(). */
GMHOOK_API char *gmhook_result_to_json(const struct gmhook_result *result,
                                       int pretty);

/**
 * Read an event from its JSON form (@p len bytes; need not be
 * NUL-terminated). A validated mark in the JSON is not trusted:
 * gmhook_validate() must run again.
 *
 * @param[out] out  caller owns, free with gmhook_event_free()
 * @return 0, GMHOOK_EINVAL, GMHOOK_ENOMEM or GMHOOK_EPARSE
 */
GMHOOK_API int gmhook_event_from_json(struct gmhook_event **out,
                                      struct gmhook_ctx *ctx, const char *json,
                                      size_t len, struct gmhook_error *err);

/** Read a plan from its JSON form; as gmhook_event_from_json(). */
GMHOOK_API int gmhook_plan_from_json(struct gmhook_plan **out,
                                     struct gmhook_ctx *ctx, const char *json,
                                     size_t len, struct gmhook_error *err);

/** Read a result from its JSON form; as gmhook_event_from_json(). */
GMHOOK_API int gmhook_result_from_json(struct gmhook_result **out,
                                       struct gmhook_ctx *ctx, const char *json,
                                       size_t len, struct gmhook_error *err);

/** The source name of an event ("calendly"). Borrowed from @p event. */
GMHOOK_API const char *gmhook_event_source(const struct gmhook_event *event);

/** How many events a delivery carried. */
GMHOOK_API size_t gmhook_event_count(const struct gmhook_event *event);

/**
 * The overall status of a result: "committed", "duplicate", "dry-run",
 * "ignored" or "mixed". Borrowed from @p result.
 */
GMHOOK_API const char *gmhook_result_status(const struct gmhook_result *result);

/**
 * The ACCOUNTNO of the contact the first event landed on, or "" when none.
 * Borrowed from @p result.
 */
GMHOOK_API const char *
gmhook_result_accountno(const struct gmhook_result *result);

/** Free a string the library allocated. NULL is a no-op. */
GMHOOK_API void gmhook_free(void *ptr);

/**
 * The names of the built-in sources, NULL-terminated. Static storage.
 */
GMHOOK_API const char *const *gmhook_source_names(void);

/**
 * What a source is, for people: @p what is "description", "signature"
 * (its signature scheme), "actions" (what its events write by default) or
 * "mapping" (its built-in mapping file's name, e.g. "calendly.json"; NULL
 * when its mapping is C code or it has none). Static storage; NULL for an
 * unknown source or @p what.
 */
GMHOOK_API const char *gmhook_source_info(const char *name, const char *what);

/* ==== Spool: deliveries kept while the database is unreachable ==== */

struct gmhook_spool_item;

/**
 * Keep a delivery in a spool directory until the database can take it.
 *
 * Writes one file holding the body (base64, so every byte is kept, with
 * its length and SHA-256), the content type, the headers, the source and
 * the time received (@p req->received, or now when it is 0). The file is
 * written under a temporary name that starts with '.', flushed with
 * fsync(), renamed to its final name and the directory is flushed too:
 * when this returns 0 the delivery survives a crash or power loss. On
 * failure nothing is left in @p dir (the temporary file is removed).
 *
 * The name is "<received-ns>-<pid>-<random>.json": nanoseconds since the
 * epoch in 20 digits, so names sort in the order deliveries were spooled
 * (a @p req->received more than a second from now, as in a replay, sorts
 * at that time). The file is created with mode 0600 (it holds personal
 * data). @p dir must exist; it is not created.
 *
 * @param[out] name_out  the file name within @p dir (no directory part);
 *                       caller owns, free with gmhook_free(). May be NULL.
 *                       Untouched on failure.
 * @param ctx   the context (log handler, clock); may be NULL
 * @param dir   the spool directory
 * @param req   the delivery; borrowed, not kept
 * @param[out] err  filled on failure, may be NULL
 * @return 0, GMHOOK_EINVAL (no @p dir or @p req, or a header without a
 *         name or value), GMHOOK_ENOMEM or GMHOOK_EIO (the message names
 *         the file and the system error, such as "No space left on
 *         device")
 *
 * Thread-safety: distinct calls may write to the same directory at once,
 * from threads or processes; names never collide.
 */
GMHOOK_API int gmhook_spool_write(char **name_out, struct gmhook_ctx *ctx,
                                  const char *dir,
                                  const struct gmhook_request *req,
                                  struct gmhook_error *err);

/**
 * Read a spool file written by gmhook_spool_write() back into a delivery.
 *
 * The body is checked against its recorded length and SHA-256, so a
 * damaged file is refused, never committed with other bytes.
 *
 * @param[out] out  the item; caller owns, free with
 *                  gmhook_spool_item_free(). Untouched on failure.
 * @param ctx   the context; its max_body option bounds the file size
 * @param path  the spool file (directory and name)
 * @return 0, GMHOOK_EINVAL (a NULL argument), GMHOOK_ENOMEM, GMHOOK_EIO
 *         (cannot open or read; message names the file), GMHOOK_ETOOBIG
 *         (file larger than twice max_body plus 1 MiB) or GMHOOK_EPARSE
 *         (not a spool document; the path in @p err points at the member
 *         at fault, such as "/body" or "/headers/2")
 */
GMHOOK_API int gmhook_spool_read(struct gmhook_spool_item **out,
                                 struct gmhook_ctx *ctx, const char *path,
                                 struct gmhook_error *err);

/**
 * The delivery of a spool item, ready for gmhook_parse(): body, content
 * type, headers, source and the original time received (so signature
 * timestamps are checked against when it arrived, not when it is
 * drained). Borrowed; valid until gmhook_spool_item_free(). NULL when
 * @p item is NULL.
 */
GMHOOK_API const struct gmhook_request *
gmhook_spool_item_request(const struct gmhook_spool_item *item);

/** Free a spool item. NULL is a no-op. */
GMHOOK_API void gmhook_spool_item_free(struct gmhook_spool_item *item);

/**
 * The spool entries of @p dir in the order received (names sorted in
 * byte order), as a NULL-terminated array of file names. Temporary files
 * (names starting with '.'), the lock file, the dead/ folder and anything
 * not ending in ".json" are left out.
 *
 * @param[out] out  caller owns, free with gmhook_spool_list_free().
 *                  Untouched on failure.
 * @param ctx  the context; may be NULL
 * @return 0, GMHOOK_EINVAL, GMHOOK_ENOMEM or GMHOOK_EIO (cannot open
 *         @p dir)
 */
GMHOOK_API int gmhook_spool_list(char ***out, struct gmhook_ctx *ctx,
                                 const char *dir, struct gmhook_error *err);

/** Free a list from gmhook_spool_list(). NULL is a no-op. */
GMHOOK_API void gmhook_spool_list_free(char **names);

/* ==== Batches: many plans, one transaction ==== */

/**
 * Stage 4 for a group of plans: commit them in one database transaction,
 * each event inside its own savepoint, so that a batch pays for one
 * COMMIT per group instead of one per event while every event keeps its
 * own ledger row and its own outcome.
 *
 * Each plan's outcome is what gmhook_commit() would have given it: a
 * result ("committed", "duplicate", "ignored", "mixed"), or an error. An
 * event that fails (a bad plan, a constraint violation, a value the
 * database refuses) is rolled back to its savepoint and only its plan
 * reports the error; an event already in the ledger, also when an
 * earlier plan of the same group committed it, is "duplicate". As with
 * gmhook_commit(), the events of a plan before the failing one stay
 * committed.
 *
 * When the group as a whole cannot be committed (the connection is lost,
 * the final COMMIT fails, or the database drops the transaction), nothing
 * of the group is committed and no plan is reported committed: the call
 * fails, every @p results_out entry is NULL, and the caller commits the
 * plans again one by one with gmhook_commit() or spools them. After a
 * lost connection (GMHOOK_EUNAVAIL) the next call connects again.
 *
 * With the dry_run option, or a REST backend, the plans are committed one
 * by one with gmhook_commit() and the call returns 0.
 *
 * @param[out] results_out  an array of @p n_plans entries; on success
 *                  entry i is plan i's result (caller owns, free each
 *                  with gmhook_result_free()) or NULL when @p errors_out
 *                  entry i holds its error. All NULL on failure.
 * @param[out] errors_out   an array of @p n_plans entries; on success
 *                  entry i has code 0, or plan i's error. Cleared
 *                  (GMHOOK_ERROR_INIT) on failure.
 * @param ctx       the context; its connection and prepared statements
 *                  are reused from group to group
 * @param plans     the plans, in commit order; borrowed. A plan may name
 *                  the same event as an earlier one.
 * @param n_plans   how many; 0 does nothing and returns 0
 * @param[out] err  why the group failed; may be NULL
 * @return 0 (each plan's own outcome is in the arrays), GMHOOK_EINVAL (a
 *         NULL argument or plan, named in @p err), GMHOOK_ECONFIG (no
 *         ledger table), GMHOOK_ENOMEM, GMHOOK_EDB or GMHOOK_EUNAVAIL
 *
 * Thread-safety: as every call on @p ctx.
 */
GMHOOK_API int gmhook_commit_batch(struct gmhook_result **results_out,
                                   struct gmhook_error *errors_out,
                                   struct gmhook_ctx *ctx,
                                   const struct gmhook_plan *const *plans,
                                   size_t n_plans, struct gmhook_error *err);

#ifdef __cplusplus
}
#endif

#endif
