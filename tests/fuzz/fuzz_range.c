/* fuzz_range.c — the Range header parser (http_file_parse_range) on
 * arbitrary header text against file sizes at the edges (0, 1, small,
 * 2^63, UINT64_MAX) or taken from the input.
 *
 * Input: one byte choosing the file size (a table index, or past the
 * table: the next 8 bytes are the size), then the header.
 *
 * Invariants: 0 means a non-empty range entirely inside the file
 * (start < size, len >= 1, start + len <= size, no wrap-around); 1 and -1
 * leave start and len alone; -1 never for a header that is not a
 * well-formed single byte range.
 */
#include "fuzz.h"

#include "http_file.h"
#include "log.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	log_set_verbosity(-1);
	return 0;
}

static const uint64_t sizes[] = {
	0, 1, 2, 10, 100, 4096, 1000000, 4294967295ULL, 4294967296ULL,
	(uint64_t)1 << 63, UINT64_MAX - 1, UINT64_MAX,
};
#define NSIZES	(sizeof(sizes) / sizeof(sizes[0]))

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint64_t fsize, start = 0xdead, len = 0xbeef;
	char *hdr;
	int rc;

	if (size < 1)
		return 0;
	if (data[0] < NSIZES) {
		fsize = sizes[data[0]];
		data++;
		size--;
	} else {
		if (size < 9)
			return 0;
		memcpy(&fsize, data + 1, 8);
		data += 9;
		size -= 9;
	}
	hdr = fuzz_cstr(data, size);
	rc = http_file_parse_range(hdr, fsize, &start, &len);
	FUZZ_ASSERT(rc == 0 || rc == 1 || rc == -1, "rc %d", rc);
	if (rc == 0) {
		FUZZ_ASSERT(len >= 1, "empty range for \"%s\"", hdr);
		FUZZ_ASSERT(start < fsize, "start %ju >= size %ju for \"%s\"",
		    (uintmax_t)start, (uintmax_t)fsize, hdr);
		FUZZ_ASSERT(len <= fsize - start, "range %ju+%ju past size %ju "
		    "for \"%s\"", (uintmax_t)start, (uintmax_t)len,
		    (uintmax_t)fsize, hdr);
	} else {
		FUZZ_ASSERT(start == 0xdead && len == 0xbeef,
		    "start/len written with rc %d", rc);
	}
	if (rc == -1)
		FUZZ_ASSERT(strchr(hdr, ',') == NULL && strchr(hdr, '=') !=
		    NULL, "416 for \"%s\"", hdr);
	FUZZ_ASSERT(http_file_parse_range(hdr, fsize, &start, &len) == rc,
	    "not deterministic");
	free(hdr);
	return 0;
}
