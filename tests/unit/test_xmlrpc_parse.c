/* test_xmlrpc_parse.c — the reply decoder of xmlrpc_parse.c (libxml2's
 * SAX callbacks building the value tree directly) reads what the document
 * tree decoder it replaced read, the same way: text split by comments,
 * entities and CDATA, members in either order, blanks around elements,
 * the values of a fault; and refuses what it refused. test_xmlrpc.c has
 * the value forms, hostile replies and limits. */
#include "unit.h"

#include <libxml/parser.h>

#include "xmlrpc.h"

#define RESP(v) "<?xml version=\"1.0\"?><methodResponse><params><param>" \
	v "</param></params></methodResponse>"

static struct xr_value *
ok(const char *body)
{
	struct xr_value *v = NULL;
	char err[256] = "";

	if (xr_parse_response(body, strlen(body), &v, err, sizeof(err)) != 0)
		fail_msg("refused %s: %s", body, err);
	assert_non_null(v);
	return v;
}

static void
refused(const char *body, const char *why)
{
	struct xr_value *v = NULL;
	char err[256] = "";

	if (xr_parse_response(body, strlen(body), &v, err, sizeof(err)) != -1)
		fail_msg("accepted %s", body);
	assert_null(v);
	if (strstr(err, why) == NULL)
		fail_msg("%s: error '%s' lacks '%s'", body, err, why);
}

static void
test_text_pieces_joined(void **state)
{
	struct xr_value *v;

	(void)state;
	/* a comment, a processing instruction, references and CDATA split
	 * the text; the value is the text joined */
	v = ok(RESP("<value>Opaque<!-- c -->Ref:<?pi x?>&#x31;&amp;"
	    "<![CDATA[<2>]]></value>"));
	assert_int_equal(v->type, XR_STRING);
	assert_string_equal(xr_str(v), "OpaqueRef:1&<2>");
	xr_free(v);
	v = ok(RESP("<value><string>a<!-- c -->b</string></value>"));
	assert_string_equal(xr_str(v), "ab");
	xr_free(v);
	/* blanks around the one element of a value are not text */
	v = ok(RESP("<value>\n  <struct>\n <member> <value>x</value>\n"
	    "<name>k</name> </member>\n</struct>  </value>"));
	assert_int_equal(v->type, XR_STRUCT);
	assert_string_equal(xr_get_str(v, "k"), "x");	/* value, then name */
	xr_free(v);
	/* a blank untyped value keeps its blanks */
	v = ok(RESP("<value>  </value>"));
	assert_string_equal(xr_str(v), "  ");
	xr_free(v);
}

static void
test_nested_and_empty(void **state)
{
	struct xr_value *v;
	const struct xr_value *a;

	(void)state;
	v = ok(RESP("<value><struct><member><name>l</name><value><array><data>"
	    "<value><i4>1</i4></value><value/><value><struct></struct>"
	    "</value><value><array><data/></array></value></data></array>"
	    "</value></member><member><name>l</name><value><boolean>1"
	    "</boolean></value></member></struct></value>"));
	/* a repeated key: the last one */
	assert_int_equal(v->n, 1);
	assert_int_equal(xr_get(v, "l")->type, XR_BOOL);
	xr_free(v);
	v = ok(RESP("<value><array><data><value><i4>1</i4></value><value/>"
	    "<value><struct></struct></value><value><array><data/></array>"
	    "</value></data></array></value>"));
	assert_int_equal(v->n, 4);
	assert_int_equal(v->items[0]->i, 1);
	assert_string_equal(xr_str(v->items[1]), "");
	assert_int_equal(v->items[2]->type, XR_STRUCT);
	assert_int_equal(v->items[2]->n, 0);
	a = v->items[3];
	assert_int_equal(a->type, XR_ARRAY);
	assert_int_equal(a->n, 0);
	xr_free(v);
}

static void
test_fault_values(void **state)
{
	(void)state;
	refused("<methodResponse><fault><value><struct><member><name>"
	    "faultCode</name><value><int>3</int></value></member><member>"
	    "<name>faultString</name><value>no &amp; way</value></member>"
	    "</struct></value></fault><ignored/></methodResponse>",
	    "XML-RPC fault 3: no & way");
	refused("<methodResponse><fault><value><struct><member><name>x<b/>"
	    "</name><value>v</value></member></struct></value></fault>"
	    "</methodResponse>", "unreadable: unexpected <b> inside <name>");
	refused("<methodResponse><fault><value><int>x</int></value></fault>"
	    "</methodResponse>", "unreadable: bad <int>");
	refused("<methodResponse><fault><nothing/></fault></methodResponse>",
	    "unreadable: no value");
}

static void
test_structure_refused(void **state)
{
	(void)state;
	refused(RESP("<value><int>1</int> x</value>"), "mixes text");
	refused(RESP("<value>x <int>1</int></value>"), "mixes text");
	refused(RESP("<value><array><data/><data/></array></value>"),
	    "<array> without one <data>");
	refused(RESP("<value><array/></value>"), "<array> without one <data>");
	refused(RESP("<value><struct><member><name>a</name><name>b</name>"
	    "</member></struct></value>"), "unexpected <name> in <member>");
	refused(RESP("<value><struct><x/></struct></value>"),
	    "unexpected <x> in <struct>");
	refused(RESP("<value><array><data><x/></data></array></value>"),
	    "unexpected <x> in <data>");
	refused("<methodResponse><params><param></param></params>"
	    "</methodResponse>", "exactly one <param><value>");
	refused("<methodResponse><params><param><value>x</value></param>"
	    "</params><params/></methodResponse>",
	    "methodResponse without <params>");
	refused("<methodCall/>", "not an XML-RPC methodResponse");
	/* malformed after a good start: libxml2's word */
	refused(RESP("<value>x</value>") "<extra/>", "malformed XML");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text_pieces_joined),
		cmocka_unit_test(test_nested_and_empty),
		cmocka_unit_test(test_fault_values),
		cmocka_unit_test(test_structure_refused),
	};
	int rc;

	rc = cmocka_run_group_tests(tests, NULL, NULL);
	xmlCleanupParser();
	return rc;
}
