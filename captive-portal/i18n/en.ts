/** The portal's texts in English; same shape as fr.ts (the compiler checks it). */
import { formatBytes, type Messages } from './fr.js';

export const en: Messages = {
  lang: 'en',
  languageName: 'English',
  switchLanguage: 'Français',
  switchLanguageLang: 'fr',
  appName: 'Public Wi-Fi',
  skipToContent: 'Skip to content',
  footerTerms: 'Terms of use',
  footerPrivacy: 'Personal data',
  federationNote: 'One account for every Wi-Fi hotspot of the participating towns.',

  landing: {
    welcome: 'Welcome to the public Wi-Fi',
    intro: 'Sign in with your public Wi-Fi account, valid in every town of the network.',
    noAccount: 'No account yet?',
    createAccount: 'Create an account',
    gatewayMissing: 'You did not come through a hotspot: you can manage your account, but Internet access starts from the Wi-Fi network.',
    loggedOut: 'You are signed out.',
    gatewayRefused: (reply: string) => `The hotspot refused the connection: ${reply}`,
    gatewayRefusedNoReason: 'The hotspot refused the connection. Please try again.',
  },

  login: {
    title: 'Sign in',
    login: 'Username or e-mail address',
    password: 'Password',
    showPasswordHint: 'At least 10 characters.',
    remember: 'Remember this device',
    rememberHelp: (days: number) =>
      `For ${days} days, this device will connect automatically at every hotspot of the network, without this page. You can forget it at any time from the “Connected” page.`,
    submit: 'Sign in',
    forgot: 'Forgot your password?',
    failed: 'Wrong username or password.',
    locked: (minutes: number) => `Too many attempts. Try again in ${minutes} min.`,
    disabled: 'This account is disabled. Please contact the town hall.',
    verified: 'Your address is confirmed. Sign in to reach the Internet.',
    passwordReset: 'Your password is changed. Sign in with the new one.',
  },

  register: {
    title: 'Create an account',
    intro: 'A free account, valid in every town of the network. We will e-mail you a code to confirm your address.',
    email: 'E-mail address',
    username: 'Username',
    usernameHint: '3 to 64 characters: lower-case letters, digits, dot, dash or underscore.',
    password: 'Password',
    passwordHint: 'At least 10 characters, not your username or e-mail address. An easy-to-remember phrase works well.',
    terms: 'I accept the',
    termsLink: 'terms of use',
    termsAnd: 'and have read the',
    privacyLink: 'personal data notice',
    submit: 'Create my account',
    haveAccount: 'Already have an account?',
    errors: {
      email: 'Enter a valid e-mail address.',
      username: 'Invalid username: 3 to 64 characters, lower-case letters, digits, dot, dash or underscore, not looking like a MAC address.',
      usernameTaken: 'This username is taken. Please choose another one.',
      passwordShort: 'The password must have at least 10 characters.',
      passwordLong: 'The password must have at most 256 characters.',
      passwordSame: 'The password must not be your username or e-mail address.',
      terms: 'You must accept the terms of use.',
    },
    errorSummary: 'The form has errors:',
  },

  verify: {
    title: 'Confirm your address',
    sentTo: (to: string) => `We sent a 6-digit code to ${to}. It is valid for 15 minutes.`,
    sentToAccount: 'If an account matches, we sent a 6-digit code to its e-mail address. It is valid for 15 minutes.',
    code: '6-digit code',
    submit: 'Confirm',
    resend: 'Send a new code',
    resent: 'A new code has been sent.',
    invalid: 'This code is wrong or has expired.',
    burnt: 'Too many wrong codes: ask for a new code.',
    cooldown: (seconds: number) => `A code was just sent. You can ask for another one in ${seconds} s.`,
    dailyCap: 'Too many codes sent today. Please try again tomorrow.',
    noFlow: 'This step has expired. Please start again.',
    checkSpam: 'Check your spam folder too.',
  },

  forgot: {
    title: 'Forgot your password',
    intro: 'Enter your username or e-mail address: we will send a code to choose a new password.',
    login: 'Username or e-mail address',
    submit: 'Send me a code',
  },

  reset: {
    title: 'New password',
    code: '6-digit code from the e-mail',
    password: 'New password',
    submit: 'Change the password',
  },

  status: {
    title: 'Connected',
    signedInAs: (user: string) => `You are signed in as ${user}.`,
    online: 'Your device has Internet access.',
    timeLeft: 'Time left',
    dataLeft: 'Data left',
    unlimited: 'unlimited',
    noLiveSession: 'No active connection yet. If you have just signed in, it will show up within a minute.',
    continue: 'Continue to the page you asked for',
    devices: 'Remembered devices',
    devicesHelp: 'These devices connect automatically at the network’s hotspots.',
    noDevices: 'No remembered device.',
    rememberedUntil: (date: string) => `remembered until ${date}`,
    forget: 'Forget',
    forgetLabel: (name: string) => `Forget the device ${name}`,
    forgotten: 'The device is forgotten: it will come through this page again.',
    logout: 'Sign out',
    unnamedDevice: 'Device',
  },

  account: {
    dataTitle: 'My data',
    dataHelp: 'Download everything the network keeps about you (account, devices, connection log) as a JSON file.',
    download: 'Download my data',
    deleteHelp: 'Your account and remembered devices will be erased. The connection log is kept for one year, as the law requires.',
    delete: 'Delete my account',
    deleteTitle: 'Delete my account',
    deleteIntro: (user: string) => `You are about to delete the account ${user}. This is final: the username, e-mail address, password and remembered devices will be erased, and your devices will no longer connect automatically.`,
    deleteKeeps:
      'The connection log (dates, device, hotspot, IP addresses, volume) is kept for one year after each connection, under a pseudonym, because the law requires it; it is then erased.',
    deleteDownloadFirst: 'Download your data first if you want to keep it.',
    password: 'Your current password, to confirm',
    confirm: 'Delete my account for good',
    cancel: 'Cancel',
    wrongPassword: 'Wrong password. The account was not deleted.',
    deletedTitle: 'Account deleted',
    deleted: [
      'Your account is deleted: username, e-mail address, password and remembered devices are erased. You may create a new account whenever you like, even with the same username.',
      'What remains, and why: every Internet access provider, public Wi-Fi included, must keep connection data for one year (article L34-1 of the French Code des postes et des communications électroniques, decree no. 2021-1362 of 20 October 2021): dates and times, device MAC address, hotspot, IP addresses and volume exchanged. That data stays under a pseudonym; your username and e-mail address are kept apart, only to answer judicial requests. Everything is erased one year later.',
      'What you browsed was never recorded. If a device is still connected, its current connection ends normally.',
    ],
    home: 'Back to the home page',
  },

  handoff: {
    title: 'Connecting to the network',
    text: 'Last step: confirm to open Internet access.',
    submit: 'Go to the Internet',
  },

  legal: {
    termsTitle: 'Terms of use',
    terms: [
      'This Internet access service is free. The towns of the network provide it, each on its own hotspots.',
      'You agree to use the service lawfully: no illegal downloading, no infringement of others’ rights, no attack on the network or other devices.',
      'Your account is personal. Do not share your password. Each town may limit connection time, speed and volume.',
      'The service comes with no guarantee of availability. Traffic on an open public Wi-Fi network is not encrypted: use https websites.',
      'Use against these terms may lead to the account being suspended.',
    ],
    privacyTitle: 'Personal data',
    privacy: [
      'Controller: the town operating the hotspot, on behalf of the public Wi-Fi network.',
      'Account data: username, e-mail address, password (kept only as an argon2id digest, never in clear), language, devices you chose to remember. Kept for as long as the account exists.',
      'Connection log: start and end date and time, username, device MAC address, hotspot, assigned IP address (and, behind address translation, the public address and ports) and volume exchanged. French law (article L34-1 of the Code des postes et des communications électroniques and decree no. 2021-1362 of 20 October 2021) requires keeping it for one year, only to answer judicial requests; it is then deleted automatically. What you browse is never recorded.',
      'No data is used for commercial purposes or passed on. No advertising tracker is set; this portal uses technical cookies only (language, session, form protection).',
      'Your rights (GDPR, articles 15 to 21): once signed in, the “Connected” page lets you download all your data (access and portability) and delete your account (erasure). Change your password with “Forgot your password?”; for anything else, ask the town hall. The connection log, a legal obligation, cannot be erased before its one-year term: it then stays under a pseudonym, your username and e-mail address being kept apart for judicial requests only.',
      'You may complain to the CNIL (www.cnil.fr).',
    ],
    privacyInactivity: (days: number, notice: number) =>
      `An account unused for ${days} days gets a warning e-mail; without a sign-in within the next ${notice} days, it is deleted as above.`,
    back: 'Back',
  },

  errors: {
    notFoundTitle: 'Page not found',
    notFound: 'This town or page does not exist. Check the address, or reconnect to the Wi-Fi network to come back to the portal.',
    csrfTitle: 'Form expired',
    csrf: 'This form has expired or was not sent from this portal. Reload the page and try again.',
    badGatewayTitle: 'Invalid hotspot parameters',
    badGateway: 'The hotspot sent incomplete or wrong information. Reconnect to the Wi-Fi network; if the problem persists, please tell the town hall.',
    rateLimitedTitle: 'Too many attempts',
    rateLimited: (minutes: number) => `Too many attempts from this connection. Try again in ${minutes} min.`,
    internalTitle: 'Error',
    internal: 'Something went wrong. Please try again in a moment.',
    home: 'Back to the home page',
  },

  mail: {
    verifySubject: (app: string) => `${app}: your confirmation code`,
    verifyText: (code: string, town: string) =>
      `Hello,\n\nYour code to confirm your address on the public Wi-Fi (${town}) is:\n\n    ${code}\n\nIt is valid for 15 minutes. If you did not ask for this code, ignore this message.\n`,
    resetSubject: (app: string) => `${app}: change your password`,
    resetText: (code: string, town: string) =>
      `Hello,\n\nYour code to choose a new public Wi-Fi password (${town}) is:\n\n    ${code}\n\nIt is valid for 15 minutes. If you did not ask for anything, ignore this message: your password stays the same.\n`,
    existsSubject: (app: string) => `${app}: you already have an account`,
    existsText: (town: string) =>
      `Hello,\n\nSomeone (perhaps you) tried to create a public Wi-Fi account (${town}) with this address, which already has an account.\nSign in with your username, or use “Forgot your password?” on the sign-in page.\nIf it was not you, ignore this message.\n`,
  },

  formats: {
    duration: (h: number, m: number) => (h > 0 ? `${h} h ${String(m).padStart(2, '0')} min` : `${m} min`),
    bytes: (n: number) => formatBytes(n, 'en-GB', ['B', 'kB', 'MB', 'GB', 'TB']),
    date: (d: Date) => d.toLocaleDateString('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'Europe/Paris' }),
  },
};
