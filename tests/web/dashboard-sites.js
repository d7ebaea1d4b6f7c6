#!/usr/bin/env node
/*
 * Drives Debian's Chromium (playwright-core) against a running poolboot and
 * checks the dashboard's Sites panel as an operator sees it.
 *
 *   node dashboard-sites.js URL TOKEN EXPECT.json [OUTPUT.png]
 *
 * EXPECT.json says what the page must show:
 *   {"panel": false}: no Sites panel (one instance without sites), the
 *     rest of the page as usual (the hosts table filled);
 *   {"panel": true, "this": SITE, "sites": {NAME: ROW, ...}}: the panel,
 *     its rows exactly the sites named (in that order; "(none)" for the
 *     unnamed site), the row of SITE alone marked "this instance"; each
 *     ROW {"pools", "hosts", "active" ("yes"/"no"), "instance", "lease"
 *     (a regular expression), "actions" (a regular expression),
 *     "waiting" (true: the row says "waiting for an instance of NAME")}.
 *     An inactive site's "no" must be shown in red, an active one's not;
 *   "sites_status": N (with "panel": false): the browser answers the
 *     page's GET /api/v1/sites itself with HTTP N (404: a server older
 *     than the route, which the page then asks no more; 500: a failure):
 *     no panel, and the rest of the page live as usual.
 * It signs in, then samples the page every 250 ms until it matches (at
 * most 20 s; the page polls once a second; a page without a panel is
 * sampled for 3.5 s); any JavaScript error or console error fails (but
 * the failed load of /sites asked for). Prints a JSON summary (the last
 * sample); exit 0 when all holds, 1 otherwise, 2 for a usage or browser
 * start error.
 */
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');

const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const RED = 'rgb(179, 38, 30)';		/* style.css --bad */
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function usage(msg) {
	console.error('dashboard-sites: ' + msg);
	console.error('usage: node dashboard-sites.js URL TOKEN EXPECT.json ' +
	    '[OUTPUT.png]');
	process.exit(2);
}

/* What the page shows of the Sites panel. */
function sample() {
	const sec = document.getElementById('sites-section');
	const box = sec.getBoundingClientRect();

	return {
		visible: !sec.hidden && box.width > 0 && box.height > 0,
		hostRows: document.querySelectorAll('#hosts tr[data-host]')
		    .length,
		conn: document.getElementById('conn-text').textContent,
		rows: [...sec.querySelectorAll('table.sites tbody tr')].map(
		    (tr) => {
			const td = tr.querySelectorAll('td');
			const th = tr.querySelector('th');
			const mark = th.querySelector('.this-instance');
			const act = td[2].querySelector('.badge') || td[2];
			const wait = td[5].querySelector('.waiting');

			return {
				site: th.childNodes[0].textContent.trim(),
				mark: mark ? mark.textContent : '',
				pools: td[0].textContent,
				hosts: td[1].textContent,
				active: td[2].textContent.trim(),
				activeColor: getComputedStyle(act).color,
				instance: td[3].textContent,
				lease: td[4].textContent,
				actions: td[5].textContent,
				waiting: wait ? wait.textContent : ''
			};
		})
	};
}

/* The differences between sample s and what E expects. */
function compare(E, s) {
	const bad = [];

	if (s.hostRows === 0)
		bad.push('the hosts table is empty');
	if (!/^live/.test(s.conn))
		bad.push('the page is not live: ' + s.conn);
	if (!E.panel) {
		if (s.visible || s.rows.length)
			bad.push('a Sites panel is shown: ' +
			    JSON.stringify(s.rows));
		return bad;
	}
	if (!s.visible)
		bad.push('no Sites panel');
	const names = Object.keys(E.sites);
	const got = s.rows.map((r) => r.site);

	if (JSON.stringify(got) !== JSON.stringify(names))
		bad.push('sites ' + JSON.stringify(got) + ', not ' +
		    JSON.stringify(names));
	for (const r of s.rows) {
		const want = E.sites[r.site];

		if (r.mark !== (r.site === E.this ? 'this instance' : ''))
			bad.push(r.site + ': mark ' + JSON.stringify(r.mark));
		if (!want)
			continue;
		for (const k of ['pools', 'hosts'])
			if (want[k] !== undefined && r[k] !== String(want[k]))
				bad.push(r.site + ': ' + k + ' ' + r[k] + ', not ' +
				    want[k]);
		if (r.active !== want.active)
			bad.push(r.site + ': active ' + JSON.stringify(r.active) +
			    ', not ' + want.active);
		if ((r.activeColor === RED) !== (want.active === 'no'))
			bad.push(r.site + ': active "' + r.active + '" in ' +
			    r.activeColor + (want.active === 'no' ?
			    ', not red' : ', red'));
		if (r.instance !== want.instance)
			bad.push(r.site + ': instance ' +
			    JSON.stringify(r.instance) + ', not ' + want.instance);
		if (!new RegExp(want.lease).test(r.lease))
			bad.push(r.site + ': lease ' + JSON.stringify(r.lease) +
			    ', not /' + want.lease + '/');
		if (!new RegExp(want.actions).test(r.actions))
			bad.push(r.site + ': actions ' +
			    JSON.stringify(r.actions) + ', not /' +
			    want.actions + '/');
		const w = 'waiting for an instance of ' + r.site;

		if (want.waiting ? !r.waiting.includes(w) : r.waiting !== '')
			bad.push(r.site + ': ' + (want.waiting ? 'does not say "' +
			    w + '"' : 'says ' + JSON.stringify(r.waiting)));
	}
	return bad;
}

