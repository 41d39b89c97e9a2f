import { type Html, html } from '../html.js';
import { page } from '../layout.js';

export interface LoginForm {
  /** The login form's CSRF nonce (also in the certgate_login cookie). */
  nonce: string;
  /** Where to go after logging in (a console path). */
  next: string;
  operator?: string;
  error?: string;
}

export function loginPage(f: LoginForm): Html {
  return page(
    'Log in',
    null,
    html`<section class="card login">
<h1>Helpdesk console</h1>
<p class="muted">Why can't a member get on the network? Log in with the gateway's admin token.</p>
${f.error && html`<p class="error" role="alert">${f.error}</p>`}
<form class="stack" method="post" action="/console/login">
<input type="hidden" name="login_csrf" value="${f.nonce}">
<input type="hidden" name="next" value="${f.next}">
<label for="operator">Your name</label>
<input type="text" id="operator" name="operator" value="${f.operator ?? ''}" maxlength="64" required autocomplete="name" autofocus>
<label for="token">Admin token</label>
<input type="password" id="token" name="token" required autocomplete="current-password">
<div class="actions"><button class="primary" type="submit">Log in</button></div>
</form>
<p class="small muted">Your name is written in the audit log with every action you take.</p>
</section>`,
  );
}
