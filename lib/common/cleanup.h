/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cleanup.h — ownership made visible in a variable's type. A local declared
 * `_cleanup_free_ char *s` is freed when it goes out of scope; TAKE_PTR()
 * hands ownership on. Internal to ccni; never installed.
 */
#ifndef CCNI_CLEANUP_H
#define CCNI_CLEANUP_H

#include <stdlib.h>
#include <unistd.h>
#include <errno.h>
#include <jansson.h>

static inline void freep(void *p) { free(*(void **)p); }
static inline void closep(int *fd)
{
	if (*fd >= 0) {
		int saved = errno;
		close(*fd);
		errno = saved;
	}
}
/* jansson >= 2.9 provides json_decrefp() for this */

#define _cleanup_(f) __attribute__((cleanup(f)))
#define _cleanup_free_ _cleanup_(freep)
#define _cleanup_close_ _cleanup_(closep)
#define _cleanup_json_ _cleanup_(json_decrefp)

/* Declare a cleanup function for a type: DEFINE_CLEANUP(struct x *, x_free). */
#define DEFINE_CLEANUP(type, func)                      \
	static inline void func##p(type *p)             \
	{                                               \
		if (*p)                                 \
			func(*p);                       \
	}

#define TAKE_PTR(p)                         \
	({                                  \
		__typeof__(p) _tmp_ = (p);  \
		(p) = NULL;                 \
		_tmp_;                      \
	})
#define TAKE_FD(fd)                 \
	({                          \
		int _tmp_ = (fd);   \
		(fd) = -1;          \
		_tmp_;              \
	})

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define streq(a, b) (strcmp((a), (b)) == 0)

#endif