async function main() {
	const argv = process.argv.slice(2);

	if (argv.length < 3 || argv.length > 4)
		usage('URL, TOKEN and EXPECT.json are required');
	const [url, token, expectPath, out] = argv;
	const E = JSON.parse(fs.readFileSync(expectPath, 'utf8'));
	let pw;

	try {
		pw = require('playwright-core');
	} catch (e) {
		usage('playwright-core is not installed (npm install in ' +
		    'tests/web): ' + e.message);
	}
	if (!fs.existsSync(CHROMIUM))
		usage('no ' + CHROMIUM);
	const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'pb-chromium-'));
	const failures = [];
	const pageErrors = [];
	const t0 = Date.now();
	const summary = {};
	let ctx;

	try {
		ctx = await pw.chromium.launchPersistentContext(profile, {
			executablePath: CHROMIUM, headless: true,
			viewport: {width: 1440, height: 900},
			args: ['--headless', '--no-sandbox', '--disable-gpu',
			    '--disable-quic', '--no-first-run',
			    '--disable-background-networking',
			    '--disable-component-update', '--disable-sync'],
			timeout: 30000
		});
	} catch (e) {
		fs.rmSync(profile, {recursive: true, force: true});
		console.error('dashboard-sites: cannot start ' + CHROMIUM + ': ' +
		    e.message);
		process.exit(2);
	}
	try {
		const page = ctx.pages()[0] || await ctx.newPage();

		page.on('pageerror', (e) => pageErrors.push(String(e)));
		page.on('console', (m) => {
			if (m.type() === 'error' && !(E.sites_status &&
			    /status of \d+/.test(m.text()) &&
			    /\/api\/v1\/sites$/.test(m.location().url)))
				pageErrors.push('console: ' + m.text());
		});
		let sitesAsked = 0;

		if (E.sites_status)
			await page.route('**/api/v1/sites', (route) => {
				sitesAsked++;
				return route.fulfill({status: E.sites_status,
				    contentType: 'application/json',
				    body: JSON.stringify({error: 'test: HTTP ' +
					E.sites_status})});
			});
		page.setDefaultTimeout(20000);
		await page.goto(url, {waitUntil: 'load'});
		await page.getByLabel('Admin token').fill(token);
		await page.getByRole('button', {name: 'Sign in'}).click();
		await page.locator('#app').waitFor({state: 'visible'});
		await page.waitForFunction(() => /^live/.test(
		    document.getElementById('conn-text').textContent));
		/* the panel, if any, is drawn by the first poll; a page
		 * that must show none is sampled over a few polls */
		const end = Date.now() + (E.panel ? 20000 : 3500);
		let s, bad;

		for (;;) {
			s = await page.evaluate(sample);
			bad = compare(E, s);
			if (E.panel && bad.length === 0)
				break;
			if (!E.panel && bad.length)
				break;
			if (Date.now() >= end)
				break;
			await sleep(250);
		}
		summary.sample = s;
		summary.sitesAsked = sitesAsked;
		failures.push(...bad);
		if (E.sites_status === 404 && sitesAsked !== 1)
			failures.push('GET /sites asked ' + sitesAsked + ' times ' +
			    'of a server that answered 404');
		if (E.sites_status && E.sites_status !== 404 && sitesAsked < 3)
			failures.push('GET /sites asked only ' + sitesAsked +
			    ' times in 3.5 s');
		if (out)
			fs.writeFileSync(out, await page.screenshot({fullPage:
			    true}));
	} catch (e) {
		failures.push('error: ' + (e && e.stack ? e.stack : e));
	} finally {
		await ctx.close().catch(() => {});
		fs.rmSync(profile, {recursive: true, force: true});
	}
	for (const e of pageErrors)
		failures.push('page error: ' + e);
	summary.failures = failures;
	summary.ms = Date.now() - t0;
	console.log(JSON.stringify(summary, null, 1));
	if (failures.length) {
		for (const f of failures)
			console.error('FAIL: ' + f);
		process.exit(1);
	}
	console.error('dashboard-sites: ok (' + summary.ms + ' ms)');
	process.exit(0);
}

main().catch((e) => {
	console.error('dashboard-sites: ' + (e && e.stack ? e.stack : e));
	process.exit(2);
});
