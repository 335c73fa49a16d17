/* SPDX-License-Identifier: Apache-2.0 */
/* distance.c — edit distance of short names, for suggestions. */
#include <ctype.h>
#include <string.h>

#include "lib/common/distance.h"

size_t util_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), row[64];

	if (la >= 63 || lb >= 63)
		return 99;
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];

		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j], best = diag + (tolower((unsigned char)a[i - 1]) !=
							   tolower((unsigned char)b[j - 1]));

			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			diag = up;
			row[j] = best;
		}
	}
	return row[lb];
}

int util_close(const char *a, const char *b)
{
	return util_distance(a, b) <= (strlen(a) >= 5 ? 2u : 1u);
}
