/**
 * The portal's pages. Each returns the whole document; forms post to the
 * portal with the CSRF token and the sealed gateway parameters. Errors are
 * tied to their fields (aria-invalid, aria-describedby) and summarised in an
 * alert at the top; the first field in error gets the focus.
 */
import type { FieldErrorKey, FieldErrors } from '../accounts.js';
import { html, raw, type Html } from './html.js';
import { formState, layout, link, type ViewContext } from './layout.js';

export interface Notice {
  readonly kind: 'notice' | 'alert';
  readonly text: string;
}

function notice(n: Notice | null | undefined): Html | string {
  if (!n) return '';
  return n.kind === 'alert' ? html`<p class="alert" role="alert">${n.text}</p>` : html`<p class="notice" role="status">${n.text}</p>`;
}

function fieldError(v: ViewContext, id: string, key: FieldErrorKey | undefined): Html | string {
  return key ? html`<span class="field-error" id="${id}-error">${v.t.register.errors[key]}</span>` : '';
}

/** aria attributes for a field with an optional hint and error. */
function described(id: string, hint: boolean, error: boolean, focus: boolean): Html {
  const ids = [hint ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean).join(' ');
  return raw(`${ids ? ` aria-describedby="${ids}"` : ''}${error ? ' aria-invalid="true"' : ''}${focus ? ' autofocus' : ''}`);
}

export interface LoginFormOptions {
  readonly login?: string;
  readonly notice?: Notice | null;
  /** Days a remembered device lasts; null hides the option (no signed gateway parameters). */
  readonly rememberDays: number | null;
}

function loginForm(v: ViewContext, o: LoginFormOptions): Html {
  const t = v.t.login;
  const failed = o.notice?.kind === 'alert';
  return html`<form method="post" action="${v.base}/login" novalidate>
${formState(v)}
<label for="login">${t.login}</label>
<input type="text" id="login" name="login" value="${o.login ?? ''}" autocomplete="username" autocapitalize="none" spellcheck="false" required${described('login', false, false, failed)}>
<label for="password">${t.password}</label>
<input type="password" id="password" name="password" autocomplete="current-password" required>
${
  o.rememberDays !== null
    ? html`<label class="check" for="remember"><input type="checkbox" id="remember" name="remember" value="1" aria-describedby="remember-hint"><span>${t.remember}<span class="hint" id="remember-hint">${t.rememberHelp(o.rememberDays)}</span></span></label>`
    : ''
}
<button type="submit">${t.submit}</button>
</form>`;
}

export function landingPage(v: ViewContext, o: LoginFormOptions & { readonly gatewayMissing: boolean }): Html {
  const t = v.t;
  return layout(
    v,
    t.login.title,
    html`<h1>${t.landing.welcome}</h1>
<p>${t.landing.intro}</p>
${notice(o.notice)}
${o.gatewayMissing ? html`<p class="notice">${t.landing.gatewayMissing}</p>` : ''}
${loginForm(v, o)}
<div class="links">
<p><a href="${link(v, '/forgot')}">${t.login.forgot}</a></p>
<p>${t.landing.noAccount} <a href="${link(v, '/register')}">${t.landing.createAccount}</a></p>
</div>`,
  );
}

export function loginPage(v: ViewContext, o: LoginFormOptions): Html {
  const t = v.t;
  return layout(
    v,
    t.login.title,
    html`<h1>${t.login.title}</h1>
${notice(o.notice)}
${loginForm(v, o)}
<div class="links">
<p><a href="${link(v, '/forgot')}">${t.login.forgot}</a></p>
<p>${t.landing.noAccount} <a href="${link(v, '/register')}">${t.landing.createAccount}</a></p>
</div>`,
  );
}

export interface RegisterValues {
  readonly email: string;
  readonly username: string;
  readonly terms: boolean;
}

