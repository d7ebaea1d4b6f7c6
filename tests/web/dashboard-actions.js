#!/usr/bin/env node
/*
 * Drives Debian's Chromium (playwright-core) against a running poolboot and
 * checks the dashboard's hosts table as an operator uses it: what each
 * host's row says, the per-host actions, their confirmations and answers,
 * a read-only token's refusal and the audit panel.
 *
 *   node dashboard-actions.js URL TOKEN OUTPUT.png WORLD.json
 *
 * WORLD.json names what tests/integration/test_dashboard_actions.py set up:
 *   {"pool", "run", "old", "target", "done", "failed", "pending", "wipe",
 *    "job_host", "job", "viewer_token"}
 * pool's current run (#run, old -> target) halted on host `failed` (its
 * install failed); `done` was upgraded in it; `pending` waits, though its
 * last network install (an earlier run's) was done; `wipe` is an idle host
 * of mode fresh; `job_host`'s install job `job` halted in step install.
 *
 * What it checks, in order (each failure is listed, exit 1):
 * 1. the hosts table: `pending` shows pending (not its earlier "done"),
 *    `failed` shows failed; the run's VERSION cell of `failed` shows the
 *    version it is on and the failure, no arrow to the target;
 * 2. the buttons each row offers (real buttons, named after the host);
 * 3. arm of an upgrade-mode host from the keyboard, cancelled with Escape
 *    (nothing armed, says the API);
 * 4. arm of `wipe`: the confirmation says its disks will be wiped, OK
 *    only once the wipe box is ticked (from the keyboard); the answer is
 *    shown; the API has it armed for fresh; then disarm, idem;
 * 5. retry of the halted job (the API has it running again);
 * 6. retry of `failed` (POST /pools/P/retry): the run resumes and ends
 *    done, `failed` on the target, the page shows it upgraded;
 * 7. a read-only token (poolboot token add viewer --read-only): a change
 *    the admin page sends with it is refused by the server, the refusal
 *    is visible text in the dialog, the actions go away; signed in with
 *    it, the page shows no action from the start (GET /whoami) and a
 *    POST forced from the page gets the server's 403;
 * 8. the audit panel when the server has GET /api/v1/audit, else that the
 *    panel stays hidden (and a SKIP line on stderr).
 * Prints a JSON summary on stdout.
 */
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');

const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function usage(msg) {
	console.error('dashboard-actions: ' + msg);
	console.error('usage: node dashboard-actions.js URL TOKEN OUTPUT.png ' +
	    'WORLD.json');
	process.exit(2);
}

