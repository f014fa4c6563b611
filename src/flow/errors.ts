import { OAuthError } from '../oauth2/errors.ts'

/** OIDC Core §3.1.2.6 login_required. */
export const LoginRequired = new OAuthError('login_required', 400, 'The Authorization Server requires End-User authentication.')

/** OIDC Core §3.1.2.6 consent_required. */
export const ConsentRequired = new OAuthError('consent_required', 400, 'The Authorization Server requires End-User consent.')
