/* SPDX-License-Identifier: MIT */
/*
 * Error reporting for libgmhook. Every public call that can fail returns 0
 * or a negative GMHOOK_E* code and, when the caller passes one, fills a
 * caller-allocated struct gmhook_error with the stage, a message and the
 * RFC 6901 JSON pointer of the field at fault.
 */
#ifndef GMHOOK_ERROR_H
#define GMHOOK_ERROR_H

#include <gmhook/export.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * The error codes. Values are negative and stable; new codes are only ever
 * appended. docs/errors.md lists them with their exit statuses.
 */
enum gmhook_code {
	GMHOOK_OK = 0,
	GMHOOK_EINVAL = -1,     /**< bad argument or usage */
	GMHOOK_ENOMEM = -2,     /**< out of memory */
	GMHOOK_EPARSE = -3,     /**< the payload cannot be decoded */
	GMHOOK_EVALIDATE = -4,  /**< the payload breaks a rule */
	GMHOOK_ETOOBIG = -5,    /**< the payload exceeds a configured limit */
	GMHOOK_ESIGNATURE = -6, /**< bad or missing signature */
	GMHOOK_EMAP = -7,       /**< no mapping, or the mapping failed */
	GMHOOK_EDB = -8,        /**< the database refused a statement */
	GMHOOK_EUNAVAIL = -9,   /**< the database cannot be reached now */
	GMHOOK_ECONFIG = -10,   /**< bad configuration */
	GMHOOK_ENOTSUP = -11,   /**< not supported (yet) */
	GMHOOK_EIO = -12,       /**< reading or writing a file failed */
	GMHOOK_ESOURCE =
	        -13, /**< the source cannot be detected or is unknown */
	GMHOOK_EMEDIATYPE = -14, /**< the content type is not supported */
};

/** The pipeline stage an error belongs to. */
enum gmhook_stage {
	GMHOOK_STAGE_NONE = 0,
	GMHOOK_STAGE_PARSE = 1,
	GMHOOK_STAGE_VALIDATE = 2,
	GMHOOK_STAGE_MAP = 3,
	GMHOOK_STAGE_COMMIT = 4,
};

/**
 * A detailed error. Allocate it on the stack and initialise it with
 * GMHOOK_ERROR_INIT. The library writes it only when a call fails; all text
 * is NUL-terminated and nothing in it needs freeing.
 */
struct gmhook_error {
	int code;          /**< a GMHOOK_E* value */
	int stage;         /**< an enum gmhook_stage value */
	char message[256]; /**< human-readable, without secrets */
	char path[256];    /**< RFC 6901 pointer into the input, "" = whole */
	char sqlstate[6];  /**< ODBC SQLSTATE for database errors, else "" */
	long native;       /**< driver-native error code, else 0 */
};

#define GMHOOK_ERROR_INIT           \
	{                           \
		0, 0, "", "", "", 0 \
	}

/**
 * A static description of @p code ("bad signature"). Never NULL; unknown
 * codes give "unknown error".
 */
GMHOOK_API const char *gmhook_strerror(int code);

/**
 * The symbolic name of @p code ("GMHOOK_ESIGNATURE"). Never NULL.
 */
GMHOOK_API const char *gmhook_code_name(int code);

/** The name of @p stage ("parse", "validate", "map", "commit" or ""). */
GMHOOK_API const char *gmhook_stage_name(int stage);

/**
 * The sysexits.h exit status a program should use for @p code: 0 (done),
 * 64 (usage), 65 (bad payload), 69 (not supported), 74 (file I/O), 75 (try
 * again later), 77 (bad signature) or 78 (configuration).
 */
GMHOOK_API int gmhook_exit_status(int code);

#ifdef __cplusplus
}
#endif

#endif
