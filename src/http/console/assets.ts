// The console's only static files, served by certgate itself from /console/static/: no build
// step, no CDN, no web fonts (system fonts only), so the page works on a closed network.

export const CSS = `
:root { --fg: #1d2430; --muted: #5b6573; --line: #dfe3e8; --bg: #f4f6f8; --card: #fff; --accent: #1f5fbf;
  --ok: #17663a; --ok-bg: #e3f3e8; --bad: #a8251b; --bad-bg: #fcebe9; --warn: #7a5200; --warn-bg: #fff3d1; --navy: #16324f; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Noto Sans CJK JP", "DejaVu Sans", sans-serif; color: var(--fg); background: var(--bg); }
a { color: var(--accent); text-decoration: none; }
a:hover { text-decoration: underline; }
header.top { display: flex; align-items: center; gap: 24px; padding: 10px 24px; background: var(--navy); color: #fff; }
.brand { color: #fff; font-weight: 700; font-size: 17px; white-space: nowrap; }
.brand span { font-weight: 400; opacity: .7; }
.brand:hover { text-decoration: none; }
form.search { flex: 1; display: flex; gap: 8px; max-width: 560px; margin: 0; }
form.search input { flex: 1; padding: 7px 10px; border: 0; border-radius: 6px; font: inherit; }
.who { margin-left: auto; font-size: 14px; display: flex; align-items: center; gap: 12px; white-space: nowrap; }
.who form { margin: 0; }
.who button { background: transparent; color: #fff; border: 1px solid rgba(255,255,255,.5); padding: 4px 10px; }
main { max-width: 1120px; margin: 24px auto 48px; padding: 0 24px; }
h1 { font-size: 23px; margin: 0 0 4px; overflow-wrap: anywhere; }
.sub { color: var(--muted); margin: 0 0 20px; }
section.card { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 16px 20px; margin-bottom: 20px; }
section.card h2 { font-size: 16px; margin: 0 0 12px; }
.cols { display: grid; grid-template-columns: 1fr 1fr; gap: 20px; }
.cols > section.card { margin-bottom: 20px; }
@media (max-width: 820px) { .cols { grid-template-columns: 1fr; } header.top { flex-wrap: wrap; } }
table { width: 100%; border-collapse: collapse; font-size: 14px; }
th { text-align: left; font-weight: 600; color: var(--muted); border-bottom: 1px solid var(--line); padding: 6px 8px; white-space: nowrap; }
td { border-bottom: 1px solid #eef0f3; padding: 8px; vertical-align: top; }
tr:last-child td { border-bottom: 0; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td.why { min-width: 260px; }
h1 .mono { font-size: inherit; }
td.when, td.mac { white-space: nowrap; }
table.with-member td.when { white-space: normal; min-width: 8.5em; }
.table-wrap { overflow-x: auto; }
.mono { font-family: ui-monospace, "SFMono-Regular", "DejaVu Sans Mono", Menlo, monospace; font-size: 13px; overflow-wrap: anywhere; }
.muted { color: var(--muted); }
.small { font-size: 12px; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12px; font-weight: 600; white-space: nowrap; }
.badge.valid, .badge.accept { background: var(--ok-bg); color: var(--ok); }
.badge.revoked, .badge.reject { background: var(--bad-bg); color: var(--bad); }
.badge.superseded, .badge.expired { background: #eceff3; color: #4a5361; }
.badge.current { background: #e3ecfa; color: var(--accent); }
.badge.soon { background: var(--warn-bg); color: var(--warn); }
.verdict { border-left: 5px solid; border-radius: 6px; padding: 12px 16px; margin-bottom: 20px; font-size: 16px; background: var(--card); }
.verdict p { margin: 4px 0; }
.verdict.ok { border-color: #2f9e5b; background: var(--ok-bg); }
.verdict.bad { border-color: #d64545; background: var(--bad-bg); }
.verdict.unknown { border-color: #d9a300; background: var(--warn-bg); }
.notice { border-radius: 6px; padding: 10px 14px; margin-bottom: 16px; background: #e3ecfa; border: 1px solid #c3d5f3; }
.error { border-radius: 6px; padding: 10px 14px; margin: 12px 0; background: var(--bad-bg); color: var(--bad); border: 1px solid #f2c4bf; }
.reminder { border-radius: 6px; padding: 10px 14px; margin: 0 0 12px; background: var(--warn-bg); color: var(--warn); border: 1px solid #f0dc9c; }
button, .button { display: inline-block; font: inherit; font-size: 14px; padding: 6px 14px; border-radius: 6px; border: 1px solid #c5ccd6; background: #fff; color: var(--fg); cursor: pointer; }
button.primary { background: var(--accent); border-color: var(--accent); color: #fff; }
button.danger, .button.danger { background: #c0392b; border-color: #c0392b; color: #fff; }
.button.danger:hover { text-decoration: none; }
.button.quiet { padding: 2px 10px; font-size: 13px; }
form.stack label { display: block; font-weight: 600; margin: 14px 0 4px; font-size: 14px; }
form.stack label.check { font-weight: 400; display: flex; gap: 8px; align-items: flex-start; }
form.stack input[type=text], form.stack input[type=password], form.stack select { width: 100%; padding: 8px 10px; border: 1px solid #c5ccd6; border-radius: 6px; font: inherit; background: #fff; }
.actions { margin-top: 18px; display: flex; gap: 12px; align-items: center; }
.login { max-width: 400px; margin: 72px auto; }
.login h1 { margin-bottom: 8px; }
dl.facts { display: grid; grid-template-columns: minmax(60px, max-content) 1fr; gap: 6px 16px; margin: 0; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; overflow-wrap: anywhere; }
.chart { width: 100%; height: auto; display: block; }
.chart .accept { fill: #2f9e5b; }
.chart .reject { fill: #d64545; }
.chart .grid { stroke: #e6e9ee; stroke-width: 1; }
.chart .axis { fill: #6b7480; font-size: 11px; }
.chart .hit { fill: transparent; }
.chart g:hover .hit { fill: #eef2f7; }
.legend { display: flex; gap: 18px; font-size: 13px; color: var(--muted); margin-top: 6px; }
.legend i { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 6px; vertical-align: -1px; }
.legend .accept { background: #2f9e5b; }
.legend .reject { background: #d64545; }
.empty { color: var(--muted); margin: 4px 0; }
`;