export function registerPage(v: ViewContext, values: RegisterValues, errors: FieldErrors, top: Notice | null = null): Html {
  const t = v.t.register;
  const order = ['email', 'username', 'password', 'terms'] as const;
  const first = order.find((f) => errors[f]);
  const summary = first
    ? html`<div class="alert" role="alert"><p>${t.errorSummary}</p><ul>${order
        .filter((f) => errors[f])
        .map((f) => html`<li><a href="#${f}">${t.errors[errors[f]!]}</a></li>`)}</ul></div>`
    : '';
  return layout(
    v,
    t.title,
    html`<h1>${t.title}</h1>
<p>${t.intro}</p>
${notice(top)}
${summary}
<form method="post" action="${v.base}/register" novalidate>
${formState(v)}
<label for="email">${t.email}</label>
${fieldError(v, 'email', errors.email)}
<input type="email" id="email" name="email" value="${values.email}" autocomplete="email" autocapitalize="none" spellcheck="false" required${described('email', false, !!errors.email, first === 'email')}>
<label for="username">${t.username}<span class="hint" id="username-hint">${t.usernameHint}</span></label>
${fieldError(v, 'username', errors.username)}
<input type="text" id="username" name="username" value="${values.username}" autocomplete="username" autocapitalize="none" spellcheck="false" required${described('username', true, !!errors.username, first === 'username')}>
<label for="password">${t.password}<span class="hint" id="password-hint">${t.passwordHint}</span></label>
${fieldError(v, 'password', errors.password)}
<input type="password" id="password" name="password" autocomplete="new-password" minlength="10" required${described('password', true, !!errors.password, first === 'password')}>
${fieldError(v, 'terms', errors.terms)}
<label class="check" for="terms"><input type="checkbox" id="terms" name="terms" value="1"${values.terms ? raw(' checked') : ''} required${described('terms', false, !!errors.terms, first === 'terms')}><span>${t.terms} <a href="${link(v, '/terms')}">${t.termsLink}</a> ${t.termsAnd} <a href="${link(v, '/privacy')}">${t.privacyLink}</a>.</span></label>
<button type="submit">${t.submit}</button>
</form>
<div class="links"><p>${t.haveAccount} <a href="${link(v, '/login')}">${v.t.login.submit}</a></p></div>`,
  );
}

export function verifyPage(v: ViewContext, o: { to: string | null; notice?: Notice | null; purpose: 'verify-email' | 'reset-password'; passwordError?: FieldErrorKey }): Html {
  const t = v.t;
  const reset = o.purpose === 'reset-password';
  const codeFailed = o.notice?.kind === 'alert' && !o.passwordError;
  return layout(
    v,
    reset ? t.reset.title : t.verify.title,
    html`<h1>${reset ? t.reset.title : t.verify.title}</h1>
<p>${o.to ? t.verify.sentTo(o.to.replace('…', '\u2060…\u2060')) : t.verify.sentToAccount} ${t.verify.checkSpam}</p>
${notice(o.notice)}
<form method="post" action="${v.base}${reset ? '/reset' : '/verify'}" novalidate>
${formState(v)}
<label for="code">${reset ? t.reset.code : t.verify.code}</label>
<input type="text" id="code" name="code" inputmode="numeric" pattern="[0-9]{6}" maxlength="6" autocomplete="one-time-code" required${described('code', false, false, codeFailed || !o.notice)}>
${
  reset
    ? html`<label for="password">${t.reset.password}<span class="hint" id="password-hint">${t.register.passwordHint}</span></label>
${fieldError(v, 'password', o.passwordError)}
<input type="password" id="password" name="password" autocomplete="new-password" minlength="10" required${described('password', true, !!o.passwordError, !!o.passwordError)}>`
    : ''
}
<button type="submit">${reset ? t.reset.submit : t.verify.submit}</button>
</form>
<form method="post" action="${v.base}/resend">
${formState(v)}
<button type="submit" class="secondary">${t.verify.resend}</button>
</form>`,
  );
}

export function forgotPage(v: ViewContext, o: { notice?: Notice | null; login?: string }): Html {
  const t = v.t.forgot;
  return layout(
    v,
    t.title,
    html`<h1>${t.title}</h1>
<p>${t.intro}</p>
${notice(o.notice)}
<form method="post" action="${v.base}/forgot" novalidate>
${formState(v)}
<label for="login">${t.login}</label>
<input type="text" id="login" name="login" value="${o.login ?? ''}" autocomplete="username" autocapitalize="none" spellcheck="false" required autofocus>
<button type="submit">${t.submit}</button>
</form>
<div class="links"><p><a href="${link(v, '/login')}">${v.t.legal.back}</a></p></div>`,
  );
}

export interface StatusView {
  readonly username: string;
  readonly online: boolean;
  readonly timeLeft: string | null;
  readonly dataLeft: string | null;
  readonly userUrl: string | null;
  readonly devices: ReadonlyArray<{ id: string; name: string; until: string }>;
  readonly notice?: Notice | null;
}

