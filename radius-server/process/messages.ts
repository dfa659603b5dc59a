/**
 * Reply-Message texts (RFC 2865 §5.18) shown by gateways to the citizen, in
 * the identity's language (French when unknown). Unknown user and wrong
 * password share one text so a message never reveals that an account exists.
 */
import type { Locale } from '../../controller/domain/entities.js';
import type { RejectReason } from './outcomes.js';

const MESSAGES: Readonly<Record<RejectReason, Readonly<Record<Locale, string>>>> = {
  'invalid-credentials': { fr: 'Identifiant ou mot de passe incorrect.', en: 'Wrong username or password.' },
  'no-credentials': { fr: 'Identifiant ou mot de passe manquant.', en: 'Username or password missing.' },
  disabled: { fr: 'Ce compte est désactivé.', en: 'This account is disabled.' },
  unverified: { fr: "Confirmez d'abord votre adresse e-mail avec le code reçu.", en: 'Please confirm your e-mail address with the code you received first.' },
  'locked-out': { fr: 'Trop de tentatives : réessayez dans quelques minutes.', en: 'Too many attempts: try again in a few minutes.' },
  'simultaneous-use': { fr: 'Nombre maximal de connexions simultanées atteint.', en: 'Maximum number of simultaneous connections reached.' },
  'time-quota-exhausted': { fr: "Temps de connexion du jour épuisé : à demain !", en: "Today's connection time is used up: see you tomorrow!" },
  'data-quota-exhausted': { fr: 'Volume de données du jour épuisé.', en: "Today's data allowance is used up." },
  'foreign-realm': { fr: "Ce domaine d'identité n'est pas pris en charge ici.", en: 'This identity realm is not served here.' },
  'chap-needs-token': { fr: 'Connectez-vous depuis le portail.', en: 'Please log in through the portal.' },
  'unknown-device': { fr: "Cet appareil n'est pas mémorisé : connectez-vous depuis le portail.", en: 'This device is not remembered: please log in through the portal.' },
  'unregistered-ap': { fr: "Point d'accès non enregistré.", en: 'Unregistered access point.' },
  'wrong-municipality-token': { fr: 'Jeton de connexion invalide : reconnectez-vous depuis le portail.', en: 'Invalid login token: please log in again through the portal.' },
};

export function rejectMessage(reason: RejectReason, locale: Locale | null): string {
  return MESSAGES[reason][locale ?? 'fr'];
}
