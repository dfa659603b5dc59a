/**
 * Textes du portail en français (langue par défaut). en.ts suit la même
 * forme : le compilateur refuse une clé manquante.
 */
export const fr = {
  lang: 'fr',
  languageName: 'Français',
  switchLanguage: 'English',
  switchLanguageLang: 'en',
  appName: 'Wi-Fi public',
  skipToContent: 'Aller au contenu',
  footerTerms: 'Conditions d’utilisation',
  footerPrivacy: 'Données personnelles',
  federationNote: 'Un seul compte pour tous les points Wi-Fi des communes participantes.',

  landing: {
    welcome: 'Bienvenue sur le Wi-Fi public',
    intro: 'Connectez-vous avec votre compte Wi-Fi public, valable dans toutes les communes du réseau.',
    noAccount: 'Pas encore de compte ?',
    createAccount: 'Créer un compte',
    gatewayMissing: 'Vous n’êtes pas passé par un point d’accès : vous pouvez gérer votre compte, mais la connexion à Internet se fait depuis le réseau Wi-Fi.',
    loggedOut: 'Vous êtes déconnecté.',
    gatewayRefused: (reply: string) => `Le point d’accès a refusé la connexion : ${reply}`,
    gatewayRefusedNoReason: 'Le point d’accès a refusé la connexion. Réessayez.',
  },

  login: {
    title: 'Connexion',
    login: 'Identifiant ou adresse e-mail',
    password: 'Mot de passe',
    showPasswordHint: 'Au moins 10 caractères.',
    remember: 'Se souvenir de cet appareil',
    rememberHelp: (days: number) =>
      `Pendant ${days} jours, cet appareil se connectera automatiquement à tous les points Wi-Fi du réseau, sans repasser par cette page. Vous pourrez l’oublier à tout moment depuis la page « Connecté ».`,
    submit: 'Se connecter',
    forgot: 'Mot de passe oublié ?',
    failed: 'Identifiant ou mot de passe incorrect.',
    locked: (minutes: number) => `Trop de tentatives. Réessayez dans ${minutes} min.`,
    disabled: 'Ce compte est désactivé. Contactez la mairie.',
    verified: 'Votre adresse est confirmée. Connectez-vous pour accéder à Internet.',
    passwordReset: 'Votre mot de passe est changé. Connectez-vous avec le nouveau.',
  },

  register: {
    title: 'Créer un compte',
    intro: 'Un compte gratuit, valable dans toutes les communes du réseau. Nous vous enverrons un code par e-mail pour confirmer votre adresse.',
    email: 'Adresse e-mail',
    username: 'Identifiant',
    usernameHint: '3 à 64 caractères : lettres minuscules, chiffres, point, tiret ou souligné.',
    password: 'Mot de passe',
    passwordHint: 'Au moins 10 caractères, différent de l’identifiant et de l’adresse e-mail. Une phrase facile à retenir convient très bien.',
    terms: 'J’accepte les',
    termsLink: 'conditions d’utilisation',
    termsAnd: 'et j’ai lu la',
    privacyLink: 'notice sur les données personnelles',
    submit: 'Créer mon compte',
    haveAccount: 'Déjà un compte ?',
    errors: {
      email: 'Saisissez une adresse e-mail valide.',
      username: 'Identifiant invalide : 3 à 64 caractères, lettres minuscules, chiffres, point, tiret ou souligné, sans ressembler à une adresse MAC.',
      usernameTaken: 'Cet identifiant est déjà pris. Choisissez-en un autre.',
      passwordShort: 'Le mot de passe doit faire au moins 10 caractères.',
      passwordLong: 'Le mot de passe doit faire au plus 256 caractères.',
      passwordSame: 'Le mot de passe ne doit pas être l’identifiant ni l’adresse e-mail.',
      terms: 'Vous devez accepter les conditions d’utilisation.',
    },
    errorSummary: 'Le formulaire contient des erreurs :',
  },

  verify: {
    title: 'Confirmez votre adresse',
    sentTo: (to: string) => `Nous avons envoyé un code à 6 chiffres à ${to}. Il est valable 15 minutes.`,
    sentToAccount: 'Si un compte correspond, nous avons envoyé un code à 6 chiffres à son adresse e-mail. Il est valable 15 minutes.',
    code: 'Code à 6 chiffres',
    submit: 'Valider',
    resend: 'Renvoyer un code',
    resent: 'Un nouveau code a été envoyé.',
    invalid: 'Ce code est incorrect ou a expiré.',
    burnt: 'Trop de codes incorrects : demandez un nouveau code.',
    cooldown: (seconds: number) => `Un code vient d’être envoyé. Vous pourrez en demander un autre dans ${seconds} s.`,
    dailyCap: 'Trop de codes envoyés aujourd’hui. Réessayez demain.',
    noFlow: 'Cette étape a expiré. Recommencez.',
    checkSpam: 'Pensez à regarder dans les courriers indésirables.',
  },

  forgot: {
    title: 'Mot de passe oublié',
    intro: 'Saisissez votre identifiant ou votre adresse e-mail : nous enverrons un code pour choisir un nouveau mot de passe.',
    login: 'Identifiant ou adresse e-mail',
    submit: 'Recevoir un code',
  },

  reset: {
    title: 'Nouveau mot de passe',
    code: 'Code à 6 chiffres reçu par e-mail',
    password: 'Nouveau mot de passe',
    submit: 'Changer le mot de passe',
  },

  status: {
    title: 'Connecté',
    signedInAs: (user: string) => `Vous êtes connecté en tant que ${user}.`,
    online: 'Votre appareil a accès à Internet.',
    timeLeft: 'Temps restant',
    dataLeft: 'Données restantes',
    unlimited: 'illimité',
    noLiveSession: 'Aucune connexion active pour l’instant. Si vous venez de vous connecter, elle apparaîtra dans une minute.',
    continue: 'Continuer vers la page demandée',
    devices: 'Appareils mémorisés',
    devicesHelp: 'Ces appareils se connectent automatiquement aux points Wi-Fi du réseau.',
    noDevices: 'Aucun appareil mémorisé.',
    rememberedUntil: (date: string) => `mémorisé jusqu’au ${date}`,
    forget: 'Oublier',
    forgetLabel: (name: string) => `Oublier l’appareil ${name}`,
    forgotten: 'L’appareil est oublié : il repassera par cette page.',
    logout: 'Se déconnecter',
    unnamedDevice: 'Appareil',
  },

  account: {
    dataTitle: 'Mes données',
    dataHelp: 'Téléchargez tout ce que le réseau conserve sur vous (compte, appareils, journal de connexion), dans un fichier JSON.',
    download: 'Télécharger mes données',
    deleteHelp: 'Votre compte et vos appareils mémorisés seront effacés. Le journal de connexion reste conservé un an, comme la loi l’impose.',
    delete: 'Supprimer mon compte',
    deleteTitle: 'Supprimer mon compte',
    deleteIntro: (user: string) => `Vous allez supprimer le compte ${user}. C’est définitif : l’identifiant, l’adresse e-mail, le mot de passe et les appareils mémorisés seront effacés, et vos appareils ne se connecteront plus automatiquement.`,
    deleteKeeps:
      'Le journal de connexion (dates, appareil, point d’accès, adresses IP, volume) reste conservé un an après chaque connexion, rattaché à un pseudonyme, car la loi l’impose ; il est ensuite effacé.',
    deleteDownloadFirst: 'Pensez à télécharger vos données avant, si vous souhaitez les garder.',
    password: 'Votre mot de passe actuel, pour confirmer',
    confirm: 'Supprimer définitivement mon compte',
    cancel: 'Annuler',
    wrongPassword: 'Mot de passe incorrect. Le compte n’a pas été supprimé.',
    deletedTitle: 'Compte supprimé',
    deleted: [
      'Votre compte est supprimé : identifiant, adresse e-mail, mot de passe et appareils mémorisés sont effacés. Vous pouvez créer un nouveau compte quand vous voulez, même avec le même identifiant.',
      'Ce qui reste, et pourquoi : tout fournisseur d’accès à Internet, un Wi-Fi public compris, doit conserver un an les données de connexion (article L34-1 du Code des postes et des communications électroniques, décret n° 2021-1362 du 20 octobre 2021) : dates et heures, adresse MAC de l’appareil, point d’accès, adresses IP et volume échangé. Ces données restent rattachées à un pseudonyme ; votre identifiant et votre adresse e-mail sont gardés à part, uniquement pour répondre à une réquisition judiciaire. Tout est effacé un an après.',
      'Le contenu de votre navigation n’a jamais été enregistré. Si un appareil est encore connecté, sa connexion en cours se termine normalement.',
    ],
    home: 'Retour à l’accueil',
  },

  handoff: {
    title: 'Connexion au réseau',
    text: 'Dernière étape : validez pour ouvrir l’accès à Internet.',
    submit: 'Accéder à Internet',
  },

  legal: {
    termsTitle: 'Conditions d’utilisation',
    terms: [
      'Ce service d’accès à Internet est gratuit. Il est proposé par les communes du réseau, chacune sur ses points d’accès.',
      'Vous vous engagez à utiliser le service conformément à la loi : pas de téléchargement illégal, pas d’atteinte aux droits d’autrui, pas d’attaque contre le réseau ou d’autres appareils.',
      'Votre compte est personnel. Ne communiquez pas votre mot de passe. La durée des connexions, le débit et le volume peuvent être limités par chaque commune.',
      'Le service est fourni sans garantie de disponibilité. Les échanges sur un réseau Wi-Fi public ouvert ne sont pas chiffrés : utilisez des sites en https.',
      'En cas d’usage contraire à ces conditions, le compte peut être suspendu.',
    ],
    privacyTitle: 'Données personnelles',
    privacy: [
      'Responsable du traitement : la commune qui exploite le point d’accès, pour le compte du réseau Wi-Fi public.',
      'Données du compte : identifiant, adresse e-mail, mot de passe (conservé uniquement sous forme d’empreinte argon2id, jamais en clair), langue, appareils que vous avez choisi de mémoriser. Elles sont conservées tant que le compte existe.',
      'Journal de connexion : date et heure de début et de fin, identifiant, adresse MAC de l’appareil, point d’accès, adresse IP attribuée (et, derrière une traduction d’adresses, l’adresse publique et les ports) et volume échangé. La loi (article L34-1 du Code des postes et des communications électroniques et décret n° 2021-1362 du 20 octobre 2021) impose de le conserver un an, pour répondre aux seules réquisitions judiciaires ; il est ensuite supprimé automatiquement. Le contenu de votre navigation n’est jamais enregistré.',
      'Aucune donnée n’est utilisée à des fins commerciales ni cédée. Aucun traceur publicitaire n’est déposé ; ce portail n’utilise que des cookies techniques (langue, session, protection des formulaires).',
      'Vos droits (RGPD, articles 15 à 21) : une fois connecté, la page « Connecté » permet de télécharger toutes vos données (accès et portabilité) et de supprimer votre compte (effacement). Le mot de passe se change par « Mot de passe oublié ? » ; pour le reste, adressez-vous à la mairie. Le journal de connexion, obligation légale, ne peut pas être effacé avant son terme d’un an : il reste alors rattaché à un pseudonyme, votre identifiant et votre adresse e-mail étant gardés à part pour les seules réquisitions judiciaires.',
      'Vous pouvez saisir la CNIL (www.cnil.fr).',
    ],
    privacyInactivity: (days: number, notice: number) =>
      `Un compte inutilisé pendant ${days} jours reçoit un e-mail d’avertissement ; sans connexion dans les ${notice} jours qui suivent, il est supprimé comme ci-dessus.`,
    back: 'Retour',
  },

  errors: {
    notFoundTitle: 'Page introuvable',
    notFound: 'Cette commune ou cette page n’existe pas. Vérifiez l’adresse, ou reconnectez-vous au réseau Wi-Fi pour revenir au portail.',
    csrfTitle: 'Formulaire expiré',
    csrf: 'Ce formulaire a expiré ou n’a pas été envoyé depuis ce portail. Rechargez la page et recommencez.',
    badGatewayTitle: 'Paramètres du point d’accès invalides',
    badGateway: 'Le point d’accès a transmis des informations incomplètes ou incorrectes. Reconnectez-vous au réseau Wi-Fi ; si le problème continue, signalez-le à la mairie.',
    rateLimitedTitle: 'Trop de tentatives',
    rateLimited: (minutes: number) => `Trop de tentatives depuis cette connexion. Réessayez dans ${minutes} min.`,
    internalTitle: 'Erreur',
    internal: 'Une erreur est survenue. Réessayez dans un instant.',
    home: 'Retour à l’accueil',
  },

  mail: {
    verifySubject: (app: string) => `${app} : votre code de confirmation`,
    verifyText: (code: string, town: string) =>
      `Bonjour,\n\nVotre code pour confirmer votre adresse sur le Wi-Fi public (${town}) est :\n\n    ${code}\n\nIl est valable 15 minutes. Si vous n’avez pas demandé ce code, ignorez ce message.\n`,
    resetSubject: (app: string) => `${app} : changer votre mot de passe`,
    resetText: (code: string, town: string) =>
      `Bonjour,\n\nVotre code pour choisir un nouveau mot de passe du Wi-Fi public (${town}) est :\n\n    ${code}\n\nIl est valable 15 minutes. Si vous n’avez rien demandé, ignorez ce message : votre mot de passe reste le même.\n`,
    existsSubject: (app: string) => `${app} : vous avez déjà un compte`,
    existsText: (town: string) =>
      `Bonjour,\n\nQuelqu’un (peut-être vous) a essayé de créer un compte Wi-Fi public (${town}) avec cette adresse, qui a déjà un compte.\nConnectez-vous avec votre identifiant, ou utilisez « Mot de passe oublié ? » sur la page de connexion.\nSi ce n’était pas vous, ignorez ce message.\n`,
  },

  formats: {
    duration: (h: number, m: number) => (h > 0 ? `${h} h ${String(m).padStart(2, '0')} min` : `${m} min`),
    bytes: (n: number) => formatBytes(n, 'fr-FR', ['o', 'ko', 'Mo', 'Go', 'To']),
    date: (d: Date) => d.toLocaleDateString('fr-FR', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'Europe/Paris' }),
  },
};

export type Messages = typeof fr;

export function formatBytes(n: number, locale: string, units: readonly string[]): string {
  let v = n;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${v.toLocaleString(locale, { maximumFractionDigits: i === 0 ? 0 : 1 })} ${units[i]}`;
}
