#!/usr/bin/env node
/*
 * Drives Debian's Chromium (playwright-core, no downloaded browser) against
 * a running poolboot and checks the web dashboard as an operator sees it.
 *
 *   node dashboard-check.js URL TOKEN OUTPUT.png [--pool P] [--start]
 *        [--expect-repo-bytes] [--timeout SECONDS]
 *
 * 1. loads URL, is asked for the admin token; a wrong token gets the 401
 *    message; the right one shows the dashboard;
 * 2. with --start: clicks "Start upgrade…" on pool P, waits for the dry run
 *    (prechecks and plan) in the confirmation dialog, confirms;
 * 3. waits until P shows a running run, opens and cancels the abort
 *    confirmation (it must name the pool; the run must go on);
 * 4. samples the page every 250 ms until the run ends: the step each host
 *    shows, the pool's "N of M hosts done", the event log;
 * 5. takes the screenshot while the run is in progress (preferably with a
 *    host done and another one installing), writes it to OUTPUT.png;
 * 6. checks: some host was seen in at least two different steps, the pool
 *    progress increased, the event log grew, the run ended "done" on the
 *    page, no JavaScript error. Prints a JSON summary; exit 0 when all
 *    hold, 1 otherwise (2 for a usage or browser start error).
 */
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');

const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

function usage(msg) {
	if (msg)
		console.error('dashboard-check: ' + msg);
	console.error('usage: node dashboard-check.js URL TOKEN OUTPUT.png ' +
	    '[--pool P] [--start] [--expect-repo-bytes] [--timeout S]');
	process.exit(2);
}

