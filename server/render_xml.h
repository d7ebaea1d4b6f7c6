/* render_xml.h — XML for the answerfiles (libxml2): safe parsing of
 * templates and of answerfiles to validate, and the XML flavour of the
 * template language.
 *
 * Parsing allows no network, no DTD and no entity substitution, and
 * refuses any DOCTYPE or ENTITY declaration. In an XML template a
 * placeholder may only be the whole text of an element or the whole value
 * of an attribute, and is replaced through the tree API (xmlNewDocText /
 * xmlSetNsProp), so a value is always text and can never become markup.
 */
#ifndef POOLBOOT_RENDER_XML_H
#define POOLBOOT_RENDER_XML_H

#include <stddef.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "render_text.h"

/* libxml2 takes const xmlChar * almost everywhere; BAD_CAST drops const. */
#define RENDER_XC(s)	((const xmlChar *)(s))

/* The process-wide set-up of libxml2 (for the answerfiles and XML-RPC
 * alike): render_xml_init once at start, before any thread (it also checks
 * that the library matches the headers), render_xml_cleanup once at the
 * end. render_xml_version: the libxml2 version poolboot was built with. */
void  render_xml_init(void);
void  render_xml_cleanup(void);
const char *render_xml_version(void);

/* Parses buf[0..len) (at most 1 MiB); what names it in messages;
 * noblanks drops blank text nodes (templates, so that the output is
 * indented afresh). Returns a document with a root element (free with
 * xmlFreeDoc), or NULL with err set. */
xmlDocPtr render_xml_parse(const char *buf, size_t len, const char *what,
	    int noblanks, char *err, size_t errlen);

/* 1 when n is an element named name. */
int   render_xml_is_el(xmlNodePtr n, const char *name);

/* Replaces the placeholders of the template doc (named tplname in
 * messages) with vars, in place: "{{name}}" takes a scalar, "{{name*}}"
 * a list (one copy of the element per item); an unset or empty scalar
 * removes its element or attribute. Values must be valid UTF-8 without
 * control characters. 0, or -1 with err set (doc then half done). */
int   render_xml_expand(xmlDocPtr doc, const struct render_text_vars *vars,
	    const char *tplname, char *err, size_t errlen);

#endif
