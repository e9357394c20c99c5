/*
 * Sanctions lists: a bounded, XXE-safe streaming walk over an XML list file with libxml2's
 * xmlReader. Used by the UN consolidated list and OFAC sdnList importers. Documents with a
 * DOCTYPE are refused outright (no DTD, no external or internal entities), the network is
 * off, and errors are captured instead of printed.
 */
#include "lists_int.h"

#include "sanctwatch/buf.h"
#include "sanctwatch/error.h"

#include <libxml/parser.h>
#include <libxml/xmlreader.h>
#include <stdlib.h>
#include <string.h>

#define LXML_MAX_DEPTH 64

struct walk {
    char msg[200];
    int line;
    int have;
};

static void on_error(void *arg, xmlErrorPtr err)
{
    struct walk *w = arg;
    if (w->have || !err || err->level < XML_ERR_ERROR) return;
    w->have = 1;
    w->line = err->line;
    snprintf(w->msg, sizeof w->msg, "%s", err->message ? err->message : "error");
    size_t n = strlen(w->msg);
    while (n && (w->msg[n - 1] == '\n' || w->msg[n - 1] == ' '))
        w->msg[--n] = '\0';
}

char *lxml_attr(void *reader, const char *name)
{
    xmlChar *v = xmlTextReaderGetAttribute(reader, (const xmlChar *)name);
    if (!v) return NULL;
    char *d = strdup((const char *)v);
    xmlFree(v);
    return d;
}

int lxml_walk(struct lset *s, const char *data, size_t len, const char *root,
              const struct lxml_cb *cb, void *ctx)
{
    struct walk w = {.have = 0};
    struct sw_buf text;
    int rc = SW_OK, depth_seen = 0, r;
    if (len > (size_t)INT32_MAX)
        return lset_fail(s, SW_ETOOBIG, "file too large for the XML reader");
    sw_buf_init(&text, LFIELD_MAX);
    xmlTextReaderPtr rd = xmlReaderForMemory(data, (int)len, NULL, NULL,
                                             XML_PARSE_NONET | XML_PARSE_NOERROR |
                                                 XML_PARSE_NOWARNING | XML_PARSE_NOCDATA);
    if (!rd) {
        rc = lset_fail(s, SW_ENOMEM, "cannot start the XML reader");
        goto fail;
    }
    xmlTextReaderSetStructuredErrorHandler(rd, on_error, &w);
    while ((r = xmlTextReaderRead(rd)) == 1) {
        int type = xmlTextReaderNodeType(rd);
        int depth = xmlTextReaderDepth(rd);
        if (type == XML_READER_TYPE_DOCUMENT_TYPE || type == XML_READER_TYPE_ENTITY_REFERENCE ||
            type == XML_READER_TYPE_ENTITY) {
            rc = lset_fail(s, SW_EUNSUPPORTED, "line %d: DTDs and entities are not accepted",
                           xmlTextReaderGetParserLineNumber(rd));
            goto fail;
        }
        if (depth > LXML_MAX_DEPTH) {
            rc = lset_fail(s, SW_EFORMAT, "line %d: elements nested too deep",
                           xmlTextReaderGetParserLineNumber(rd));
            goto fail;
        }
        if (type == XML_READER_TYPE_ELEMENT) {
            const char *name = (const char *)xmlTextReaderConstLocalName(rd);
            if (!name) name = "";
            if (depth == 0) {
                if (depth_seen) {
                    rc = lset_fail(s, SW_EFORMAT, "more than one root element");
                    goto fail;
                }
                depth_seen = 1;
                if (strcmp(name, root)) {
                    rc = lset_fail(s, SW_EFORMAT, "root element is '%s', not '%s'", name, root);
                    goto fail;
                }
            }
            sw_buf_reset(&text);
            if (cb->start && (rc = cb->start(ctx, depth, name, rd))) goto fail_line;
            if (xmlTextReaderIsEmptyElement(rd) && cb->end &&
                (rc = cb->end(ctx, depth, name, "", 0)))
                goto fail_line;
        } else if (type == XML_READER_TYPE_END_ELEMENT) {
            const char *name = (const char *)xmlTextReaderConstLocalName(rd);
            if (cb->end &&
                (rc = cb->end(ctx, depth, name ? name : "", text.data ? text.data : "", text.len)))
                goto fail_line;
            sw_buf_reset(&text);
        } else if (type == XML_READER_TYPE_TEXT || type == XML_READER_TYPE_CDATA ||
                   type == XML_READER_TYPE_SIGNIFICANT_WHITESPACE) {
            const char *v = (const char *)xmlTextReaderConstValue(rd);
            if (v && (rc = sw_buf_puts(&text, v))) {
                rc = lset_fail(s, rc, "line %d: element text too long",
                               xmlTextReaderGetParserLineNumber(rd));
                goto fail;
            }
        }
    }
    if (r < 0 || w.have) {
        rc = lset_fail(s, SW_EFORMAT, "malformed XML at line %d: %s",
                       w.line ? w.line : xmlTextReaderGetParserLineNumber(rd),
                       w.have ? w.msg : "parse error");
        goto fail;
    }
    if (!depth_seen) {
        rc = lset_fail(s, SW_EFORMAT, "no root element");
        goto fail;
    }
    xmlFreeTextReader(rd);
    sw_buf_release(&text);
    return SW_OK;
fail_line:
    if (!s->err[0])
        lset_fail(s, rc, "line %d: %s", xmlTextReaderGetParserLineNumber(rd), sw_strerror(rc));
fail:
    if (rd) xmlFreeTextReader(rd);
    sw_buf_release(&text);
    return rc;
}
