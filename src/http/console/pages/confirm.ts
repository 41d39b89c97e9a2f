// Confirmation steps for the console's actions: a form with a required checkbox, no script.
import type { CertRecord, RevocationReason } from '../../../store/types.js';
import type { LiveSession } from '../deps.js';
import { type Html, html } from '../html.js';
import { type Viewer, certHref, csrfField, memberHref, page, timeEl } from '../layout.js';
import { day, revocationWords } from '../reason-text.js';

/** The RFC 5280 reasons a helpdesk may choose (CA-level and hold reasons are not theirs to use). */
export const CONSOLE_REVOCATION_REASONS: readonly RevocationReason[] = [
  'keyCompromise',
  'affiliationChanged',
  'superseded',
  'cessationOfOperation',
  'privilegeWithdrawn',
  'unspecified',
];

export function revokeConfirmPage(r: CertRecord, viewer: Viewer, error?: string, chosen?: string): Html {
  return page(
    'Revoke certificate',
    viewer,
    html`<h1>Revoke certificate <span class="mono">${r.serial}</span>?</h1>
<p class="sub">of <a href="${memberHref(r.member)}">${r.member}</a> · ${r.status} · issued ${day(r.notBefore)}, expires ${day(r.notAfter)}</p>
<section class="card">
<p>After this, <strong>every login with this certificate is refused at once</strong>, on every device that has it. It cannot be undone: the member will need a new certificate.</p>
${error && html`<p class="error" role="alert">${error}</p>`}
<form class="stack" method="post" action="${certHref(r.serial)}/revoke">
${csrfField(viewer)}
<input type="hidden" name="issuer" value="${r.issuer}">
<label for="reason">Reason (RFC 5280)</label>
<select id="reason" name="reason" required>
<option value="">Choose a reason…</option>
${CONSOLE_REVOCATION_REASONS.map((x) => html`<option value="${x}"${x === chosen ? html` selected` : ''}>${x}: ${revocationWords(x)}</option>`)}
</select>
<label class="check"><input type="checkbox" name="confirm" value="yes" required> <span>I have checked that certificate <span class="mono">${r.serial}</span> of ${r.member} is the one to revoke.</span></label>
<div class="actions"><button class="danger" type="submit">Revoke certificate</button><a href="${certHref(r.serial)}">Cancel</a></div>
</form>
</section>`,
  );
}

export function disconnectConfirmPage(s: LiveSession, viewer: Viewer, error?: string): Html {
  return page(
    'Disconnect session',
    viewer,
    html`<h1>Disconnect ${s.member}?</h1>
<p class="sub">Session since ${timeEl(s.startedAt.toISOString())} on ${s.client} (${s.nas})${s.callingStationId && html`, device ${s.callingStationId}`}</p>
<section class="card">
<p>The access point is asked to end this session (RFC 5176 Disconnect). The device may log in again at once unless its certificate is revoked.</p>
${error && html`<p class="error" role="alert">${error}</p>`}
<form class="stack" method="post" action="/console/sessions/${encodeURIComponent(s.id)}/disconnect">
${csrfField(viewer)}
<input type="hidden" name="member" value="${s.member}">
<label class="check"><input type="checkbox" name="confirm" value="yes" required> <span>I want to disconnect this session of ${s.member}.</span></label>
<div class="actions"><button class="danger" type="submit">Disconnect</button><a href="${memberHref(s.member)}">Cancel</a></div>
</form>
</section>`,
  );
}