function parseArgs(argv) {
	const a = {pool: null, start: false, repo: false, timeout: 90,
	    pos: []};

	for (let i = 0; i < argv.length; i++) {
		const v = argv[i];

		if (v === '--pool')
			a.pool = argv[++i];
		else if (v === '--start')
			a.start = true;
		else if (v === '--expect-repo-bytes')
			a.repo = true;
		else if (v === '--timeout')
			a.timeout = Number(argv[++i]);
		else if (v.startsWith('--'))
			usage('unknown option ' + v);
		else
			a.pos.push(v);
	}
	if (a.pos.length !== 3)
		usage('URL, TOKEN and OUTPUT.png are required');
	if (!(a.timeout > 0))
		usage('bad --timeout');
	[a.url, a.token, a.out] = a.pos;
	return a;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/* What the page shows for pool P (null before its card exists). */
function snapshot(pool) {
	const cards = [...document.querySelectorAll('article.pool')];
	const card = pool ? cards.find((c) => c.dataset.pool === pool) :
	    cards[0];

	if (!card)
		return null;
	const label = card.querySelector('.bar-label');
	const m = label ? /(\d+) of (\d+)/.exec(label.textContent) : null;

	return {
		pool: card.dataset.pool,
		state: card.querySelector('.pool-head .badge').textContent,
		done: m ? Number(m[1]) : null,
		total: m ? Number(m[2]) : null,
		hosts: [...card.querySelectorAll('table tbody tr')].map((tr) => ({
			host: tr.querySelector('th').textContent,
			step: (tr.querySelector('td.step .badge') ||
			    {textContent: ''}).textContent,
			repo: (tr.querySelector('.repo') ||
			    {textContent: ''}).textContent,
			inStep: (tr.querySelector('td.in-step') ||
			    {textContent: ''}).textContent
		})),
		events: document.querySelectorAll('#events li').length,
		conn: document.getElementById('conn-text').textContent
	};
}

async function main() {
	const a = parseArgs(process.argv.slice(2));
	let pw;

	try {
		pw = require('playwright-core');
	} catch (e) {
		console.error('dashboard-check: playwright-core is not installed ' +
		    '(npm install in tests/web): ' + e.message);
		process.exit(2);
	}
	if (!fs.existsSync(CHROMIUM)) {
		console.error('dashboard-check: no ' + CHROMIUM);
		process.exit(2);
	}
	const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'pb-chromium-'));
	const failures = [];
	const pageErrors = [];
	const t0 = Date.now();
	const deadline = t0 + a.timeout * 1000;
	let ctx;

	try {
		ctx = await pw.chromium.launchPersistentContext(profile, {
			executablePath: CHROMIUM,
			headless: true,
			viewport: {width: 1440, height: 960},
			/* a fresh profile (the folder above, which
			 * playwright passes as --user-data-dir) and the
			 * flags without which Chromium's own background
			 * connections get in the way here */
			args: ['--headless', '--no-sandbox', '--disable-gpu',
			    '--disable-quic', '--no-first-run',
			    '--disable-background-networking',
			    '--disable-component-update', '--disable-sync'],
			timeout: 30000
		});
	} catch (e) {
		fs.rmSync(profile, {recursive: true, force: true});
		console.error('dashboard-check: cannot start ' + CHROMIUM + ': ' +
		    e.message);
		process.exit(2);
	}
	const summary = {timeline: [], stepsSeen: {}, screenshot: null};

	try {
		const page = ctx.pages()[0] || await ctx.newPage();

		page.on('pageerror', (e) => pageErrors.push(String(e)));
		page.on('console', (m) => {
			/* the wrong token's 401 is expected, and so is the
			 * 404 of GET /api/v1/audit from a server without the
			 * audit log (the page then hides its panel) */
			if (m.type() === 'error' &&
			    !/status of 401/.test(m.text()) &&
			    !(/status of 404/.test(m.text()) &&
			    /\/api\/v1\/audit\b/.test(m.location().url)))
				pageErrors.push('console: ' + m.text());
		});
		page.setDefaultTimeout(20000);

		/* 1. sign in: a wrong token first */
		await page.goto(a.url, {waitUntil: 'load'});
		await page.getByLabel('Admin token').fill('not-the-token');
		await page.getByRole('button', {name: 'Sign in'}).click();
		const err = page.locator('#login-error');

		await err.waitFor({state: 'visible'});
		const errText = await err.textContent();

		if (!/401/.test(errText))
			failures.push('a wrong token did not give the 401 ' +
			    'message: ' + JSON.stringify(errText));
		await page.getByLabel('Admin token').fill(a.token);
		await page.getByRole('button', {name: 'Sign in'}).click();
		await page.locator('#app').waitFor({state: 'visible'});
		await page.waitForFunction(() =>
		    document.querySelector('article.pool') !== null);
		if (!a.pool)
			a.pool = await page.evaluate(() =>
			    document.querySelector('article.pool').dataset.pool);
		const card = page.locator('article.pool[data-pool="' +
		    a.pool + '"]');

		/* 2. start through the page: dry run first, then confirm */
		if (a.start) {
			await card.getByRole('button', {name: /Start a rolling/})
			    .click();
			const dlg = page.locator('#dialog');

			await dlg.waitFor({state: 'visible'});
			const ok = page.locator('#dialog-ok');

			await page.waitForFunction(() =>
			    !document.getElementById('dialog-ok').disabled ||
			    document.querySelector('#dialog-body .error'),
			    null, {timeout: 30000});
			const title = await page.locator('#dialog-title')
			    .textContent();
			const plan = await dlg.locator('table.plan tbody tr')
			    .count();
			const checks = await dlg.locator('ul.checks li').count();

			summary.dryRun = {title: title, planRows: plan,
			    checks: checks, okText: await ok.textContent()};
			if (!title.includes(a.pool))
				failures.push('the start dialog does not name the ' +
				    'pool: ' + title);
			if (plan < 1 || checks < 1)
				failures.push('the dry run showed no plan or no ' +
				    'checks: ' + JSON.stringify(summary.dryRun));
			if (await ok.isDisabled()) {
				failures.push('the prechecks failed in the dry run: ' +
				    await page.locator('#dialog-body').innerText());
				throw new Error('cannot start the run');
			}
			await ok.click();
			await dlg.waitFor({state: 'hidden'});
		}

		/* 3. the run shows as running; abort asks first and can be
		 * cancelled */
		await page.waitForFunction((p) => {
			const c = [...document.querySelectorAll('article.pool')]
			    .find((x) => x.dataset.pool === p);
			return c && c.dataset.state === 'running';
		}, a.pool, {timeout: 30000});
		summary.runningAfterMs = Date.now() - t0;
		await card.getByRole('button', {name: /Abort the run/}).click();
		await page.locator('#dialog').waitFor({state: 'visible'});
		const atitle = await page.locator('#dialog-title').textContent();

		if (!atitle.includes(a.pool) || !/abort/i.test(atitle))
			failures.push('the abort dialog does not say what it ' +
			    'does: ' + atitle);
		summary.abortDialog = atitle;
		await page.locator('#dialog-cancel').click();
		await page.locator('#dialog').waitFor({state: 'hidden'});

		/* 4-5. follow the run */
		let first = null, last = null, shot = null, shotWhy = null;
		let sawRepoBytes = false;

		while (Date.now() < deadline) {
			const s = await page.evaluate(snapshot, a.pool);

			if (s === null) {
				await sleep(250);
				continue;
			}
			if (first === null)
				first = s;
			last = s;
			const key = s.state + ' ' + s.done + '/' + s.total + ' ' +
			    s.hosts.map((h) => h.host + ':' + h.step).join(' ');

			if (summary.timeline.length === 0 ||
			    summary.timeline[summary.timeline.length - 1].key !==
			    key)
				summary.timeline.push({t: Date.now() - t0, key: key,
				    repo: s.hosts.filter((h) => h.repo)
					.map((h) => h.host + ' ' + h.repo)});
			for (const h of s.hosts) {
				const seen = summary.stepsSeen[h.host] || [];

				if (h.step && !seen.includes(h.step))
					seen.push(h.step);
				summary.stepsSeen[h.host] = seen;
				if (h.step === 'install' && /[1-9]/.test(h.repo))
					sawRepoBytes = true;
			}
			if (s.state === 'running') {
				/* an install under way for a couple of
				 * seconds, with its downloads showing */
				const installing = s.hosts.some((h) =>
				    h.step === 'install' &&
				    /^([2-9]|\d\d+)s|m/.test(h.inStep) &&
				    (!a.repo || /[1-9]/.test(h.repo)));
				const best = s.done >= 1 && installing;

				if (shot === null || (best && shotWhy !== 'best') ||
				    (shotWhy === 'running' && s.done >= 1)) {
					shot = await page.screenshot({fullPage: true});
					shotWhy = best ? 'best' : s.done >= 1 ?
					    'done>=1' : 'running';
					summary.screenshot = {t: Date.now() - t0,
					    why: shotWhy, state: key};
				}
			} else if (s.state !== 'running' && summary.runningAfterMs)
				break;
			await sleep(250);
		}
		summary.final = last;
		summary.first = first;

		/* 6. what an operator must have seen */
		if (last === null || last.state === 'running')
			failures.push('the run was still running on the page ' +
			    'after ' + a.timeout + ' s');
		else if (last.state !== 'done')
			failures.push('the run ended ' + last.state + ', not done');
		const multi = Object.entries(summary.stepsSeen)
		    .filter(([, v]) => v.length >= 2);

		if (multi.length === 0)
			failures.push('no host was seen in two different steps: ' +
			    JSON.stringify(summary.stepsSeen));
		if (!first || !last || !(last.done > first.done))
			failures.push('the pool progress did not increase: ' +
			    (first && first.done) + ' -> ' + (last && last.done));
		if (!first || !last || !(last.events > first.events))
			failures.push('the event log did not grow: ' +
			    (first && first.events) + ' -> ' +
			    (last && last.events));
		if (a.repo && !sawRepoBytes)
			failures.push('no host in step install showed repo bytes');
		if (shot === null)
			failures.push('no screenshot of the run in progress');
		else
			fs.writeFileSync(a.out, shot);
	} catch (e) {
		failures.push('error: ' + (e && e.stack ? e.stack : e));
		try {
			const p = ctx.pages()[0];

			if (p)
				fs.writeFileSync(a.out.replace(/\.png$/, '') +
				    '-error.png', await p.screenshot());
		} catch (e2) {
			/* the failure above is what matters */
		}
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
	console.error('dashboard-check: ok (' + summary.ms + ' ms, screenshot ' +
	    summary.screenshot.why + ' at ' + summary.screenshot.t + ' ms)');
	process.exit(0);
}

main().catch((e) => {
	console.error('dashboard-check: ' + (e && e.stack ? e.stack : e));
	process.exit(2);
});
