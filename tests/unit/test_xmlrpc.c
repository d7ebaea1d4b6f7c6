/* test_xmlrpc.c — XML-RPC as XAPI speaks it: requests built by the tree
 * API survive a round trip with hostile text, every value form XAPI sends
 * is understood, and hostile replies (DOCTYPE, entity bombs, deep nesting,
 * truncation) are refused quickly without crashing. */
#include "unit.h"

#include <math.h>
#include <sys/time.h>
#include <time.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "xmlrpc.h"

static const char hostile[] = "<a&b> \"quoted\" 'single' ]]> &amp; \n\ttab";

/* Wraps the <params> of a serialised call into a methodResponse, so the
 * values we built go through the reply parser. */
static char *
call_to_response(const char *call)
{
	const char *a = strstr(call, "<params>"), *b = strstr(call,
	    "</params>");
	char *out;

	if (a == NULL || b == NULL)
		return NULL;
	if (asprintf(&out, "<?xml version=\"1.0\"?>\n<methodResponse>%.*s"
	    "</params></methodResponse>", (int)(b - a), a) < 0)
		return NULL;
	return out;
}

static int
parse(const char *body, struct xr_value **out, char *err, size_t errlen)
{
	return xr_parse_response(body, strlen(body), out, err, errlen);
}

static void
test_build_call_round_trip(void **state)
{
	struct xr_value *arr, *st, *inner, *got = NULL;
	const struct xr_value *v;
	struct xr_value *params[1];
	char *call, *resp, err[256];
	int64_t i64 = 0;
	size_t len = 0;
	xmlDocPtr doc;
	xmlNodePtr root;
	xmlChar *mn;

	(void)state;
	arr = xr_array();
	assert_non_null(arr);
	assert_int_equal(xr_array_add(arr, xr_string(hostile)), 0);
	assert_int_equal(xr_array_add(arr, xr_string(NULL)), 0);
	assert_int_equal(xr_array_add(arr, xr_int(42)), 0);
	assert_int_equal(xr_array_add(arr, xr_int(-7)), 0);
	assert_int_equal(xr_array_add(arr, xr_bool(1)), 0);
	assert_int_equal(xr_array_add(arr, xr_double(30.0)), 0);
	assert_int_equal(xr_array_add(arr, xr_double(1e-7)), 0);
	st = xr_struct();
	assert_int_equal(xr_struct_set(st, "big", xr_int(1LL << 40)), 0);
	assert_int_equal(xr_struct_set(st, "key <&>", xr_string("v")), 0);
	inner = xr_array();
	assert_int_equal(xr_array_add(inner, xr_string("x")), 0);
	assert_int_equal(xr_struct_set(st, "list", inner), 0);
	assert_int_equal(xr_array_add(arr, st), 0);
	params[0] = arr;

	call = xr_build_call("VM.set_name_label", params, 1, &len);
	assert_non_null(call);
	assert_int_equal(strlen(call), len);
	assert_true(strncmp(call, "<?xml", 5) == 0);
	/* the hostile text never appears raw */
	assert_null(strstr(call, "<a&b>"));
	assert_non_null(strstr(call, "&lt;a&amp;b&gt;"));
	/* XAPI wants the timeout of event.from as a plain <double> */
	assert_non_null(strstr(call, "<double>30</double>"));
	assert_non_null(strstr(call, "<double>0.0000001</double>"));
	/* int64 beyond 32 bits goes as a string */
	assert_non_null(strstr(call, "<string>1099511627776</string>"));

	/* a real XML parser sees the method name and one param */
	doc = xmlReadMemory(call, (int)len, NULL, NULL, XML_PARSE_NONET);
	assert_non_null(doc);
	root = xmlDocGetRootElement(doc);
	assert_string_equal((const char *)root->name, "methodCall");
	mn = xmlNodeGetContent(root->children);
	assert_string_equal((const char *)mn, "VM.set_name_label");
	xmlFree(mn);
	xmlFreeDoc(doc);

	resp = call_to_response(call);
	assert_non_null(resp);
	assert_int_equal(parse(resp, &got, err, sizeof(err)), 0);
	assert_int_equal(got->type, XR_ARRAY);
	assert_int_equal(got->n, 8);
	assert_string_equal(xr_str(got->items[0]), hostile);
	assert_string_equal(xr_str(got->items[1]), "");
	assert_int_equal(got->items[2]->type, XR_INT);
	assert_int_equal(got->items[2]->i, 42);
	assert_int_equal(got->items[3]->i, -7);
	assert_int_equal(got->items[4]->type, XR_BOOL);
	assert_int_equal(got->items[4]->i, 1);
	assert_int_equal(got->items[5]->type, XR_DOUBLE);
	assert_true(got->items[5]->d == 30.0);
	assert_true(fabs(got->items[6]->d - 1e-7) < 1e-15);
	v = got->items[7];
	assert_int_equal(v->type, XR_STRUCT);
	assert_int_equal(xr_get_int(v, "big", &i64), 0);
	assert_true(i64 == (1LL << 40));
	assert_string_equal(xr_get_str(v, "key <&>"), "v");
	assert_string_equal(xr_str(xr_get(v, "list")->items[0]), "x");

	xr_free(got);
	free(resp);
	free(call);
	xr_free(arr);
}