export function statusPage(v: ViewContext, s: StatusView): Html {
  const t = v.t.status;
  return layout(
    v,
    t.title,
    html`<h1>${t.title}</h1>
${notice(s.notice)}
<p>${t.signedInAs(s.username)}</p>
${
  s.online
    ? html`<p class="notice">${t.online}</p>
<dl class="facts">
<dt>${t.timeLeft}</dt><dd id="time-left">${s.timeLeft}</dd>
<dt>${t.dataLeft}</dt><dd id="data-left">${s.dataLeft ?? t.unlimited}</dd>
</dl>`
    : html`<p>${t.noLiveSession}</p>`
}
${s.userUrl ? html`<p><a class="button" href="${s.userUrl}">${t.continue}</a></p>` : ''}
<h2>${t.devices}</h2>
<p>${t.devicesHelp}</p>
${
  s.devices.length
    ? html`<ul class="devices">${s.devices.map(
        (d) => html`<li><span>${d.name} <span class="hint">${t.rememberedUntil(d.until)}</span></span>
<form method="post" action="${v.base}/devices/forget">${formState(v)}<input type="hidden" name="device" value="${d.id}"><button type="submit" class="link" aria-label="${t.forgetLabel(d.name)}">${t.forget}</button></form></li>`,
      )}</ul>`
    : html`<p>${t.noDevices}</p>`
}
<h2>${v.t.account.dataTitle}</h2>
<p>${v.t.account.dataHelp}</p>
<form method="get" action="${v.base}/account/data">
${formState(v)}
<button type="submit" class="secondary">${v.t.account.download}</button>
</form>
<p>${v.t.account.deleteHelp}</p>
<p><a href="${link(v, '/account/delete')}">${v.t.account.delete}</a></p>
<form method="post" action="${v.base}/logout">
${formState(v)}
<button type="submit" class="secondary">${t.logout}</button>
</form>`,
  );
}

/** The confirmation step before an erasure: the current password, nothing else. */
export function deleteAccountPage(v: ViewContext, o: { username: string; notice?: Notice | null }): Html {
  const t = v.t.account;
  const failed = o.notice?.kind === 'alert';
  return layout(
    v,
    t.deleteTitle,
    html`<h1>${t.deleteTitle}</h1>
${notice(o.notice)}
<p>${t.deleteIntro(o.username)}</p>
<p>${t.deleteKeeps}</p>
<p>${t.deleteDownloadFirst}</p>
<form method="post" action="${v.base}/account/delete" novalidate>
${formState(v)}
<label for="password">${t.password}</label>
<input type="password" id="password" name="password" autocomplete="current-password" required${described('password', false, false, failed)}>
<button type="submit" class="danger">${t.confirm}</button>
</form>
<div class="links"><p><a href="${link(v, '/status')}">${t.cancel}</a></p></div>`,
  );
}

/** After an erasure: what went, what the law keeps and why. */
export function accountDeletedPage(v: ViewContext): Html {
  const t = v.t.account;
  return layout(
    v,
    t.deletedTitle,
    html`<h1>${t.deletedTitle}</h1>
${t.deleted.map((p) => html`<p>${p}</p>`)}
<p><a href="${link(v, '/')}">${t.home}</a></p>`,
  );
}

/** The last step for gateways that take a form post (generic RADIUS login). */
export function handoffPage(v: ViewContext, action: string, fields: ReadonlyArray<readonly [string, string]>): Html {
  const t = v.t.handoff;
  return layout(
    v,
    t.title,
    html`<h1>${t.title}</h1>
<p>${t.text}</p>
<form method="post" action="${action}" id="handoff">
${fields.map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`)}
<button type="submit" autofocus>${t.submit}</button>
</form>
<script defer src="/handoff.js"></script>`,
  );
}

/** `inactivity`: the privacy notice's erasure of unused accounts, when it is on. */
export function legalPage(v: ViewContext, which: 'terms' | 'privacy', inactivity: { days: number; notice: number } | null = null): Html {
  const t = v.t.legal;
  const title = which === 'terms' ? t.termsTitle : t.privacyTitle;
  const paragraphs = which === 'terms' ? t.terms : inactivity ? [...t.privacy.slice(0, -1), t.privacyInactivity(inactivity.days, inactivity.notice), ...t.privacy.slice(-1)] : t.privacy;
  return layout(
    v,
    title,
    html`<h1>${title}</h1>
${paragraphs.map((p) => html`<p>${p}</p>`)}
<p><a href="${link(v, '/')}">${t.back}</a></p>`,
  );
}

export function errorPage(v: ViewContext, title: string, text: string): Html {
  return layout(
    v,
    title,
    html`<h1>${title}</h1>
<p>${text}</p>
${v.tenant ? html`<p><a href="${link(v, '/')}">${v.t.errors.home}</a></p>` : ''}`,
  );
}