async function main() {
	const argv = process.argv.slice(2);

	if (argv.length !== 4)
		usage('URL, TOKEN, OUTPUT.png and WORLD.json are required');
	const [url, token, out, worldPath] = argv;
	const W = JSON.parse(fs.readFileSync(worldPath, 'utf8'));
	let pw;

	try {
		pw = require('playwright-core');
	} catch (e) {
		usage('playwright-core is not installed (npm install in ' +
		    'tests/web): ' + e.message);
	}
	const failures = [];
	const pageErrors = [];
	const summary = {steps: []};
	const check = (ok, msg) => {
		if (!ok)
			failures.push(msg);
		return ok;
	};
	const step = (name) => summary.steps.push(name);

	async function api(method, p) {
		const r = await fetch(url + '/api/v1' + p, {method: method,
		    headers: {Authorization: 'Bearer ' + token}});
		let data = null;

		try {
			data = await r.json();
		} catch (e) {
			data = null;
		}
		return {status: r.status, data: data};
	}

	async function until(what, fn, ms) {
		const end = Date.now() + (ms || 20000);
		let last;

		while (Date.now() < end) {
			last = await fn();
			if (last)
				return last;
			await sleep(200);
		}
		failures.push('timed out waiting for ' + what);
		return null;
	}

	const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'pb-chromium-'));
	let ctx;

	try {
		ctx = await pw.chromium.launchPersistentContext(profile, {
			executablePath: CHROMIUM, headless: true,
			viewport: {width: 1440, height: 1000},
			args: ['--headless', '--no-sandbox', '--disable-gpu',
			    '--disable-quic', '--no-first-run',
			    '--disable-background-networking',
			    '--disable-component-update', '--disable-sync'],
			timeout: 30000
		});
	} catch (e) {
		fs.rmSync(profile, {recursive: true, force: true});
		console.error('dashboard-actions: cannot start ' + CHROMIUM + ': ' +
		    e.message);
		process.exit(2);
	}
	const page = ctx.pages()[0] || await ctx.newPage();

	page.on('pageerror', (e) => pageErrors.push(String(e)));
	page.on('console', (m) => {
		/* the read-only token's refusals show as a failed
		 * load, and so does GET /api/v1/audit on a server without
		 * the audit log */
		if (m.type() === 'error' && !/status of 403/.test(m.text()) &&
		    !(/status of 404/.test(m.text()) &&
		    /\/api\/v1\/audit\b/.test(m.location().url)))
			pageErrors.push('console: ' + m.text());
	});
	page.setDefaultTimeout(15000);

	/* the text of one cell of host's row in the hosts table (0: name,
	 * 3: state, 6: actions) */
	const hostCell = (host, i) => page.evaluate(([h, n]) => {
		const tr = document.querySelector('#hosts tr[data-host="' + h +
		    '"]');
		return tr && tr.children[n] ? tr.children[n].innerText : null;
	}, [host, i]);
	/* the accessible names of the buttons of host's row */
	const hostButtons = (host) => page.locator('#hosts tr[data-host="' +
	    host + '"]').getByRole('button').evaluateAll((bs) => bs.map((b) =>
	    b.getAttribute('aria-label') || b.textContent));
	const runRow = (host) => page.evaluate(([p, h]) => {
		const tr = document.querySelector('article.pool[data-pool="' + p +
		    '"] table.run tr[data-host="' + h + '"]');
		return tr ? {step: tr.children[3].innerText,
		    version: tr.children[5].innerText} : null;
	}, [W.pool, host]);
	const dialog = page.locator('#dialog');
	const dialogText = async () => ({
		title: await page.locator('#dialog-title').innerText(),
		body: await page.locator('#dialog-body').innerText(),
		ok: await page.locator('#dialog-ok').innerText()
	});
	const result = () => page.locator('#action-result').innerText();

	try {
		await page.goto(url, {waitUntil: 'load'});
		await page.getByLabel('Admin token').fill(token);
		await page.getByRole('button', {name: 'Sign in'}).click();
		await page.waitForFunction((w) => {
			const c = document.querySelector('article.pool[data-pool="' +
			    w.pool + '"]');
			return c && c.dataset.state === 'halted' &&
			    document.querySelector('#hosts tr[data-host="' +
			    w.pending + '"]');
		}, W);
		/* one more poll: the hosts table is drawn with the runs */
		await sleep(1200);

		/* 1. what the rows say */
		step('states');
		const pend = await hostCell(W.pending, 3);
		const fail = await hostCell(W.failed, 3);
		const done = await hostCell(W.done, 3);

		summary.states = {pending: pend, failed: fail, done: done};
		check(/pending/.test(pend) && !/\bdone\b/.test(pend),
		    'hosts table: ' + W.pending + ' waits in run #' + W.run +
		    ' but its State reads ' + JSON.stringify(pend));
		check(/failed/.test(fail), 'hosts table: ' + W.failed +
		    ' failed in run #' + W.run + ' but its State reads ' +
		    JSON.stringify(fail));
		check(/done/.test(done), 'hosts table: ' + W.done +
		    ' State reads ' + JSON.stringify(done));
		const fr = await runRow(W.failed);

		summary.failedRunRow = fr;
		check(fr && !fr.version.includes('→') &&
		    fr.version.includes(W.old) && /failed/.test(fr.version),
		    'run table: VERSION of ' + W.failed + ', which failed, reads ' +
		    JSON.stringify(fr && fr.version) + ' (want ' + W.old +
		    ' and the failure, no arrow to ' + W.target + ')');
		check(fr && /failed/.test(fr.step), 'run table: the step of ' +
		    W.failed + ' does not say failed in words: ' +
		    JSON.stringify(fr && fr.step));

		/* 2. the buttons each row offers */
		step('buttons');
		const want = {};

		want[W.done] = ['Arm ' + W.done + ' for an upgrade'];
		want[W.failed] = ['Retry the upgrade of ' + W.failed +
		    ' (resume run #' + W.run + ' of ' + W.pool + ')'];
		want[W.pending] = [];
		want[W.wipe] = ['Arm ' + W.wipe + ' for a fresh install'];
		want[W.job_host] = ['Retry the install of ' + W.job_host +
		    ' (job #' + W.job + ')'];
		summary.buttons = {};
		for (const [h, names] of Object.entries(want)) {
			const got = await hostButtons(h);

			summary.buttons[h] = got;
			check(JSON.stringify(got) === JSON.stringify(names),
			    'buttons of ' + h + ': ' + JSON.stringify(got) +
			    ', want ' + JSON.stringify(names));
		}

		await page.screenshot({path: out.replace(/\.png$/, '') +
		    '-halted.png', fullPage: true});

		/* 3. arm from the keyboard, cancelled with Escape */
		step('arm-cancel');
		await page.getByRole('button', {name: 'Arm ' + W.done +
		    ' for an upgrade'}).focus();
		await page.keyboard.press('Enter');
		await dialog.waitFor({state: 'visible'});
		let d = await dialogText();

		summary.armUpgrade = d;
		check(d.title === 'Arm ' + W.done + ' for an upgrade?',
		    'arm dialog title: ' + d.title);
		check(/upgraded in place/.test(d.body) && /kept/.test(d.body) &&
		    !/will be wiped/.test(d.body), 'arm (upgrade) dialog: ' +
		    d.body);
		check(await dialog.locator('input[type=checkbox]').count() === 0,
		    'an upgrade arm offers a wipe choice');
		check(await page.evaluate(() => document.activeElement.id) ===
		    'dialog-cancel', 'the confirmation does not start on Cancel');
		await page.keyboard.press('Escape');
		await dialog.waitFor({state: 'hidden'});
		let h = await api('GET', '/hosts/' + W.done);

		check(h.data.armed === null, 'Escape armed ' + W.done);

		/* 4. arm with wipe, then disarm */
		step('arm-wipe');
		await page.getByRole('button', {name: 'Arm ' + W.wipe +
		    ' for a fresh install'}).click();
		await dialog.waitFor({state: 'visible'});
		d = await dialogText();
		summary.armWipe = d;
		check(d.title === 'Arm ' + W.wipe + ' for a fresh install?',
		    'arm (wipe) dialog title: ' + d.title);
		check(d.body.includes('Its disks will be wiped at its next PXE ' +
		    'boot') && d.body.includes(W.wipe), 'arm (wipe) dialog: ' +
		    d.body);
		check(await page.locator('#dialog-ok').isDisabled(),
		    'OK is enabled before the wipe box is ticked');
		await page.getByLabel('Wipe ' + W.wipe + '\'s disks').focus();
		await page.keyboard.press('Space');
		check(!(await page.locator('#dialog-ok').isDisabled()),
		    'OK stays disabled with the wipe box ticked');
		check(d.ok === 'Arm ' + W.wipe + ' and wipe it', 'OK reads ' +
		    d.ok);
		await page.locator('#dialog-ok').focus();
		await page.keyboard.press('Enter');
		await dialog.waitFor({state: 'hidden'});
		let res = await result();

		summary.armWipeResult = res;
		check(res.startsWith(W.wipe + ' armed for fresh install'),
		    'the answer to arm: ' + res);
		h = await api('GET', '/hosts/' + W.wipe);
		check(h.data.state === 'armed' && h.data.armed &&
		    h.data.armed.mode === 'fresh', 'after arm the API says ' +
		    JSON.stringify(h.data));
		await until('a Disarm button for ' + W.wipe, async () =>
		    JSON.stringify(await hostButtons(W.wipe)) ===
		    JSON.stringify(['Disarm ' + W.wipe]));
		check(/armed/.test(await hostCell(W.wipe, 3)),
		    'the row of ' + W.wipe + ' does not say armed');

		step('disarm');
		await page.getByRole('button', {name: 'Disarm ' + W.wipe})
		    .click();
		await dialog.waitFor({state: 'visible'});
		d = await dialogText();
		summary.disarm = d;
		check(d.title === 'Disarm ' + W.wipe + '?' &&
		    /local disk/.test(d.body), 'disarm dialog: ' +
		    JSON.stringify(d));
		await page.locator('#dialog-ok').click();
		await dialog.waitFor({state: 'hidden'});
		res = await result();
		summary.disarmResult = res;
		check(res.startsWith(W.wipe + ' disarmed'), 'the answer to ' +
		    'disarm: ' + res);
		h = await api('GET', '/hosts/' + W.wipe);
		check(h.data.armed === null && h.data.state !== 'armed',
		    'after disarm the API says ' + JSON.stringify(h.data));

		/* 5. retry of the halted job */
		step('retry-job');
		await page.getByRole('button', {name: 'Retry the install of ' +
		    W.job_host + ' (job #' + W.job + ')'}).click();
		await dialog.waitFor({state: 'visible'});
		d = await dialogText();
		summary.retryJob = d;
		check(d.title === 'Retry the install of ' + W.job_host + '?' &&
		    d.body.includes('Job #' + W.job) &&
		    d.body.includes('halted in step install') &&
		    /disks will be wiped/.test(d.body) &&
		    d.ok === 'Retry job #' + W.job, 'job retry dialog: ' +
		    JSON.stringify(d));
		await page.locator('#dialog-ok').click();
		await dialog.waitFor({state: 'hidden'});
		res = await result();
		summary.retryJobResult = res;
		check(res.startsWith('install job #' + W.job + ' of ' +
		    W.job_host + ' resumed'), 'the answer to the job retry: ' +
		    res);
		const j = await api('GET', '/jobs/' + W.job);

		check(j.data.state === 'running', 'after the retry job ' + W.job +
		    ' is ' + j.data.state);

		/* 6. retry of the host the run halted on */
		step('retry-run');
		await page.getByRole('button', {name: 'Retry the upgrade of ' +
		    W.failed + ' (resume run #' + W.run + ' of ' + W.pool + ')'})
		    .click();
		await dialog.waitFor({state: 'visible'});
		d = await dialogText();
		summary.retryRun = d;
		check(d.title === 'Retry the upgrade of ' + W.failed + '?' &&
		    d.body.includes('Run #' + W.run + ' of pool ' + W.pool +
		    ' halted: ' + W.failed + ' failed in step install') &&
		    d.body.includes('upgrade to ' + W.target) &&
		    d.body.includes('goes on with ' + W.pending),
		    'run retry dialog: ' + JSON.stringify(d));
		await page.locator('#dialog-ok').click();
		await dialog.waitFor({state: 'hidden'});
		res = await result();
		summary.retryRunResult = res;
		check(res.startsWith('Run #' + W.run + ' of pool ' + W.pool +
		    ' resumed at ' + W.failed), 'the answer to the run retry: ' +
		    res);
		const st = await until('run #' + W.run + ' done', async () => {
			const r = await api('GET', '/pools/' + W.pool);
			const p = r.data.pools[0];

			return p.state === 'done' ? p : null;
		}, 40000);
		const fh = st ? st.hosts.find((x) => x.host === W.failed) : null;

		check(fh && fh.new_version === W.target, 'after the retry ' +
		    W.failed + ' is ' + JSON.stringify(fh));
		await until('the page to show ' + W.failed + ' upgraded',
		    async () => {
			const r = await runRow(W.failed);
			return r && r.version === W.old + ' → ' + W.target;
		});
		await until('the page to show ' + W.pending + ' done',
		    async () => /done/.test(await hostCell(W.pending, 3)));

		/* 7. a read-only token (made with poolboot token add viewer
		 * --read-only): (a) a change the admin page asks for, sent
		 * with it, is refused by the server (403, its words), the
		 * refusal shows and the actions go away; (b) signed in with
		 * it, the page asks GET /whoami and shows no action from the
		 * start, and a POST forced from the page is refused. */
		step('read-only');
		const forced = await fetch(url + '/api/v1/hosts/' + W.done +
		    '/arm', {method: 'POST', body: '{"wipe": false}',
		    headers: {Authorization: 'Bearer ' + W.viewer_token,
			'Content-Type': 'application/json'}});
		const ro = ((await forced.json().catch(() => null)) || {}).error;

		check(forced.status === 403 && /^token "viewer" is read-only/
		    .test(ro || ''), 'the server answers a read-only token\'s ' +
		    'POST ' + forced.status + ' ' + JSON.stringify(ro));
		await page.route('**/api/v1/**', (route) =>
		    route.request().method() === 'POST' ? route.continue({
			headers: {...route.request().headers(),
			    authorization: 'Bearer ' + W.viewer_token}}) :
		    route.continue());
		await page.getByRole('button', {name: 'Arm ' + W.done +
		    ' for an upgrade'}).click();
		await dialog.waitFor({state: 'visible'});
		await page.locator('#dialog-ok').click();
		const derr = page.locator('#dialog-error');

		await derr.waitFor({state: 'visible'});
		const errText = await derr.innerText();

		summary.readOnlyError = errText;
		check(errText === 'Refused (HTTP 403): ' + ro,
		    'the read-only refusal reads ' + JSON.stringify(errText));
		check(await dialog.isVisible(), 'the dialog closed on a refusal');
		await page.locator('#dialog-cancel').click();
		await dialog.waitFor({state: 'hidden'});
		const note = page.locator('#ro-note');

		check(await note.isVisible() && /read-only/.test(
		    await note.innerText()), 'no read-only note');
		await until('the actions to go away', async () =>
		    await page.locator('#hosts button').count() === 0);
		check(await page.locator('article.pool[data-pool="' + W.pool +
		    '"] button[data-action="start"]').isDisabled(),
		    'Start upgrade stays enabled for a read-only token');
		await page.unroute('**/api/v1/**');
		h = await api('GET', '/hosts/' + W.done);
		check(h.data.armed === null, W.done + ' got armed');

		/* (b) signed in as viewer: read-only before any change */
		await page.locator('#logout').click();
		await page.getByLabel('Admin token').fill(W.viewer_token);
		const posts = [];

		page.on('request', (rq) => {
			if (rq.method() === 'POST')
				posts.push(rq.url());
		});
		await page.getByRole('button', {name: 'Sign in'}).click();
		await page.waitForFunction((w) => document.querySelector(
		    '#hosts tr[data-host="' + w.done + '"]'), W);
		await sleep(1200);	/* a poll or two: rows and pool cards */
		const vnote = await note.isVisible() ? await note.innerText() : '';

		summary.viewerNote = vnote;
		check(/read-only token "viewer"/.test(vnote),
		    'signed in as viewer, the note reads ' + JSON.stringify(vnote));
		check(await page.locator('#hosts button').count() === 0,
		    'signed in as viewer, the hosts table offers actions');
		check(await page.locator('article.pool[data-pool="' + W.pool +
		    '"] button[data-action="start"]').isDisabled(),
		    'signed in as viewer, Start upgrade is enabled');
		const pageForced = await page.evaluate(async (w) => {
			const r = await fetch('/api/v1/hosts/' + w.done + '/arm', {
			    method: 'POST', body: '{"wipe": false}',
			    headers: {'Content-Type': 'application/json',
				Authorization: 'Bearer ' +
				sessionStorage.getItem('poolboot.admin-token')}});
			return {status: r.status, body: await r.json()};
		}, W);

		summary.viewerForced = pageForced;
		check(pageForced.status === 403 && pageForced.body.error === ro,
		    'a POST forced from the viewer\'s page: ' +
		    JSON.stringify(pageForced));
		check(posts.length === 1, 'the viewer\'s page sent POSTs of ' +
		    'its own: ' + JSON.stringify(posts));
		h = await api('GET', '/hosts/' + W.done);
		check(h.data.armed === null, W.done + ' got armed');

		/* 8. the audit panel */
		step('audit');
		const au = await api('GET', '/audit?limit=50');

		if (au.status === 404) {
			summary.audit = 'skipped: this server has no GET ' +
			    '/api/v1/audit (404); checked that the panel stays ' +
			    'hidden';
			console.error('dashboard-actions: SKIP audit panel: ' +
			    summary.audit);
			check(await page.locator('#audit-section').isHidden(),
			    'the audit panel shows on a server without /audit');
		} else {
			check(au.status === 200, 'GET /audit: ' + au.status);
			const rows = await until('the audit panel', async () => {
				const r = await page.locator('#audit tbody tr')
				    .evaluateAll((trs) => trs.map((tr) =>
					[...tr.children].map((td) =>
					    td.innerText)));
				return r.some((c) => c[3] === 'disarm' &&
				    c[4] === 'host:' + W.wipe) ? r : null;
			});

			summary.audit = rows;
			const arm = rows ? rows.find((c) => c[3] === 'arm' &&
			    c[4] === 'host:' + W.wipe) : null;

			check(arm && arm[1] && arm[2] && /^ok \(200\)/.test(
			    arm[5]), 'the audit row of arm ' + W.wipe + ': ' +
			    JSON.stringify(arm));
			check(rows && rows.findIndex((c) => c[3] === 'disarm') <
			    rows.findIndex((c) => c[3] === 'arm' &&
			    c[4] === 'host:' + W.wipe), 'audit not newest first');
		}
		await page.screenshot({path: out, fullPage: true});
	} catch (e) {
		failures.push('error in step ' + summary.steps.slice(-1)[0] +
		    ': ' + (e && e.stack ? e.stack : e));
		await page.screenshot({path: out.replace(/\.png$/, '') +
		    '-error.png', fullPage: true}).catch(() => {});
	} finally {
		await ctx.close().catch(() => {});
		fs.rmSync(profile, {recursive: true, force: true});
	}
	for (const e of pageErrors)
		failures.push('page error: ' + e);
	summary.failures = failures;
	console.log(JSON.stringify(summary, null, 1));
	for (const f of failures)
		console.error('FAIL: ' + f);
	process.exit(failures.length ? 1 : 0);
}

main().catch((e) => {
	console.error('dashboard-actions: ' + (e && e.stack ? e.stack : e));
	process.exit(2);
});
