// A stand-in for the user's browser in plugctl's login tests: `$BROWSER` points here, so
// `plugctl login` starts it with the authorization URL. It follows redirects, keeps cookies,
// and submits each page's form (the provider's dev login, consent and device-confirmation
// pages) until the provider redirects to plugctl's loopback listener, or no form is left.
//
// Environment: BROWSER_LOGIN (the user name, default alice), BROWSER_ACTION=deny to cancel the
// sign-in instead of approving it, BROWSER_ACTION=wrong-state or wrong-iss to tamper with the
// redirect to plugctl as an attacker would, BROWSER_LOG (a file to append the visited URLs to).
import fs from 'node:fs';

const start = process.argv[process.argv.length - 1];
const login = process.env.BROWSER_LOGIN || 'alice';
const action = process.env.BROWSER_ACTION || 'approve';
const deny = action === 'deny';
const log = (line) => process.env.BROWSER_LOG && fs.appendFileSync(process.env.BROWSER_LOG, line + '\n');
const cookies = new Map();

function attr(tag, name) {
  const m = tag.match(new RegExp(`${name}="([^"]*)"`, 'i'));
  return m ? m[1].replace(/&amp;/g, '&') : undefined;
}

// The first form of a page: its action, method and fields, with the login filled in.
function firstForm(html, base) {
  const form = html.match(/<form[^>]*>([\s\S]*?)<\/form>/i);
  if (!form) return undefined;
  const open = form[0].match(/<form[^>]*>/i)[0];
  const fields = new URLSearchParams();
  for (const input of form[1].matchAll(/<(input|button)[^>]*>/gi)) {
    const name = attr(input[0], 'name');
    if (!name) continue;
    const type = (attr(input[0], 'type') || '').toLowerCase();
    if (name === 'abort' || (type === 'submit' && fields.has(name))) continue;
    let value = attr(input[0], 'value') ?? '';
    if (name === 'login') value = login;
    if (name === 'password') value = 'any-password';
    fields.set(name, value);
  }
  const action = new URL(attr(open, 'action') || base, base);
  return { action, method: (attr(open, 'method') || 'GET').toUpperCase(), fields };
}

let url = new URL(start);
let method = 'GET';
let body;
for (let step = 0; step < 30; step += 1) {
  if (url.pathname === '/callback' && action === 'wrong-state') url.searchParams.set('state', 'forged');
  if (url.pathname === '/callback' && action === 'wrong-iss') url.searchParams.set('iss', 'http://127.0.0.1:1');
  log(`${method} ${url}`);
  const headers = { cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; ') };
  if (body) headers['content-type'] = 'application/x-www-form-urlencoded';
  const res = await fetch(url, { method, body, headers, redirect: 'manual' });
  // getSetCookie is Node 19.7+; older runtimes join the headers with commas.
  const setCookies = res.headers.getSetCookie
    ? res.headers.getSetCookie()
    : (res.headers.get('set-cookie') || '').split(/,(?=\s*[^;,\s]+=)/).filter(Boolean);
  for (const c of setCookies) {
    const [pair] = c.split(';');
    const i = pair.indexOf('=');
    cookies.set(pair.slice(0, i), pair.slice(i + 1));
  }
  const html = await res.text();
  if (url.pathname === '/callback') process.exit(res.ok ? 0 : 1);
  if (res.status >= 300 && res.status < 400) {
    url = new URL(res.headers.get('location'), url);
    method = 'GET';
    body = undefined;
    continue;
  }
  if (deny) {
    const abort = html.match(/href="([^"]*\/abort)"/i);
    if (abort) {
      url = new URL(abort[1], url);
      method = 'GET';
      body = undefined;
      continue;
    }
  }
  const form = firstForm(html, url);
  if (!form) process.exit(res.ok ? 0 : 1);
  url = form.action;
  method = form.method;
  body = method === 'POST' ? form.fields.toString() : undefined;
  if (method === 'GET') url.search = form.fields.toString();
}
process.exit(2);
