/* SPDX-License-Identifier: Apache-2.0 */
/* util: SHA-512 in one go and in pieces, and the reference's hashed names. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdint.h>
#include <unistd.h>
#include <sys/wait.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "lib/common/sha512.h"
#include "lib/common/util.h"

static void hex(const uint8_t *md, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", md[i]);
}

static void sha512_known_vector(void **state)
{
	uint8_t md[64];
	char h[33];

	(void)state;
	sha512("abc", 3, md);
	hex(md, 16, h);
	assert_string_equal(h, "ddaf35a193617abacc417349ae204131");
}

/* Every length up to three blocks, fed in uneven pieces, hashes as in one go. */
static void pieces_hash_as_one(void **state)
{
	uint8_t data[400], a[64], b[64];

	(void)state;
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 7 + 1);
	for (size_t len = 0; len <= sizeof(data); len++) {
		struct sha512_ctx c;
		size_t off = 0, step = 1;

		sha512(data, len, a);
		sha512_init(&c);
		while (off < len) {
			size_t n = step < len - off ? step : len - off;

			sha512_update(&c, data + off, n);
			off += n;
			step = step * 3 % 131 + 1;
		}
		sha512_final(&c, b);
		assert_memory_equal(a, b, 64);
	}
}

/* As the reference: prefix + hex of SHA-512(network . id), cut to length;
 * long inputs are hashed whole. */
static void names_as_the_reference(void **state)
{
	char out[29], longn[401], longi[401];

	(void)state;
	sha512_name("CNI-", "mynet", "abc", out, sizeof(out));
	assert_string_equal(out, "CNI-e88f49d94512ff752ebe6070");
	sha512_name("bwp", "", "", out, 16);
	assert_string_equal(out, "bwpcf83e1357eef");
	memset(longn, 'n', 400);
	longn[400] = '\0';
	memset(longi, 'c', 400);
	longi[400] = '\0';
	sha512_name("CNI-", longn, longi, out, sizeof(out));
	assert_string_equal(out, "CNI-01cd542e2d44e9037474063c");
}

static void array_grows_by_doubling_and_keeps_its_elements(void **state)
{
	size_t cap = 0;
	int *a = NULL;

	(void)state;
	for (size_t n = 0; n < 100; n++) {
		int *p = util_array_grow(a, n, &cap, sizeof(*a));

		assert_non_null(p);
		a = p;
		a[n] = (int)n;
		assert_true(cap > n);
	}
	assert_int_equal(cap, 128);
	for (int i = 0; i < 100; i++)
		assert_int_equal(a[i], i);
	/* full and too big to double: NULL, the array untouched */
	cap = SIZE_MAX / 2 + 1;
	assert_null(util_array_grow(a, cap, &cap, sizeof(*a)));
	assert_int_equal(a[99], 99);
	free(a);
}

static void temp_file_of_a_dead_writer_is_an_orphan(void **state)
{
	char name[64];
	pid_t pid = fork();

	(void)state;
	if (pid == 0)
		_exit(0);
	waitpid(pid, NULL, 0);
	snprintf(name, sizeof(name), "x.json.tmp.%d", (int)pid);
	assert_true(util_tmp_is_orphan(name));
	snprintf(name, sizeof(name), "x.json.tmp.%d", (int)getpid());
	assert_false(util_tmp_is_orphan(name));
	assert_false(util_tmp_is_orphan("x.json"));
	assert_false(util_tmp_is_orphan("x.tmp.12ab"));
	assert_false(util_tmp_is_orphan("x.tmp."));
}

/* A killed writer's temp file under the fixed name is replaced, and the
 * write lands whole. */
static void atomic_write_through_a_fixed_temp_name_replaces_a_leftover(void **state)
{
	char dir[] = "/tmp/ccni-test-atomic.XXXXXX", path[64], tmp[72], *text;
	size_t len;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/file", dir);
	snprintf(tmp, sizeof(tmp), "%s/file.tmp", dir);
	assert_non_null(f = fopen(tmp, "w"));
	fputs("half a backup", f);
	fclose(f);
	assert_int_equal(util_write_file_atomic_as(path, tmp, "whole", 5, 0600, true), 0);
	assert_int_equal(access(tmp, F_OK), -1);
	assert_non_null(text = util_read_file(path, 100, &len, true));
	assert_int_equal(len, 5);
	assert_memory_equal(text, "whole", 5);
	free(text);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sha512_known_vector),
		cmocka_unit_test(pieces_hash_as_one),
		cmocka_unit_test(names_as_the_reference),
		cmocka_unit_test(array_grows_by_doubling_and_keeps_its_elements),
		cmocka_unit_test(temp_file_of_a_dead_writer_is_an_orphan),
		cmocka_unit_test(atomic_write_through_a_fixed_temp_name_replaces_a_leftover),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