static void
test_build_call_no_params_and_nil(void **state)
{
	struct xr_value *nil_holder, *params[1], *got = NULL;
	char *call, *resp, err[128];

	(void)state;
	call = xr_build_call("pool.get_all", NULL, 0, NULL);
	assert_non_null(call);
	assert_non_null(strstr(call, "<methodName>pool.get_all</methodName>"));
	free(call);

	/* a nil travels as <nil/> and comes back as XR_NIL */
	nil_holder = xr_array();
	assert_non_null(nil_holder);
	params[0] = nil_holder;
	assert_int_equal(xr_array_add(nil_holder, xr_string("a")), 0);
	nil_holder->items[0]->type = XR_NIL;
	call = xr_build_call("x.y", params, 1, NULL);
	assert_non_null(call);
	assert_non_null(strstr(call, "<nil/>"));
	resp = call_to_response(call);
	assert_int_equal(parse(resp, &got, err, sizeof(err)), 0);
	assert_int_equal(got->items[0]->type, XR_NIL);
	xr_free(got);
	free(resp);
	free(call);
	xr_free(nil_holder);
}

static void
test_build_call_refuses_unencodable(void **state)
{
	struct xr_value *p[1];

	(void)state;
	/* a method name is a dotted identifier, nothing else */
	assert_null(xr_build_call("a<b", NULL, 0, NULL));
	assert_null(xr_build_call("", NULL, 0, NULL));
	assert_null(xr_build_call(NULL, NULL, 0, NULL));
	/* XML 1.0 cannot carry control characters or invalid UTF-8 */
	p[0] = xr_string("bell\x07");
	assert_null(xr_build_call("a.b", p, 1, NULL));
	xr_free(p[0]);
	p[0] = xr_string("bad \xff\xfe utf8");
	assert_null(xr_build_call("a.b", p, 1, NULL));
	xr_free(p[0]);
	p[0] = xr_double(NAN);
	assert_null(xr_build_call("a.b", p, 1, NULL));
	xr_free(p[0]);
	/* but UTF-8 text is fine */
	p[0] = xr_string("caf\xc3\xa9");
	{
		char *c = xr_build_call("a.b", p, 1, NULL);

		assert_non_null(c);
		assert_non_null(strstr(c, "caf\xc3\xa9"));
		free(c);
	}
	xr_free(p[0]);
}

/* Every value form XAPI (and other XML-RPC servers) put on the wire. */
static const char every_form[] =
    "<?xml version='1.0'?>\n"
    "<methodResponse><params><param><value><struct>\n"
    " <member><name>Status</name><value>Success</value></member>\n"
    " <member><name>Value</name><value><struct>\n"
    "  <member><name>untyped</name><value>OpaqueRef:1234</value></member>\n"
    "  <member><name>selfclosed</name><value/></member>\n"
    "  <member><name>emptyvalue</name><value></value></member>\n"
    "  <member><name>emptystring</name><value><string/></value></member>\n"
    "  <member><name>escaped</name><value><string>a &amp; b &lt;c&gt; "
    "&#233;</string></value></member>\n"
    "  <member><name>cdata</name><value><![CDATA[<raw>&]]></value></member>\n"
    "  <member><name>i4</name><value><i4>-12</i4></value></member>\n"
    "  <member><name>int</name><value>\n    <int> 7 </int>\n  </value>"
    "</member>\n"
    "  <member><name>i8</name><value><i8>-9000000000</i8></value></member>\n"
    "  <member><name>memory</name><value>9223372036854775807</value>"
    "</member>\n"
    "  <member><name>yes</name><value><boolean>1</boolean></value></member>\n"
    "  <member><name>no</name><value><boolean>0</boolean></value></member>\n"
    "  <member><name>d</name><value><double>-2.5</double></value></member>\n"
    "  <member><name>when</name><value><dateTime.iso8601>20240102T03:04:05Z"
    "</dateTime.iso8601></value></member>\n"
    "  <member><name>blob</name><value><base64>aGVsbG8=</base64></value>"
    "</member>\n"
    "  <member><name>nothing</name><value><nil/></value></member>\n"
    "  <member><name>hosts</name><value><array><data>\n"
    "    <value><struct><member><name>name_label</name><value>h1</value>"
    "</member>\n"
    "      <member><name>other_config</name><value><struct><member><name>"
    "boot_time</name><value>1700000000.0</value></member></struct></value>"
    "</member>\n"
    "    </struct></value>\n"
    "    <value><array><data/></array></value>\n"
    "    <!-- a comment is ignored -->\n"
    "  </data></array></value></member>\n"
    " </struct></value></member>\n"
    "</struct></value></param></params></methodResponse>\n";

