/* poolboot dashboard: plain JavaScript, no build step, no outside
 * resources. It polls the admin API (/api/v1) once a second with the
 * admin token the operator typed in (kept in sessionStorage, i.e. this tab
 * only). Every piece of server data reaches the page through textContent
 * or attribute setters, never as markup. */
'use strict';

(function () {
	const STEPS = ['disable', 'evacuate', 'arm', 'reboot', 'install',
		'rejoin', 'enable', 'return'];
	const POLL_MS = 1000;
	const MAX_EVENTS = 300;
	const TOKEN_KEY = 'poolboot.admin-token';

	let token = sessionStorage.getItem(TOKEN_KEY) || '';
	let timer = null;
	let polling = false;
	let skewMs = 0;			/* server clock minus ours */
	let eventsSince = 0;		/* newest event ts (ms) seen */
	const events = new Map();	/* id -> event */
	const poolCards = new Map();	/* pool name -> card refs */
	let hostsByName = new Map();
	let lastPools = [];
	let lastJobs = [];
	const hostRows = new Map();	/* host name -> row refs */
	let readOnly = '';		/* why the token is read-only, else '' */
	let auditMissing = false;	/* GET /audit answered 404 */
	let sitesMissing = false;	/* GET /sites answered 404 */
	let auditTick = 0;
	let resultFresh = false;	/* an action's answer was just shown */

	/* ---- small helpers ---------------------------------------------- */

	function $(id) {
		return document.getElementById(id);
	}

	/* el('td', {class: 'x', title: 't', data: {host: 'h1'}}, 'text', node) */
	function el(tag, props, ...kids) {
		const e = document.createElement(tag);

		for (const [k, v] of Object.entries(props || {})) {
			if (v === null || v === undefined || v === false)
				continue;
			if (k === 'class')
				e.className = v;
			else if (k === 'data')
				for (const [dk, dv] of Object.entries(v))
					e.dataset[dk] = String(dv);
			else if (k === 'text')
				e.textContent = String(v);
			else
				e.setAttribute(k, v === true ? '' : String(v));
		}
		for (const kid of kids) {
			if (kid === null || kid === undefined || kid === false)
				continue;
			e.append(kid instanceof Node ? kid : String(kid));
		}
		return e;
	}

	function serverNow() {
		return Date.now() + skewMs;
	}

	function pad2(n) {
		return String(n).padStart(2, '0');
	}

	function clock(ms) {
		if (!ms)
			return '';
		const d = new Date(ms);

		return pad2(d.getHours()) + ':' + pad2(d.getMinutes()) + ':' +
		    pad2(d.getSeconds());
	}

	function dateTime(ms) {
		if (!ms)
			return '';
		const d = new Date(ms);

		return d.getFullYear() + '-' + pad2(d.getMonth() + 1) + '-' +
		    pad2(d.getDate()) + ' ' + clock(ms);
	}

	function duration(ms) {
		if (ms === null || ms === undefined || ms < 0)
			ms = 0;
		let s = Math.floor(ms / 1000);
		const h = Math.floor(s / 3600);
		const m = Math.floor((s % 3600) / 60);

		s %= 60;
		if (h > 0)
			return h + 'h ' + pad2(m) + 'm';
		if (m > 0)
			return m + 'm ' + pad2(s) + 's';
		return s + 's';
	}

	function ago(ms) {
		return ms ? duration(serverNow() - ms) + ' ago' : '';
	}

	function bytes(n) {
		if (!n)
			return '0 B';
		const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
		let i = 0;

		while (n >= 1024 && i < units.length - 1) {
			n /= 1024;
			i++;
		}
		return (i === 0 ? String(n) : n.toFixed(n < 10 ? 2 : 1)) + ' ' +
		    units[i];
	}

	function badge(text, kind) {
		return el('span', {class: 'badge badge-' + (kind || text)},
		    text);
	}

	/* steps done of the 7 for a host in step s */
	function stepsDone(s) {
		if (s === 'done' || s === 'skipped')
			return STEPS.length;
		const i = STEPS.indexOf(s);

		return i < 0 ? 0 : i;
	}

	/* A progress bar: role=progressbar with its numbers and a label. */
	function bar(value, max, label, cls) {
		const pct = max > 0 ? Math.round(100 * value / max) : 0;
		const fill = el('div', {class: 'bar-fill'});

		fill.style.width = pct + '%';
		return el('div', {class: 'bar ' + (cls || ''), role: 'progressbar',
		    'aria-valuemin': 0, 'aria-valuemax': max,
		    'aria-valuenow': value, 'aria-label': label}, fill);
	}

	/* Seven segments, one per upgrade step: done, current, failed. */
	function stepBar(h, runState) {
		const n = stepsDone(h.step);
		const failed = !!h.error && runState === 'halted';
		const segs = el('div', {class: 'steps', role: 'progressbar',
		    'aria-valuemin': 0, 'aria-valuemax': STEPS.length,
		    'aria-valuenow': n,
		    'aria-label': h.host + ': ' + n + ' of ' + STEPS.length +
		    ' steps done'});
		const times = {};

		for (const part of String(h.step_ms || '').split(' ')) {
			const kv = part.split('=');

			if (kv.length === 2)
				times[kv[0]] = Number(kv[1]);
		}
		STEPS.forEach(function (name, i) {
			let cls = 'seg';
			let tip = name;

			if (i < n)
				cls += ' seg-done';
			else if (i === n && h.step === name)
				cls += failed ? ' seg-failed' :
				    runState === 'running' ? ' seg-now' :
				    ' seg-stopped';
			if (times[name] !== undefined)
				tip += ': ' + duration(times[name]);
			segs.append(el('span', {class: cls, title: tip}));
		});
		return segs;
	}

	/* ---- API ----------------------------------------------------------- */

	class AuthError extends Error {}

	async function api(method, path, body) {
		const opts = {method: method, cache: 'no-store',
		    headers: {'Authorization': 'Bearer ' + token}};

		if (body !== undefined) {
			opts.headers['Content-Type'] = 'application/json';
			opts.body = JSON.stringify(body);
		}
		const r = await fetch('/api/v1' + path, opts);
		const date = Date.parse(r.headers.get('Date') || '');

		if (!isNaN(date)) {
			const d = date - Date.now();

			/* Date has 1 s resolution: only a real skew counts */
			skewMs = Math.abs(d) > 2000 ? d : 0;
		}
		if (r.status === 401)
			throw new AuthError('the server refused the admin token ' +
			    '(HTTP 401)');
		let data = null;

		try {
			data = await r.json();
		} catch (e) {
			data = {error: 'HTTP ' + r.status + ': not JSON'};
		}
		return {status: r.status, data: data};
	}

	function apiError(r) {
		return (r.data && r.data.error) ? r.data.error :
		    'HTTP ' + r.status;
	}

	/* ---- sign in / out ------------------------------------------------- */

	function showLogin(message) {
		stopPolling();
		$('app').hidden = true;
		$('logout').hidden = true;
		$('login').hidden = false;
		setConn('off', 'not signed in');
		const err = $('login-error');

		err.hidden = !message;
		err.textContent = message || '';
		$('token').value = '';
		$('token').focus();
	}

	function showApp() {
		$('login').hidden = true;
		$('app').hidden = false;
		$('logout').hidden = false;
	}

	async function signIn(ev) {
		ev.preventDefault();
		const t = $('token').value.trim();

		if (!t)
			return;
		token = t;
		try {
			const r = await api('GET', '/hosts');

			if (r.status !== 200)
				throw new Error(apiError(r));
		} catch (e) {
			token = '';
			showLogin(e instanceof AuthError ?
			    'That token was refused (HTTP 401). Copy it again ' +
			    'from admin_token_file on the poolboot server.' :
			    'Cannot reach poolboot: ' + e.message);
			return;
		}
		sessionStorage.setItem(TOKEN_KEY, token);
		showApp();
		await whoami();
		startPolling();
	}

	/* Asks the server which token this is (GET /whoami): a read-only
	 * one gets no action buttons from the start. A server without
	 * /whoami (404) or a failure leaves it to the first 403. */
	async function whoami() {
		try {
			const r = await api('GET', '/whoami');

			if (r.status === 200 && r.data &&
			    r.data.role === 'read-only')
				setReadOnly('', r.data.token);
		} catch (e) {
			/* the polls say what is wrong */
		}
	}

	function signOut() {
		token = '';
		sessionStorage.removeItem(TOKEN_KEY);
		events.clear();
		eventsSince = 0;
		$('events').replaceChildren();
		readOnly = '';
		auditMissing = false;
		sitesMissing = false;
		hostRows.clear();
		$('hosts').replaceChildren();
		$('ro-note').hidden = true;
		$('action-result').hidden = true;
		$('audit-section').hidden = true;
		$('sites-section').hidden = true;
		showLogin('');
	}

	function setConn(kind, text) {
		$('conn').className = 'conn conn-' + kind;
		$('conn-text').textContent = text;
	}

	/* ---- polling ------------------------------------------------------- */

	function startPolling() {
		stopPolling();
		polling = true;
		auditTick = 0;
		poll();
	}

	function stopPolling() {
		polling = false;
		if (timer !== null)
			clearTimeout(timer);
		timer = null;
	}

	async function poll() {
		if (!polling)
			return;
		try {
			const evq = eventsSince ?
			    '/events?limit=500&since=' + eventsSince :
			    '/events?limit=100';
			/* /sites is extra: its failure (a server without
			 * it, 404) leaves the rest of the page alone */
			const [pools, hosts, jobs, evs, sites] =
			    await Promise.all([
				api('GET', '/pools'), api('GET', '/hosts'),
				api('GET', '/jobs'), api('GET', evq),
				sitesMissing ? null : api('GET', '/sites')
				    .catch(() => null)]);

			if (hosts.status !== 200)
				throw new Error('hosts: ' + apiError(hosts));
			/* the hosts table shows each host's state in its
			 * pool's current run and its job: those first */
			if (pools.status === 200)
				lastPools = pools.data.pools || [];
			if (jobs.status === 200)
				lastJobs = jobs.data.jobs || [];
			renderHosts(hosts.data);
			renderPools(pools);
			renderJobs(jobs);
			if (sites)
				renderSites(sites);
			if (evs.status === 200)
				addEvents(evs.data.events || []);
			if (!auditMissing && auditTick++ % 3 === 0)
				await pollAudit();
			$('banner').hidden = true;
			setConn('ok', 'live · updated ' + clock(Date.now()));
		} catch (e) {
			if (e instanceof AuthError) {
				sessionStorage.removeItem(TOKEN_KEY);
				token = '';
				showLogin('The server refused the admin token ' +
				    '(HTTP 401): it may have been changed. Sign ' +
				    'in again with the current one.');
				return;
			}
			setConn('err', 'connection lost · retrying');
			$('banner').textContent = 'Cannot reach poolboot (' +
			    e.message + '). What you see may be out of date; ' +
			    'retrying every second.';
			$('banner').hidden = false;
		}
		if (polling)
			timer = setTimeout(poll, POLL_MS);
	}

	/* ---- sites --------------------------------------------------------- */

	function seconds(ms) {
		return Math.trunc((Number(ms) || 0) / 1000);
	}

	/* A site's lease, in poolboot sites' words (cli_sites.c). own: the
	 * site of the instance the page talks to. */
	function siteLease(s, own) {
		const none = s.instance === null || s.instance === undefined;

		if (s.active && none)
			return own ? 'none needed (one instance)' : '-';
		if (none)
			return 'never taken';
		if (s.expired_ago_ms === null || s.expired_ago_ms === undefined)
			return 'renewed ' + seconds(s.heartbeat_ago_ms) + ' s ago';
		if (s.expired_ago_ms > 315360000000)	/* 10 years: released */
			return 'released (stopped)';
		return 'expired ' + seconds(s.expired_ago_ms) + ' s ago';
	}

	/* The actions other sites' instances queued for s, not done yet. */
	function siteActions(s) {
		const q = Number(s.queued) || 0;
		const t = Number(s.taken) || 0;

		if (q + t === 0)
			return '0';
		return q + ' queued, ' + t + ' taken (oldest ' +
		    seconds(s.oldest_queued_ms) + ' s)';
	}

	/* GET /sites: which instance is active for each site. The panel
	 * shows only when it says something: more than one site, or an
	 * instance holding a lease (several instances on one database). A
	 * server without the route (404) has no panel and is not asked
	 * again. */
	function renderSites(r) {
		const sec = $('sites-section');

		if (r.status === 404) {
			sitesMissing = true;
			sec.hidden = true;
			return;
		}
		if (r.status !== 200) {
			if (!sec.hidden)
				$('sites').replaceChildren(el('p', {class: 'error'},
				    'Sites: ' + apiError(r)));
			return;
		}
		const list = (r.data && r.data.sites) || [];
		const here = (r.data && r.data.site) || '';

		sec.hidden = !(list.length > 1 || list.some((s) =>
		    s.instance !== null && s.instance !== undefined));
		if (sec.hidden) {
			$('sites').replaceChildren();
			return;
		}
		const tb = el('tbody');

		for (const s of list) {
			const name = s.site || '(none)';
			const own = (s.site || '') === here;
			const waiting = !s.active && Number(s.queued) > 0;

			tb.append(el('tr', {data: {site: s.site || '',
			    active: s.active ? 'yes' : 'no'},
			    class: s.active ? null : 'site-down'},
			    el('th', {scope: 'row'}, name, own ? ' ' : null,
				own ? el('span', {class: 'this-instance',
				    title: 'the instance this page talks to ' +
				    'is of this site'}, 'this instance') : null),
			    el('td', {class: 'num'}, String(s.pools || 0)),
			    el('td', {class: 'num'}, String(s.hosts || 0)),
			    el('td', {class: 'active'}, s.active ?
				badge('yes', 'site-yes') : el('span', {class:
				'badge badge-site-no', title: 'no instance is ' +
				'active for ' + name + ': nothing acts on its ' +
				'pools and hosts'}, 'no')),
			    el('td', {class: 'mono instance'}, s.instance || '-'),
			    el('td', {class: 'lease'}, siteLease(s, own)),
			    el('td', {class: 'queue'}, siteActions(s),
				waiting ? el('span', {class: 'warn waiting'},
				    ' · waiting for an instance of ' + name) :
				null)));
		}
		$('sites').replaceChildren(el('div', {class: 'tablewrap'},
		    el('table', {class: 'grid sites'},
			el('thead', null, el('tr', null,
			    el('th', {scope: 'col'}, 'Site'),
			    el('th', {scope: 'col', class: 'num'}, 'Pools'),
			    el('th', {scope: 'col', class: 'num'}, 'Hosts'),
			    el('th', {scope: 'col'}, 'Active'),
			    el('th', {scope: 'col'}, 'Instance'),
			    el('th', {scope: 'col'}, 'Lease'),
			    el('th', {scope: 'col'}, 'Actions'))), tb)));
	}

	/* ---- pools --------------------------------------------------------- */

	function renderPools(r) {
		const box = $('pools');

		if (r.status !== 200) {
			box.replaceChildren(el('p', {class: 'empty'},
			    'Rolling upgrades: ' + apiError(r)));
			poolCards.clear();
			return;
		}
		const pools = r.data.pools || [];

		lastPools = pools;
		if (pools.length === 0) {
			box.replaceChildren(el('p', {class: 'empty'},
			    'No pools in the configuration.'));
			poolCards.clear();
			return;
		}
		if (box.querySelector('p.empty'))
			box.replaceChildren();
		const seen = new Set();

		for (const p of pools) {
			let card = poolCards.get(p.pool);

			if (!card) {
				card = makePoolCard(p.pool);
				poolCards.set(p.pool, card);
				box.append(card.root);
			}
			updatePoolCard(card, p);
			seen.add(p.pool);
		}
		for (const [name, card] of poolCards)
			if (!seen.has(name)) {
				card.root.remove();
				poolCards.delete(name);
			}
	}

	/* The parts of a pool card that stay (buttons keep their focus). */
	function makePoolCard(name) {
		const c = {};

		c.title = el('h3', {text: name});
		c.state = el('span', {class: 'badge'});
		c.meta = el('span', {class: 'meta'});
		c.start = el('button', {type: 'button', class: 'btn btn-primary',
		    data: {action: 'start'}}, 'Start upgrade…');
		c.retry = el('button', {type: 'button', class: 'btn',
		    data: {action: 'retry'}}, 'Retry…');
		c.abort = el('button', {type: 'button', class: 'btn btn-danger',
		    data: {action: 'abort'}}, 'Abort…');
		c.start.setAttribute('aria-label', 'Start a rolling upgrade of ' +
		    name + ' (shows the dry run first)');
		c.retry.setAttribute('aria-label', 'Retry the halted run of ' +
		    name);
		c.abort.setAttribute('aria-label', 'Abort the run of ' + name);
		c.start.addEventListener('click', () => startFlow(name));
		c.retry.addEventListener('click', () => retryFlow(name));
		c.abort.addEventListener('click', () => abortFlow(name));
		c.progress = el('div', {class: 'pool-progress'});
		c.error = el('p', {class: 'error', hidden: true});
		c.table = el('div', {class: 'tablewrap'});
		c.root = el('article', {class: 'pool', data: {pool: name}},
		    el('div', {class: 'pool-head'}, c.title, c.state, c.meta,
			el('div', {class: 'actions'}, c.start, c.retry,
			    c.abort)),
		    c.progress, c.error, c.table);
		c.key = '';
		return c;
	}

	function updatePoolCard(c, p) {
		const hasRun = p.run !== null && p.run !== undefined;
		const state = hasRun ? p.state : 'no run';

		c.root.dataset.state = state;
		c.state.className = 'badge badge-' + (hasRun ? p.state : 'none');
		c.state.textContent = state;
		c.start.disabled = hasRun && (p.state === 'running' ||
		    p.state === 'halted');
		c.retry.disabled = !(hasRun && p.state === 'halted');
		c.abort.disabled = !(hasRun && (p.state === 'running' ||
		    p.state === 'halted'));
		if (readOnly)
			c.start.disabled = c.retry.disabled = c.abort.disabled =
			    true;
		if (!hasRun) {
			c.meta.textContent = 'no rolling upgrade has run yet';
			c.progress.replaceChildren();
			c.error.hidden = true;
			c.table.replaceChildren(idleHostTable(p.pool));
			return;
		}
		const end = p.finished_at || serverNow();

		c.meta.textContent = 'run #' + p.run + ' → ' +
		    (p.target_version || '?') + ' · started ' +
		    dateTime(p.created_at) + ' · ' +
		    (p.finished_at ? 'took ' : 'elapsed ') +
		    duration(end - p.created_at);
		c.root.dataset.done = p.hosts_done;
		c.root.dataset.total = p.hosts_total;
		c.progress.replaceChildren(
		    bar(p.hosts_done, p.hosts_total, p.pool + ': ' +
			p.hosts_done + ' of ' + p.hosts_total + ' hosts done',
			'bar-' + p.state),
		    el('span', {class: 'bar-label'}, p.hosts_done + ' of ' +
			p.hosts_total + ' hosts done'));
		c.error.hidden = !p.error;
		c.error.textContent = p.error ? (p.state === 'halted' ?
		    'Halted: ' : '') + p.error : '';
		c.table.replaceChildren(runHostTable(p));
	}

	/* The short line of where a host's VMs are (placement = return):
	 * "VMs back 3/4", its title the details, marked when one failed. */
	function movesLine(h) {
		const moves = h.moves || [];
		if (!moves.length)
			return null;
		const back = moves.filter((m) => m.result === 'moved' ||
		    m.result === 'home').length;
		const bad = moves.filter((m) => m.result === 'failed' ||
		    m.result === 'refused');
		const tip = moves.map((m) => m.vm + ': ' + m.result +
		    (m.from ? ' (from ' + m.from + ')' : '') +
		    (m.message ? ' — ' + m.message : '')).join('\n');
		return el('span', {class: 'moves' + (bad.length ?
		    ' moves-warn' : ''), title: tip}, 'VMs back ' + back + '/' +
		    moves.length + (bad.length ? ' · ' + bad.length +
		    ' not back' : ''));
	}

	/* 1 when h stopped its run p with an error (the run halted on it). */
	function hostFailed(h, p) {
		return !!h.error && p.state === 'halted';
	}

	/* The VERSION cell of a host in run p: an arrow only for what it
	 * was upgraded to (new_version) or, while the run is at it, what it
	 * is being upgraded to; a host that failed or was stopped shows the
	 * version it was on and why it is not upgraded. */
	function versionText(h, p) {
		const old = h.old_version || '';
		const busy = h.step !== 'pending' && h.step !== 'done' &&
		    h.step !== 'skipped';

		if (h.new_version)
			return old && old !== h.new_version ?
			    old + ' → ' + h.new_version : h.new_version;
		if (!old)
			return '';
		if (hostFailed(h, p))
			return old + ' · not upgraded (failed in step ' +
			    h.step + ')';
		if (busy && p.state === 'running')
			return old + ' → ' + (p.target_version || '?') +
			    ' (upgrading)';
		if (busy)
			return old + ' · not upgraded (run ' + p.state + ')';
		return old;
	}

	function runHostTable(p) {
		const tb = el('tbody');

		(p.hosts || []).forEach(function (h, i) {
			const done = stepsDone(h.step);
			const live = p.state === 'running' &&
			    h.step !== 'pending' && h.step !== 'done' &&
			    h.step !== 'skipped';
			const info = hostsByName.get(h.host);
			const repo = info ? info.repo_bytes : 0;
			const failed = hostFailed(h, p);
			const stepCell = el('td', {class: 'step'},
			    badge(h.step, 'step-' + (failed ? 'failed' :
				h.step)),
			    failed ? el('span', {class: 'failed-label'},
				' failed') : null);
			const versions = versionText(h, p);
			if (h.step === 'install' || (repo && live))
				stepCell.append(el('span', {class: 'repo',
				    title: 'repo bytes this host\'s installer ' +
				    'has fetched from poolboot'},
				    bytes(repo) + ' fetched'));
			const ml = movesLine(h);
			if (ml)
				stepCell.append(ml);
			tb.append(el('tr', {data: {host: h.host, step: h.step},
			    class: live ? 'row-live' : null},
			    el('td', {class: 'num'}, String(i + 1)),
			    el('th', {scope: 'row'}, h.host),
			    el('td', null, h.role || ''),
			    stepCell,
			    el('td', {class: 'progress'}, stepBar(h, p.state),
				el('span', {class: 'steps-label'}, done + '/' +
				    STEPS.length)),
			    el('td', {class: 'mono'}, versions),
			    el('td', {class: 'num in-step'},
				live && h.step_started_at ?
				duration(serverNow() - h.step_started_at) :
				h.finished_at && h.started_at ?
				'took ' + duration(h.finished_at -
				    h.started_at) : ''),
			    el('td', {class: 'err'}, h.error || '')));
		});
		return el('table', {class: 'grid run'},
		    el('thead', null, el('tr', null,
			el('th', {scope: 'col', class: 'num'}, '#'),
			el('th', {scope: 'col'}, 'Host'),
			el('th', {scope: 'col'}, 'Role'),
			el('th', {scope: 'col'}, 'Step'),
			el('th', {scope: 'col'}, 'Progress'),
			el('th', {scope: 'col'}, 'Version'),
			el('th', {scope: 'col', class: 'num'}, 'In step'),
			el('th', {scope: 'col'}, 'Error'))),
		    tb);
	}

	/* A pool without a run: its hosts from /hosts. */
	function idleHostTable(pool) {
		const tb = el('tbody');

		for (const h of hostsByName.values())
			if (h.pool === pool)
				tb.append(el('tr', {data: {host: h.name}},
				    el('th', {scope: 'row'}, h.name),
				    el('td', null, h.mode),
				    el('td', null, badge(h.state))));
		return el('table', {class: 'grid idle'},
		    el('thead', null, el('tr', null,
			el('th', {scope: 'col'}, 'Host'),
			el('th', {scope: 'col'}, 'Mode'),
			el('th', {scope: 'col'}, 'State'))), tb);
	}

	/* ---- hosts --------------------------------------------------------- */

	/* The inventory's mode; when armed, the mode it was armed for (a
	 * rebuild arms a pool member for a fresh install): a wipe stands
	 * out. */
	function modeCell(h) {
		const m = h.armed ? h.armed.mode : h.mode;

		return el('span', {class: m === 'upgrade' ? null : 'wipe',
		    title: h.armed ? 'armed for ' + m + ' (inventory: ' +
		    h.mode + ')' : null}, m);
	}

	/* What a host is in now: its step in its pool's current run (a
	 * running or halted run it is part of) and its newest job. The
	 * inventory state of /hosts is the state of its last network
	 * install: "done" from an earlier run says nothing about the run
	 * going on, so a host that run has not finished with shows its
	 * step there instead. */
	function hostContext(h) {
		const c = {run: null, rh: null, job: null, owned: false};
		const p = h.pool ? lastPools.find((x) => x.pool === h.pool) :
		    null;

		if (p && p.run !== null && p.run !== undefined &&
		    (p.state === 'running' || p.state === 'halted')) {
			const rh = (p.hosts || []).find((x) => x.host === h.name);

			if (rh) {
				c.run = p;
				c.rh = rh;
				c.owned = rh.step !== 'done' &&
				    rh.step !== 'skipped';
			}
		}
		/* /jobs is newest first */
		c.job = lastJobs.find((j) => j.host === h.name) || null;
		if (c.job && (c.job.state === 'running' ||
		    c.job.state === 'halted'))
			c.owned = true;
		return c;
	}

	/* The State cell: [badge, detail text]. */
	function hostStateCell(h, c) {
		const run = c.run ? 'run #' + c.run.run + ' of ' + c.run.pool : '';
		const job = c.job ? c.job.kind + ' job #' + c.job.id : '';

		if (c.run && c.rh.step === 'pending')
			return [badge('pending'), el('span', {class: 'sub',
			    title: 'last network install: ' + h.state},
			    ' waits its turn in ' + run + (c.run.state ===
			    'halted' ? ' (halted)' : ''))];
		if (c.run && hostFailed(c.rh, c.run))
			return [badge('failed'), el('span', {class: 'sub'},
			    ' in step ' + c.rh.step + ' of ' + run +
			    ' (halted)')];
		if (c.owned && c.run)
			return [badge('upgrading', 'installing'),
			    el('span', {class: 'sub'}, ' step ' + c.rh.step +
				' of ' + run)];
		if (c.job && c.job.state === 'halted')
			return [badge('failed'), el('span', {class: 'sub'},
			    ' ' + job + ' halted in step ' + c.job.step)];
		if (c.job && c.job.state === 'running')
			return [badge(h.state), el('span', {class: 'sub'},
			    ' ' + job + ', step ' + c.job.step)];
		return [badge(h.state), h.armed ? el('span', {class:
		    'sub nowrap', title: 'answerfile fetches since it was ' +
		    'armed'}, ' (fetch ' + h.armed.attempts + ')') : null];
	}

	/* The actions that make sense for h now, each {action, text, label}:
	 * arm or disarm when no run or job is at the host, retry when its
	 * pool's run halted on it or its job halted. None for a read-only
	 * token. */
	function hostActions(h, c) {
		const a = [];

		if (readOnly)
			return a;
		if (c.run && hostFailed(c.rh, c.run))
			a.push({action: 'retry-run', text: 'Retry…',
			    label: 'Retry the upgrade of ' + h.name +
			    ' (resume run #' + c.run.run + ' of ' + c.run.pool +
			    ')'});
		if (c.job && c.job.state === 'halted')
			a.push({action: 'retry-job', text: 'Retry…',
			    label: 'Retry the ' + c.job.kind + ' of ' + h.name +
			    ' (job #' + c.job.id + ')'});
		if (!c.owned && !h.armed)
			a.push({action: 'arm', text: 'Arm…', label: 'Arm ' +
			    h.name + ' for ' + (h.mode === 'upgrade' ?
			    'an upgrade' : 'a ' + h.mode + ' install')});
		if (!c.owned && h.armed)
			a.push({action: 'disarm', text: 'Disarm…',
			    label: 'Disarm ' + h.name});
		return a;
	}

	function hostActionButtons(h, acts) {
		const box = el('div', {class: 'actions'});

		for (const x of acts) {
			const b = el('button', {type: 'button', class: 'btn btn-sm' +
			    (x.action === 'arm' && h.mode !== 'upgrade' ?
			    ' btn-danger' : ''), 'aria-label': x.label,
			    title: x.label, data: {action: x.action}}, x.text);

			b.addEventListener('click', () => hostActionFlow(h.name,
			    x.action));
			box.append(b);
		}
		if (acts.length === 0 && readOnly)
			box.append(el('span', {class: 'sub'}, 'read-only'));
		return box;
	}

	/* One row per host, kept from poll to poll: its action buttons are
	 * rebuilt only when the actions change, so a button keeps the
	 * keyboard focus. */
	function hostRow(h) {
		let r = hostRows.get(h.name);

		if (!r) {
			r = {name: el('th', {scope: 'row'}, h.name),
			    pool: el('td'), mode: el('td'),
			    state: el('td', {class: 'state'}),
			    repo: el('td', {class: 'num'}),
			    last: el('td', {class: 'last'}),
			    acts: el('td', {class: 'acts'}), key: null};
			r.tr = el('tr', {data: {host: h.name}}, r.name, r.pool,
			    r.mode, r.state, r.repo, r.last, r.acts);
			hostRows.set(h.name, r);
		}
		const c = hostContext(h);
		const acts = hostActions(h, c);
		const key = acts.map((x) => x.label).join('|') + '|' + readOnly;

		r.tr.dataset.state = h.state;
		r.pool.textContent = h.pool || '—';
		r.mode.replaceChildren(modeCell(h));
		r.state.replaceChildren(...hostStateCell(h, c).filter(Boolean));
		r.repo.textContent = h.repo_bytes ? bytes(h.repo_bytes) : '—';
		r.last.replaceChildren(h.last_event ? el('span',
		    {class: 'when'}, ago(h.last_event_at)) : '',
		    h.last_event || '—');
		if (key !== r.key) {
			const had = r.acts.contains(document.activeElement) ?
			    document.activeElement.dataset.action : null;

			r.acts.replaceChildren(hostActionButtons(h, acts));
			r.key = key;
			const again = had ? r.acts.querySelector(
			    'button[data-action="' + had + '"]') : null;
			if (again)
				again.focus();
		}
		return r.tr;
	}

	function renderHosts(list) {
		const tb = $('hosts');
		const seen = new Set();

		hostsByName = new Map();
		for (const h of list) {
			hostsByName.set(h.name, h);
			seen.add(h.name);
		}
		for (const [name, r] of hostRows)
			if (!seen.has(name)) {
				r.tr.remove();
				hostRows.delete(name);
			}
		for (const tr of [...tb.children])
			if (!tr.dataset.host)
				tr.remove();
		/* in order, moving a row only when it is out of place (a move
		 * would take the focus from its button) */
		list.forEach(function (h, i) {
			const tr = hostRow(h);
			const at = tb.children[i];

			if (at !== tr)
				tb.insertBefore(tr, at || null);
		});
		if (list.length === 0)
			tb.append(el('tr', null, el('td', {colspan: 7,
			    class: 'empty'}, 'No hosts in the inventory.')));
	}

	/* ---- jobs ---------------------------------------------------------- */

	function renderJobs(r) {
		const box = $('jobs');

		if (r.status !== 200) {
			box.replaceChildren(el('p', {class: 'empty'},
			    'Jobs: ' + apiError(r)));
			return;
		}
		const jobs = r.data.jobs || [];

		if (jobs.length === 0) {
			box.replaceChildren(el('p', {class: 'empty'},
			    'No rebuild or install jobs.'));
			return;
		}
		const tb = el('tbody');

		for (const j of jobs) {
			const live = j.state === 'running';

			tb.append(el('tr', {data: {job: j.id}},
			    el('td', {class: 'num'}, '#' + j.id),
			    el('td', null, j.kind),
			    el('th', {scope: 'row'}, j.host),
			    el('td', null, badge(j.state)),
			    el('td', null, j.step, live && j.step_started_at ?
				el('span', {class: 'sub'}, ' ' +
				    duration(serverNow() - j.step_started_at)) :
				null),
			    el('td', {class: j.message ? 'operator' : null},
				j.message || ''),
			    el('td', {class: 'err'}, j.error || '')));
		}
		box.replaceChildren(el('div', {class: 'tablewrap'},
		    el('table', {class: 'grid'},
			el('thead', null, el('tr', null,
			    el('th', {scope: 'col', class: 'num'}, 'Job'),
			    el('th', {scope: 'col'}, 'Kind'),
			    el('th', {scope: 'col'}, 'Host'),
			    el('th', {scope: 'col'}, 'State'),
			    el('th', {scope: 'col'}, 'Step'),
			    el('th', {scope: 'col'}, 'Operator message'),
			    el('th', {scope: 'col'}, 'Error'))),
			tb)));
	}

	/* ---- events -------------------------------------------------------- */

	function addEvents(list) {
		const fresh = list.filter((e) => !events.has(e.id));

		if (fresh.length === 0)
			return;
		fresh.sort((a, b) => a.id - b.id);
		const ol = $('events');

		for (const e of fresh) {
			events.set(e.id, e);
			if (e.ts > eventsSince)
				eventsSince = e.ts;
			const bad = /fail|halt|error|refus|abort|guard/i.test(
			    e.message + ' ' + e.kind);
			const where = [e.pool, e.host].filter(Boolean).join(' / ');

			ol.prepend(el('li', {class: bad ? 'ev ev-bad' : 'ev',
			    data: {id: e.id}},
			    el('time', {datetime: e.time, title: e.time},
				clock(e.ts)),
			    el('span', {class: 'ev-kind'}, e.kind),
			    el('span', {class: 'ev-where'}, where),
			    el('span', {class: 'ev-msg'}, e.message)));
		}
		while (ol.children.length > MAX_EVENTS) {
			const last = ol.lastElementChild;

			events.delete(Number(last.dataset.id));
			last.remove();
		}
	}

	/* ---- dialogs and actions ------------------------------------------- */

	let dialogOk = null;

	function openDialog(o) {
		const d = $('dialog');

		$('dialog-title').textContent = o.title;
		$('dialog-body').replaceChildren(...o.body);
		$('dialog-error').hidden = true;
		const ok = $('dialog-ok');

		ok.textContent = o.okText;
		ok.className = 'btn ' + (o.danger ? 'btn-danger' :
		    'btn-primary');
		ok.disabled = !!o.okDisabled;
		dialogOk = o.onOk;
		if (!d.open)
			d.showModal();
		$('dialog-cancel').focus();
	}

	function dialogError(msg) {
		const e = $('dialog-error');

		e.textContent = msg;
		e.hidden = false;
	}

	function closeDialog() {
		dialogOk = null;
		if ($('dialog').open)
			$('dialog').close();
	}

	async function dialogConfirm() {
		if (!dialogOk)
			return;
		const ok = $('dialog-ok');

		ok.disabled = true;
		resultFresh = false;
		try {
			const err = await dialogOk();

			if (err) {
				dialogError(err);
				ok.disabled = false;
				return;
			}
			closeDialog();
			if (resultFresh)
				$('action-result').focus();
			startPolling();
		} catch (e) {
			if (e instanceof AuthError) {
				closeDialog();
				showLogin('The server refused the admin token ' +
				    '(HTTP 401). Sign in again.');
				return;
			}
			dialogError(e.message);
			ok.disabled = false;
		}
	}

	function poolStatus(name) {
		return lastPools.find((p) => p.pool === name) || {};
	}

	function checkList(checks) {
		const ul = el('ul', {class: 'checks'});

		for (const c of checks || [])
			ul.append(el('li', {class: c.ok ? 'ok' : 'bad'},
			    el('span', {class: 'mark', 'aria-label':
				c.ok ? 'passed' : 'failed'}, c.ok ? '✓' : '✗'),
			    el('strong', null, c.check), ' ', c.message));
		return ul;
	}

	function planTable(plan) {
		const tb = el('tbody');

		(plan || []).forEach(function (h, i) {
			tb.append(el('tr', {data: {host: h.host}},
			    el('td', {class: 'num'}, String(i + 1)),
			    el('th', {scope: 'row'}, h.host),
			    el('td', null, h.role || ''),
			    el('td', {class: 'mono'}, (h.version || '?') +
				' → ' + (h.target || '?')),
			    el('td', null, h.action || '')));
		});
		return el('table', {class: 'grid plan'},
		    el('thead', null, el('tr', null,
			el('th', {scope: 'col', class: 'num'}, '#'),
			el('th', {scope: 'col'}, 'Host'),
			el('th', {scope: 'col'}, 'Role'),
			el('th', {scope: 'col'}, 'Version'),
			el('th', {scope: 'col'}, 'Action'))), tb);
	}

	/* Start: the dry run (prechecks and plan) first, then the real run. */
	async function startFlow(pool) {
		const ha = el('input', {type: 'checkbox', id: 'opt-ha'});
		const body = el('div', {class: 'dry'},
		    el('p', {class: 'sub'}, 'Running the prechecks (dry run; ' +
			'nothing changes)…'));
		const what = el('p', null, 'Each host of ' + pool + ', master ' +
		    'first, is disabled, its VMs are moved to the other ' +
		    'hosts, it reboots into the installer (upgrade mode: its ' +
		    'configuration and VMs are kept) and rejoins the pool on ' +
		    'the new version. One host at a time; the run halts at ' +
		    'the first failure.');
		const haRow = el('p', {class: 'opt'}, ha, ' ',
		    el('label', {for: 'opt-ha'}, 'Turn HA/WLB off for the run ' +
			'and back on at the end'));
		let lastOk = false;

		async function dry() {
			body.replaceChildren(el('p', {class: 'sub'},
			    'Running the prechecks (dry run; nothing ' +
			    'changes)…'));
			$('dialog-ok').disabled = true;
			const r = await api('POST', '/pools/' +
			    encodeURIComponent(pool) + '/upgrade',
			    {dry_run: true, disable_ha: ha.checked});

			if (r.status !== 200) {
				body.replaceChildren(el('p', {class: 'error'},
				    'Dry run failed: ' + apiError(r)));
				return;
			}
			lastOk = !!r.data.ok;
			body.replaceChildren(
			    el('p', {class: lastOk ? 'okline' : 'error'},
				lastOk ? 'All prechecks passed. Target version ' +
				(r.data.target_version || '?') + '.' :
				'Some prechecks failed: fix them before ' +
				'starting.'),
			    checkList(r.data.checks),
			    el('h3', null, 'Plan'), planTable(r.data.plan));
			$('dialog-ok').disabled = !lastOk;
		}
		ha.addEventListener('change', () => dry().catch((e) =>
		    dialogError(e.message)));
		openDialog({title: 'Start a rolling upgrade of pool ' + pool,
		    body: [what, haRow, body],
		    okText: 'Start upgrade of ' + pool, okDisabled: true,
		    onOk: async function () {
			const r = await api('POST', '/pools/' +
			    encodeURIComponent(pool) + '/upgrade',
			    {dry_run: false, disable_ha: ha.checked});

			if (r.status === 200 || r.status === 202)
				return null;
			if (r.data && r.data.checks)
				body.replaceChildren(checkList(r.data.checks));
			return 'Not started: ' + refusal(r);
		    }});
		try {
			await dry();
		} catch (e) {
			if (e instanceof AuthError)
				return showLogin(e.message);
			body.replaceChildren(el('p', {class: 'error'},
			    'Dry run failed: ' + e.message));
		}
	}

	function failedHost(p) {
		return (p.hosts || []).find((h) => h.error) ||
		    (p.hosts || []).find((h) => h.step !== 'pending' &&
			h.step !== 'done' && h.step !== 'skipped');
	}

	function retryFlow(pool) {
		const p = poolStatus(pool);
		const h = failedHost(p);
		const body = [el('p', null, 'Resume the halted run #' + p.run +
		    ' of pool ' + pool + '.')];

		if (h)
			body.push(el('p', null, 'Host ' + h.host + ' stopped in ' +
			    'step ' + h.step + (h.error ? ': ' + h.error : '.')),
			    el('p', null, h.step === 'install' ?
				'Retry arms ' + h.host + ' again and reboots it ' +
				'into the installer (upgrade mode).' :
				'Retry runs step ' + h.step + ' of ' + h.host +
				' again, then goes on with the plan.'));
		openDialog({title: 'Retry the upgrade of pool ' + pool,
		    body: body, okText: 'Retry run on ' + pool,
		    onOk: async function () {
			const r = await api('POST', '/pools/' +
			    encodeURIComponent(pool) + '/retry');

			return r.status < 300 ? null : refusal(r);
		    }});
	}

	function abortFlow(pool) {
		const p = poolStatus(pool);
		const h = failedHost(p);
		const body = [el('p', null, 'Stop the rolling upgrade of pool ' +
		    pool + ' (run #' + p.run + ', ' + p.hosts_done + ' of ' +
		    p.hosts_total + ' hosts done).')];

		if (h)
			body.push(el('p', null, 'Host ' + h.host + ' is in step ' +
			    h.step + ': it is disarmed (back to local boot) ' +
			    'and re-enabled where possible. If it is in the ' +
			    'middle of an install, that install is not ' +
			    'stopped.'));
		body.push(el('p', null, 'Hosts already upgraded stay ' +
		    'upgraded. An aborted run cannot be resumed; a new ' +
		    'upgrade starts again with the prechecks.'));
		openDialog({title: 'Abort the upgrade of pool ' + pool,
		    body: body, okText: 'Abort run on ' + pool, danger: true,
		    onOk: async function () {
			const r = await api('POST', '/pools/' +
			    encodeURIComponent(pool) + '/abort');

			return r.status < 300 ? null : refusal(r);
		    }});
	}

	/* ---- per-host actions ------------------------------------------ */

	/* The answer of the last action, as visible text (red and marked
	 * "Refused" when it failed). */
	function showResult(text, bad) {
		const r = $('action-result');

		r.textContent = text;
		r.className = 'action-result ' + (bad ? 'error' : 'okline');
		r.hidden = false;
		resultFresh = true;
	}

	/* A refusal as the operator reads it: the status and the server's
	 * own words. A read-only token's 403 also takes the actions away. */
	function refusal(r) {
		const msg = apiError(r);

		if (r.status === 403 && /read-only/i.test(msg))
			setReadOnly(msg);
		return 'Refused (HTTP ' + r.status + '): ' + msg;
	}

	/* msg: the server's 403 that told us; or '' and name: GET /whoami
	 * said the token named name is read-only. */
	function setReadOnly(msg, name) {
		const n = $('ro-note');

		readOnly = msg || 'token "' + name + '" is read-only';
		n.textContent = (msg ? 'Signed in with a read-only token: the ' +
		    'server refused a change (' + msg + ').' :
		    'Signed in with the read-only token "' + name + '".') +
		    ' The dashboard shows everything but offers no actions; ' +
		    'sign in with an admin token to arm, disarm, retry or ' +
		    'start runs.';
		n.hidden = false;
		for (const r of hostRows.values())
			r.key = null;
		for (const h of hostsByName.values())
			hostRow(h);
		for (const c of poolCards.values())
			c.start.disabled = c.retry.disabled = c.abort.disabled =
			    true;
	}

	function hostActionFlow(name, action) {
		const h = hostsByName.get(name);

		if (!h)
			return;
		const c = hostContext(h);

		if (action === 'arm')
			armFlow(h);
		else if (action === 'disarm')
			disarmFlow(h);
		else if (action === 'retry-run' && c.run)
			hostRetryRunFlow(h, c.run, c.rh);
		else if (action === 'retry-job' && c.job)
			jobRetryFlow(h, c.job);
	}

	/* Arm: an upgrade keeps the host's system; a fresh install or
	 * reinstall wipes its disks, which the API refuses without
	 * "wipe": true, so the operator must tick that first. */
	function armFlow(h) {
		const name = h.name;
		const wipe = h.mode !== 'upgrade';
		const from = h.repo ? ' from repo ' + h.repo : '';
		const cb = el('input', {type: 'checkbox', id: 'opt-wipe'});
		const body = [];

		if (wipe)
			body.push(el('p', {class: 'warn'}, 'Its disks will be wiped ' +
			    'at its next PXE boot: the installer erases ' +
			    (h.disk ? 'disk ' + h.disk : 'its local disk') +
			    ' of ' + name + ' and every VM stored there, then ' +
			    'installs it ' + (h.mode === 'fresh' ? 'fresh' :
			    'again (' + h.mode + ')') + from + '.'),
			    el('p', {class: 'opt'}, cb, ' ', el('label',
				{for: 'opt-wipe'}, 'Wipe ' + name + '\'s disks ' +
				'(required for a ' + h.mode + ' install)')));
		else
			body.push(el('p', null, 'At its next PXE boot ' + name +
			    ' is upgraded in place' + from + ': its ' +
			    'configuration and VMs are kept, nothing is wiped.'));
		body.push(el('p', {class: 'sub'}, 'Arming does not reboot ' +
		    name + ': nothing happens until it boots from the network. ' +
		    'Until then, Disarm undoes it.'));
		cb.addEventListener('change', () => {
			$('dialog-ok').disabled = !cb.checked;
		});
		openDialog({title: wipe ? 'Arm ' + name + ' for a ' + h.mode +
		    ' install?' : 'Arm ' + name + ' for an upgrade?',
		    body: body, okText: wipe ? 'Arm ' + name + ' and wipe it' :
		    'Arm ' + name, danger: wipe, okDisabled: wipe,
		    onOk: async function () {
			if (wipe && !cb.checked)
				return 'Tick "Wipe ' + name + '\'s disks" first.';
			const r = await api('POST', '/hosts/' +
			    encodeURIComponent(name) + '/arm', {wipe: wipe});

			if (r.status !== 200)
				return refusal(r);
			showResult(name + ' armed for ' + (r.data.mode || h.mode) +
			    ' install (' + (r.data.state || 'armed') + '): at its ' +
			    'next PXE boot it ' + (wipe ? 'is wiped and installed' :
			    'is upgraded') + '. Boot file: ' +
			    (r.data.pxelinux_file || r.data.grub_file || '?') +
			    '.');
			return null;
		    }});
	}

	function disarmFlow(h) {
		const name = h.name;
		const body = [el('p', null, name + ' goes back to booting from ' +
		    'its local disk: its network install entry is removed and ' +
		    'its answerfile token retired' + (h.armed ? ' (armed for ' +
		    h.armed.mode + ', answerfile fetched ' + h.armed.attempts +
		    ' times).' : '.'))];

		if (h.state === 'installing')
			body.push(el('p', {class: 'warn'}, 'Its installer has ' +
			    'already fetched the answerfile: an install under way ' +
			    'is not stopped by this.'));
		openDialog({title: 'Disarm ' + name + '?', body: body,
		    okText: 'Disarm ' + name,
		    onOk: async function () {
			const r = await api('POST', '/hosts/' +
			    encodeURIComponent(name) + '/disarm');

			if (r.status !== 200)
				return refusal(r);
			showResult(name + ' disarmed (state ' + (r.data.state ||
			    'idle') + '): it boots from its local disk.');
			return null;
		    }});
	}

	/* Retry for the host its pool's run halted on: POST
	 * /pools/P/retry resumes the run at that host's failed step. */
	function hostRetryRunFlow(h, p, rh) {
		const name = h.name;
		const rest = (p.hosts || []).filter((x) => x.step === 'pending')
		    .map((x) => x.host);
		const body = [el('p', null, 'Run #' + p.run + ' of pool ' +
		    p.pool + ' halted: ' + name + ' failed in step ' + rh.step +
		    ': ' + rh.error),
		    el('p', null, rh.step === 'install' ? 'Retry arms ' + name +
			' again and reboots it into the installer: upgrade to ' +
			(p.target_version || '?') + ', its configuration and ' +
			'VMs are kept.' : 'Retry runs step ' + rh.step + ' of ' +
			name + ' again (upgrade to ' + (p.target_version || '?') +
			').'),
		    el('p', null, rest.length ? 'Then the run goes on with ' +
			rest.join(', ') + ', one host at a time.' :
			'It is the last host of the run.')];

		openDialog({title: 'Retry the upgrade of ' + name + '?',
		    body: body, okText: 'Retry ' + name + ' (run #' + p.run + ')',
		    onOk: async function () {
			const r = await api('POST', '/pools/' +
			    encodeURIComponent(p.pool) + '/retry');

			if (r.status >= 300)
				return refusal(r);
			showResult('Run #' + (r.data.run || p.run) + ' of pool ' +
			    p.pool + ' resumed at ' + name + ' (' +
			    (r.data.state || 'running') + ').');
			return null;
		    }});
	}

	/* Retry of a halted rebuild or install job: POST /jobs/ID/retry.
	 * A failed install starts again at arming (job.c), a fresh install
	 * that wipes the host. */
	function jobRetryFlow(h, j) {
		const name = h.name;
		const again = j.step === 'install' || j.step === 'power';
		const body = [el('p', null, 'Job #' + j.id + ' (' + j.kind +
		    ' of ' + name + ') halted in step ' + j.step +
		    (j.error ? ': ' + j.error : '.'))];

		body.push(again ? el('p', {class: 'warn'}, 'Retry starts again ' +
		    'at arming: ' + name + ' is armed for a fresh install ' +
		    'again, and its disks will be wiped when it boots from the ' +
		    'network; then it is powered on (or you are asked to).') :
		    el('p', null, 'Retry resumes the job at step ' + j.step +
			'.'));
		openDialog({title: 'Retry the ' + j.kind + ' of ' + name + '?',
		    body: body, okText: 'Retry job #' + j.id, danger: again,
		    onOk: async function () {
			const r = await api('POST', '/jobs/' + j.id + '/retry');

			if (r.status >= 300)
				return refusal(r);
			showResult(j.kind + ' job #' + j.id + ' of ' + name +
			    ' resumed at step ' + (r.data.step || '?') + ' (' +
			    (r.data.state || 'running') + ').');
			return null;
		    }});
	}

	/* ---- audit ----------------------------------------------------------- */

	/* GET /audit: the panel, hidden for a server without the route
	 * (404: older than the audit log), which is then not asked again. */
	async function pollAudit() {
		const r = await api('GET', '/audit?limit=25');
		const sec = $('audit-section');

		if (r.status === 404) {
			auditMissing = true;
			sec.hidden = true;
			return;
		}
		sec.hidden = false;
		if (r.status !== 200) {
			$('audit').replaceChildren(el('p', {class: 'error'},
			    'Audit log: ' + apiError(r)));
			return;
		}
		renderAudit((r.data && r.data.audit) || []);
	}

	function auditOutcome(e) {
		const st = Number(e.status) || 0;
		const word = st >= 500 ? 'failed' : st >= 400 ? 'refused' : 'ok';

		return el('td', {class: 'outcome' + (st >= 400 ? ' err' : '')},
		    el('strong', null, word), ' (' + st + ')' +
		    (e.result ? ': ' + e.result : ''));
	}

	function renderAudit(list) {
		if (list.length === 0) {
			$('audit').replaceChildren(el('p', {class: 'empty'},
			    'No admin actions recorded yet.'));
			return;
		}
		const tb = el('tbody');

		for (const e of list)
			tb.append(el('tr', {data: {id: e.id}},
			    el('td', {class: 'nowrap'}, el('time', {datetime:
				new Date(e.time).toISOString()}, dateTime(e.time))),
			    el('td', null, e.token || '-'),
			    el('td', {class: 'mono'}, e.client || '-'),
			    el('td', null, e.action || ''),
			    el('td', null, e.target || '—'),
			    auditOutcome(e)));
		$('audit').replaceChildren(el('div', {class: 'tablewrap'},
		    el('table', {class: 'grid audit'},
			el('thead', null, el('tr', null,
			    el('th', {scope: 'col'}, 'Time'),
			    el('th', {scope: 'col'}, 'Token'),
			    el('th', {scope: 'col'}, 'Client'),
			    el('th', {scope: 'col'}, 'Action'),
			    el('th', {scope: 'col'}, 'Target'),
			    el('th', {scope: 'col'}, 'Outcome'))), tb)));
	}

	/* ---- start ----------------------------------------------------------- */

	document.addEventListener('DOMContentLoaded', function () {
		$('login-form').addEventListener('submit', signIn);
		$('logout').addEventListener('click', signOut);
		$('dialog-cancel').addEventListener('click', closeDialog);
		$('dialog-ok').addEventListener('click', dialogConfirm);
		$('dialog').addEventListener('close', () => {
			dialogOk = null;
		});
		if (token) {
			showApp();
			whoami().then(startPolling);
		} else
			showLogin('');
	});
})();
