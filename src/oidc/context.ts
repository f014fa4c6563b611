import type { OAuth2Context } from '../oauth2/context.ts'
import type { BackchannelLogout } from './logout/backchannel.ts'

/** What OpenID Connect (ID tokens, userinfo, discovery, logout notifications) needs of an app. */
export interface OidcContext extends OAuth2Context {
  /** OIDC Back-Channel Logout: notifies the clients of ended login sessions in the background. */
  readonly backchannel: BackchannelLogout
}