static void
test_parse_every_value_form(void **state)
{
	struct xr_value *r = NULL;
	const struct xr_value *v, *h;
	char err[256];
	int64_t n = 0;

	(void)state;
	assert_int_equal(parse(every_form, &r, err, sizeof(err)), 0);
	assert_string_equal(xr_get_str(r, "Status"), "Success");
	v = xr_get(r, "Value");
	assert_non_null(v);
	assert_string_equal(xr_get_str(v, "untyped"), "OpaqueRef:1234");
	assert_string_equal(xr_get_str(v, "selfclosed"), "");
	assert_string_equal(xr_get_str(v, "emptyvalue"), "");
	assert_string_equal(xr_get_str(v, "emptystring"), "");
	assert_string_equal(xr_get_str(v, "escaped"), "a & b <c> \xc3\xa9");
	assert_string_equal(xr_get_str(v, "cdata"), "<raw>&");
	assert_int_equal(xr_get_int(v, "i4", &n), 0);
	assert_int_equal(n, -12);
	assert_int_equal(xr_get_int(v, "int", &n), 0);
	assert_int_equal(n, 7);
	assert_int_equal(xr_get_int(v, "i8", &n), 0);
	assert_true(n == -9000000000LL);
	/* XAPI's int64 travels as a string */
	assert_int_equal(xr_get(v, "memory")->type, XR_STRING);
	assert_int_equal(xr_get_int(v, "memory", &n), 0);
	assert_true(n == INT64_MAX);
	assert_int_equal(xr_get_bool(v, "yes", 0), 1);
	assert_int_equal(xr_get_bool(v, "no", 1), 0);
	assert_int_equal(xr_get(v, "d")->type, XR_DOUBLE);
	assert_true(xr_get(v, "d")->d == -2.5);
	assert_int_equal(xr_get(v, "when")->type, XR_DATETIME);
	assert_string_equal(xr_get(v, "when")->s, "20240102T03:04:05Z");
	assert_int_equal(xr_get(v, "blob")->type, XR_BASE64);
	assert_string_equal(xr_get(v, "blob")->s, "aGVsbG8=");
	assert_int_equal(xr_get(v, "nothing")->type, XR_NIL);
	h = xr_get(v, "hosts");
	assert_int_equal(h->type, XR_ARRAY);
	assert_int_equal(h->n, 2);
	assert_string_equal(xr_get_str(h->items[0], "name_label"), "h1");
	assert_string_equal(xr_get_str(xr_get(h->items[0], "other_config"),
	    "boot_time"), "1700000000.0");
	assert_int_equal(h->items[1]->type, XR_ARRAY);
	assert_int_equal(h->items[1]->n, 0);

	/* lookups of the wrong type give the default, not garbage */
	assert_null(xr_get_str(v, "i4"));
	assert_int_equal(xr_get_bool(v, "untyped", 5), 5);
	assert_int_equal(xr_get_int(v, "untyped", &n), -1);
	assert_int_equal(xr_get_int(v, "absent", &n), -1);
	assert_null(xr_get(v, "absent"));
	assert_null(xr_get(h, "name_label"));	/* not a struct */
	xr_free(r);
}

