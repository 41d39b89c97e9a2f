import { type Html, type HtmlValue, html } from './html.js';

/** Who is looking: the operator named at login, and the session's CSRF token (null for a bearer). */
export interface Viewer {
  operator: string;
  csrf: string | null;
  /** Bearer-token callers have no session to log out of. */
  viaBearer: boolean;
}

export function page(title: string, viewer: Viewer | null, body: HtmlValue, search = ''): Html {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${title} · certgate helpdesk</title>
<link rel="icon" href="/console/static/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/console/static/console.css">
<script src="/console/static/console.js" defer></script>
</head>
<body>
<header class="top">
<a class="brand" href="/console">certgate <span>helpdesk</span></a>
${viewer && html`<form class="search" method="get" action="/console/search" role="search">
<input type="search" name="q" value="${search}" placeholder="Member e-mail or certificate serial" aria-label="Member e-mail or certificate serial">
<button type="submit">Search</button>
</form>
<div class="who"><span>Signed in as <strong>${viewer.operator}</strong></span>${
    !viewer.viaBearer && html`<form method="post" action="/console/logout">${csrfField(viewer)}<button type="submit">Log out</button></form>`
  }</div>`}
</header>
<main>
${body}
</main>
</body>
</html>
`;
}

export const csrfField = (viewer: Viewer): Html => html`<input type="hidden" name="csrf" value="${viewer.csrf ?? ''}">`;

/** A time the browser shows in its own zone (console.js); UTC without script. */
export function timeEl(iso: string): Html {
  return html`<time datetime="${iso}" data-local>${iso.replace('T', ' ').replace(/\.\d+Z$|Z$/, '')} UTC</time>`;
}

export const memberHref = (member: string): string => `/console/members/${encodeURIComponent(member)}`;
export const certHref = (serial: string): string => `/console/certificates/${encodeURIComponent(serial)}`;