export const JS = `// Shows times in the browser's own zone; the server writes UTC, kept in the tooltip.
(function () {
  var pad = function (n) { return String(n).padStart(2, '0'); };
  var zone = function (d) {
    var p = new Intl.DateTimeFormat('en', { timeZoneName: 'short' }).formatToParts(d).find(function (x) { return x.type === 'timeZoneName'; });
    return p ? p.value : '';
  };
  document.querySelectorAll('time[data-local]').forEach(function (t) {
    var d = new Date(t.getAttribute('datetime'));
    if (isNaN(d.getTime())) return;
    t.title = t.textContent;
    t.textContent = d.getFullYear() + '-' + pad(d.getMonth() + 1) + '-' + pad(d.getDate()) + ' ' + pad(d.getHours()) + ':' + pad(d.getMinutes()) + ':' + pad(d.getSeconds()) + ' ' + zone(d);
  });
  // The chart's minute labels and bar titles: "HH:MM UTC" becomes the local "HH:MM zone".
  document.querySelectorAll('[data-minute]').forEach(function (el) {
    var d = new Date(el.getAttribute('data-minute'));
    if (isNaN(d.getTime())) return;
    el.textContent = el.textContent.replace(/^\\d\\d:\\d\\d( UTC)?/, function (_, utc) { return pad(d.getHours()) + ':' + pad(d.getMinutes()) + (utc ? ' ' + zone(d) : ''); });
  });
})();
`;

/** A small shield, so the browser does not ask for /favicon.ico outside the console. */
export const FAVICON = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><path d="M16 2 4 7v8c0 7.5 5.1 13.4 12 15 6.9-1.6 12-7.5 12-15V7z" fill="#16324f"/><path d="m10.5 16 4 4 7-8" fill="none" stroke="#fff" stroke-width="3" stroke-linecap="round" stroke-linejoin="round"/></svg>
`;
