/* bench_xmlrpc.c — how XML-RPC struct decoding scales with the number of
 * members (make bench-xmlrpc; built as build/bench_xmlrpc).
 *
 *   bench_xmlrpc [MAX_MEMBERS]
 *
 * Decodes methodResponses holding one struct of MAX/8, MAX/4, MAX/2 and
 * MAX members (default 200,000; keys like XAPI's OpaqueRefs) and prints,
 * per size, the seconds xr_parse_response took and the ratio to the
 * previous size. Linear decoding doubles the time when the members
 * double (ratio about 2); the quadratic decoder of issue 11 (finding 9)
 * quadrupled it (100,000 members took 74 s).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libxml/parser.h>

#include "xmlrpc.h"

static double
bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A methodResponse with one struct of n members; caller frees. */
static char *
bench_reply(long n, size_t *len)
{
	size_t cap = (size_t)n * 128 + 256, off = 0;
	char *b;
	long i;

	if ((b = malloc(cap)) == NULL)
		return NULL;
	off += (size_t)snprintf(b + off, cap - off, "<?xml version=\"1.0\"?>"
	    "<methodResponse><params><param><value><struct>");
	for (i = 0; i < n; i++)
		off += (size_t)snprintf(b + off, cap - off, "<member><name>"
		    "OpaqueRef:5b1e6a4c-0000-4000-8000-%012ld</name><value>"
		    "<int>%ld</int></value></member>", i, i);
	off += (size_t)snprintf(b + off, cap - off, "</struct></value></param>"
	    "</params></methodResponse>");
	*len = off;
	return b;
}

int
main(int argc, char **argv)
{
	long max = argc > 1 ? atol(argv[1]) : 200000, n;
	double prev = 0, t0, t;
	struct xr_value *v;
	char err[256];
	size_t len;
	char *body;

	if (max < 8) {
		fprintf(stderr, "usage: bench_xmlrpc [MAX_MEMBERS >= 8]\n");
		return 2;
	}
	printf("%10s %10s %8s\n", "members", "seconds", "ratio");
	for (n = max / 8; n <= max; n *= 2) {
		if ((body = bench_reply(n, &len)) == NULL)
			return 1;
		t0 = bench_now();
		if (xr_parse_response(body, len, &v, err, sizeof(err)) == -1) {
			fprintf(stderr, "bench_xmlrpc: %s\n", err);
			return 1;
		}
		t = bench_now() - t0;
		if ((long)v->n != n) {
			fprintf(stderr, "bench_xmlrpc: %zu members, expected "
			    "%ld\n", v->n, n);
			return 1;
		}
		xr_free(v);
		free(body);
		if (prev > 0)
			printf("%10ld %10.3f %8.2f\n", n, t, t / prev);
		else
			printf("%10ld %10.3f %8s\n", n, t, "-");
		fflush(stdout);
		prev = t;
	}
	xmlCleanupParser();
	return 0;
}
