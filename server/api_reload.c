/* api_reload.c — see api_reload.h. */
#include "api_reload.h"

#include <string.h>

#include "api_json.h"
#include "api_types.h"
#include "reload.h"

/* The names of l as a JSON array. */
static json_t *
api_reload_list(const struct strlist *l)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; a != NULL && i < l->n; i++)
		json_array_append_new(a, api_json_str(l->v[i]));
	return a;
}

/* {"added": [...], "removed": [...], "changed": [...]} */
static json_t *
api_reload_kind(const struct strlist *add, const struct strlist *rm,
    const struct strlist *chg)
{
	return json_pack("{s:o, s:o, s:o}", "added", api_reload_list(add),
	    "removed", api_reload_list(rm), "changed", api_reload_list(chg));
}

static json_t *
api_reload_doc(enum reload_result res, const struct reload_report *rep)
{
	const struct config_diff *d = &rep->diff;
	json_t *doc;

	doc = json_pack("{s:s, s:o, s:o, s:o, s:o, s:o, s:o}",
	    "result", reload_result_name(res),
	    "summary", api_json_str(rep->summary),
	    "hosts", api_reload_kind(&d->hosts_added, &d->hosts_removed,
	    &d->hosts_changed),
	    "pools", api_reload_kind(&d->pools_added, &d->pools_removed,
	    &d->pools_changed),
	    "repos", api_reload_kind(&d->repos_added, &d->repos_removed,
	    &d->repos_changed),
	    "server", api_reload_list(&d->live_keys),
	    "warnings", api_reload_list(&rep->warnings));
	if (doc == NULL)
		return NULL;
	if (res == RELOAD_OK) {
		json_object_set_new(doc, "dnsmasq", api_json_str(rep->dnsmasq));
		json_object_set_new(doc, "generation",
		    json_integer(rep->generation));
	} else {
		json_object_set_new(doc, "error", api_json_str(rep->summary));
		json_object_set_new(doc, "errors", api_reload_list(&rep->errors));
	}
	return doc;
}

void
api_reload_handle(const struct api_deps *deps, const struct api_request *rq,
    struct api_response *rs)
{
	struct reload_report rep;
	enum reload_result res;
	int status;

	if (rq->method == NULL || strcmp(rq->method, "POST") != 0) {
		api_json_error(rs, 405, "method %.16s not allowed here (use "
		    "POST)", rq->method ? rq->method : "");
		return;
	}
	if (deps->reload == NULL) {
		api_json_error(rs, 503, "this server cannot reload");
		return;
	}
	res = reload_run(deps->reload, "admin API", &rep);
	/* audited by the HTTP layer like every POST (http_audit.h), with
	 * the status and error below */
	status = res == RELOAD_OK ? 200 : res == RELOAD_INVALID ? 422 :
	    res == RELOAD_REFUSED ? 409 : 500;
	api_json_set(rs, status, api_reload_doc(res, &rep));
	reload_report_free(&rep);
}
