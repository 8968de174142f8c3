/* SPDX-License-Identifier: MIT */
/*
 * Symbol visibility for libgmhook. The library is built with hidden symbols;
 * GMHOOK_API marks the public ones, which libgmhook.sym also lists.
 */
#ifndef GMHOOK_EXPORT_H
#define GMHOOK_EXPORT_H

#if defined(__GNUC__) && __GNUC__ >= 4
#define GMHOOK_API __attribute__((visibility("default")))
#else
#define GMHOOK_API
#endif

#endif