static void
test_parse_failure_struct(void **state)
{
	static const char body[] =
	    "<?xml version=\"1.0\"?><methodResponse><params><param><value>"
	    "<struct><member><name>Status</name><value>Failure</value>"
	    "</member><member><name>ErrorDescription</name><value><array>"
	    "<data><value>HOST_OFFLINE</value><value>OpaqueRef:h1</value>"
	    "</data></array></value></member></struct></value></param>"
	    "</params></methodResponse>";
	struct xr_value *r = NULL;
	const struct xr_value *ed;
	char err[128];

	(void)state;
	/* a XAPI Failure is a normal reply: the caller reads it */
	assert_int_equal(parse(body, &r, err, sizeof(err)), 0);
	assert_string_equal(xr_get_str(r, "Status"), "Failure");
	ed = xr_get(r, "ErrorDescription");
	assert_int_equal(ed->n, 2);
	assert_string_equal(xr_str(ed->items[0]), "HOST_OFFLINE");
	assert_string_equal(xr_str(ed->items[1]), "OpaqueRef:h1");
	xr_free(r);
}

static void
test_parse_fault(void **state)
{
	static const char body[] =
	    "<?xml version=\"1.0\"?><methodResponse><fault><value><struct>"
	    "<member><name>faultCode</name><value><int>4</int></value>"
	    "</member><member><name>faultString</name><value><string>Too "
	    "many parameters.</string></value></member></struct></value>"
	    "</fault></methodResponse>";
	struct xr_value *r = (struct xr_value *)&r;
	char err[128];

	(void)state;
	assert_int_equal(parse(body, &r, err, sizeof(err)), -1);
	assert_null(r);
	assert_non_null(strstr(err, "Too many parameters."));
	assert_non_null(strstr(err, "fault 4"));
}

static void
test_parse_malformed(void **state)
{
	static const char *const bad[] = {
		"not xml at all",
		"<methodResponse><params><param><value>x</value></param>",
		"<methodResponse><params><param><value>x</valu></param>"
		    "</params></methodResponse>",
		"<methodCall><params><param><value>x</value></param></params>"
		    "</methodCall>",
		"<methodResponse></methodResponse>",
		"<methodResponse><params></params></methodResponse>",
		"<methodResponse><params><param><value>a</value></param><param>"
		    "<value>b</value></param></params></methodResponse>",
		"<methodResponse><params><param><value><int>1</int><int>2</int>"
		    "</value></param></params></methodResponse>",
		"<methodResponse><params><param><value>text<int>1</int></value>"
		    "</param></params></methodResponse>",
		"<methodResponse><params><param><value><int>12x</int></value>"
		    "</param></params></methodResponse>",
		"<methodResponse><params><param><value><int></int></value>"
		    "</param></params></methodResponse>",
		"<methodResponse><params><param><value><i8>99999999999999999999"
		    "</i8></value></param></params></methodResponse>",
		"<methodResponse><params><param><value><boolean>2</boolean>"
		    "</value></param></params></methodResponse>",
		"<methodResponse><params><param><value><double>1.5x</double>"
		    "</value></param></params></methodResponse>",
		"<methodResponse><params><param><value><float>1</float></value>"
		    "</param></params></methodResponse>",
		"<methodResponse><params><param><value><string><b>x</b></string>"
		    "</value></param></params></methodResponse>",
		"<methodResponse><params><param><value><array><value>x</value>"
		    "</array></value></param></params></methodResponse>",
		"<methodResponse><params><param><value><struct><member><value>x"
		    "</value></member></struct></value></param></params>"
		    "</methodResponse>",
		"<methodResponse><params><param><value>&undeclared;</value>"
		    "</param></params></methodResponse>",
		"<methodResponse><fault><value>no struct</value></fault>"
		    "</methodResponse>",
	};
	struct xr_value *r;
	char err[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		r = NULL;
		err[0] = '\0';
		if (parse(bad[i], &r, err, sizeof(err)) != -1)
			fail_msg("accepted malformed reply #%zu: %s", i, bad[i]);
		assert_null(r);
		assert_true(err[0] != '\0');
		assert_null(strchr(err, '\n'));
	}
	assert_int_equal(xr_parse_response("", 0, &r, err, sizeof(err)), -1);
	assert_int_equal(xr_parse_response(NULL, 0, &r, err, sizeof(err)), -1);
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
test_doctype_and_entities_refused(void **state)
{
	static const char laughs[] =
	    "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n"
	    " <!ENTITY lol \"lol\">\n"
	    " <!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n"
	    " <!ENTITY lol2 \"&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;\">\n"
	    " <!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">\n"
	    " <!ENTITY lol4 \"&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;\">\n"
	    " <!ENTITY lol5 \"&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;\">\n"
	    " <!ENTITY lol6 \"&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;\">\n"
	    " <!ENTITY lol7 \"&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;\">\n"
	    " <!ENTITY lol8 \"&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;\">\n"
	    " <!ENTITY lol9 \"&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;\">\n"
	    "]>\n<methodResponse><params><param><value>&lol9;</value></param>"
	    "</params></methodResponse>";
	static const char xxe[] =
	    "<?xml version=\"1.0\"?>\n<!DOCTYPE r [<!ENTITY x SYSTEM "
	    "\"file:///etc/passwd\">]>\n<methodResponse><params><param><value>"
	    "&x;</value></param></params></methodResponse>";
	static const char plain[] =
	    "<?xml version=\"1.0\"?>\n<!DOCTYPE methodResponse>\n"
	    "<methodResponse><params><param><value>x</value></param></params>"
	    "</methodResponse>";
	struct xr_value *r = NULL;
	char err[256];
	double t0;

	(void)state;
	t0 = now_s();
	assert_int_equal(parse(laughs, &r, err, sizeof(err)), -1);
	assert_true(now_s() - t0 < 0.5);
	assert_null(r);
	assert_non_null(strstr(err, "DOCTYPE (refused)"));
	assert_int_equal(parse(xxe, &r, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "DOCTYPE (refused)"));
	assert_int_equal(parse(plain, &r, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "DOCTYPE (refused)"));
	assert_null(r);
}

/* n nested arrays around one string: n + 1 values deep. */
static char *
nested(size_t n)
{
	const char open[] = "<value><array><data>";
	const char close[] = "</data></array></value>";
	size_t len = 64 + n * (sizeof(open) + sizeof(close)) + 64, i;
	char *s = malloc(len), *p;

	assert_non_null(s);
	p = s + sprintf(s, "<methodResponse><params><param>");
	for (i = 0; i < n; i++)
		p += sprintf(p, "%s", open);
	p += sprintf(p, "<value>deep</value>");
	for (i = 0; i < n; i++)
		p += sprintf(p, "%s", close);
	sprintf(p, "</param></params></methodResponse>");
	return s;
}

static void
test_excessive_nesting_refused(void **state)
{
	struct xr_value *r = NULL;
	const struct xr_value *v;
	char err[256], *s;
	size_t i;

	(void)state;
	/* 64 values deep is the limit and still fine */
	s = nested(63);
	assert_int_equal(parse(s, &r, err, sizeof(err)), 0);
	for (v = r, i = 0; v->type == XR_ARRAY; v = v->items[0], i++)
		;
	assert_int_equal(i, 63);
	assert_string_equal(xr_str(v), "deep");
	xr_free(r);
	free(s);

	s = nested(64);
	assert_int_equal(parse(s, &r, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "deeper"));
	free(s);

	/* a hostile depth is refused, not recursed into */
	s = nested(20000);
	assert_int_equal(parse(s, &r, err, sizeof(err)), -1);
	assert_null(r);
	free(s);
}

static void
test_truncated_reply_refused(void **state)
{
	struct xr_value *r = NULL;
	char err[256];
	size_t len = strlen(every_form), cut;

	(void)state;
	/* every proper prefix of a good reply is an error, never a crash
	 * or a half-filled tree */
	for (cut = 0; cut + 1 < len; cut++) {
		if (xr_parse_response(every_form, cut, &r, err, sizeof(err)) !=
		    -1)
			fail_msg("accepted a reply cut at %zu of %zu", cut,
			    len);
		assert_null(r);
	}
	assert_int_equal(xr_parse_response(every_form, len, &r, err,
	    sizeof(err)), 0);
	xr_free(r);
}

static void
test_containers(void **state)
{
	struct xr_value *st, *arr;

	(void)state;
	xr_free(NULL);
	st = xr_struct();
	assert_int_equal(xr_struct_set(st, "k", xr_string("one")), 0);
	assert_int_equal(xr_struct_set(st, "k", xr_string("two")), 0);
	assert_int_equal(st->n, 1);
	assert_string_equal(xr_get_str(st, "k"), "two");
	/* ownership passes also on failure: no leak under valgrind */
	assert_int_equal(xr_array_add(st, xr_string("x")), -1);
	assert_int_equal(xr_struct_set(st, NULL, xr_string("x")), -1);
	arr = xr_array();
	assert_int_equal(xr_struct_set(arr, "k", xr_string("x")), -1);
	assert_int_equal(xr_array_add(arr, NULL), -1);
	for (int i = 0; i < 1000; i++)
		assert_int_equal(xr_array_add(arr, xr_int(i)), 0);
	assert_int_equal(arr->n, 1000);
	assert_int_equal(arr->items[999]->i, 999);
	xr_free(arr);
	xr_free(st);
}

/* XAPI-like member names: OpaqueRefs, which share a long prefix. */
#define BIG_KEY	"OpaqueRef:5b1e6a4c-0000-4000-8000-%012d"

/* A struct of n members <name>BIG_KEY(i)</name><value><int>i</int></value>
 * (and one repeated key at the end, which replaces the first value), as a
 * methodResponse. */
static char *
big_struct_reply(int n, size_t *len)
{
	size_t cap = (size_t)n * 128 + 256, off = 0;
	char *b = malloc(cap);
	int i;

	assert_non_null(b);
	off += (size_t)snprintf(b + off, cap - off, "<?xml version=\"1.0\"?>"
	    "<methodResponse><params><param><value><struct>");
	for (i = 0; i < n; i++)
		off += (size_t)snprintf(b + off, cap - off, "<member><name>"
		    BIG_KEY "</name><value><int>%d</int></value></member>", i,
		    i);
	off += (size_t)snprintf(b + off, cap - off, "<member><name>" BIG_KEY
	    "</name><value><int>-1</int></value></member>"
	    "</struct></value></param></params></methodResponse>", 0);
	assert_true(off < cap);
	*len = off;
	return b;
}

/* A hostile XAPI's struct of 200,000 members decodes in linear time: the
 * duplicate-key search made it quadratic (100,000 members took 74 s;
 * 200,000 of these take minutes). The watchdog is generous: 60 s of CPU
 * time, where a linear decode takes about a second natively and seconds
 * under valgrind; past it SIGPROF ends the test binary, a failure. The
 * scaling itself is measured by `make bench-xmlrpc`. */
static void
test_huge_struct_decodes_in_linear_time(void **state)
{
	struct itimerval watchdog = { .it_value = { .tv_sec = 60 } };
	struct itimerval off = { 0 };
	struct xr_value *v = NULL;
	char err[256], key[64];
	size_t len;
	char *body;
	int64_t x;
	int i;

	(void)state;
	body = big_struct_reply(200000, &len);
	assert_int_equal(setitimer(ITIMER_PROF, &watchdog, NULL), 0);
	assert_int_equal(xr_parse_response(body, len, &v, err, sizeof(err)), 0);
	assert_int_equal(setitimer(ITIMER_PROF, &off, NULL), 0);
	assert_int_equal(v->type, XR_STRUCT);
	assert_int_equal(v->n, 200000);
	/* a repeated key replaces the value and keeps its place */
	snprintf(key, sizeof(key), BIG_KEY, 0);
	assert_string_equal(v->keys[0], key);
	assert_int_equal(v->items[0]->i, -1);
	for (i = 1; i < 200000; i += 9973) {
		snprintf(key, sizeof(key), BIG_KEY, i);
		assert_int_equal(xr_get_int(v, key, &x), 0);
		assert_int_equal(x, i);
		assert_string_equal(v->keys[i], key);
	}
	snprintf(key, sizeof(key), BIG_KEY, 200000);
	assert_null(xr_get(v, key));
	xr_free(v);
	free(body);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_build_call_round_trip),
		cmocka_unit_test(test_build_call_no_params_and_nil),
		cmocka_unit_test(test_build_call_refuses_unencodable),
		cmocka_unit_test(test_parse_every_value_form),
		cmocka_unit_test(test_parse_failure_struct),
		cmocka_unit_test(test_parse_fault),
		cmocka_unit_test(test_parse_malformed),
		cmocka_unit_test(test_doctype_and_entities_refused),
		cmocka_unit_test(test_excessive_nesting_refused),
		cmocka_unit_test(test_truncated_reply_refused),
		cmocka_unit_test(test_containers),
		cmocka_unit_test(test_huge_struct_decodes_in_linear_time),
	};
	int rc;

	rc = cmocka_run_group_tests(tests, NULL, NULL);
	xmlCleanupParser();
	return rc;
}
