/** A logout request, sealed into the logout challenge (nothing is stored until it is handled). */
export interface LogoutChallengeState {
  id: string
  /** The local subject of the login session. */
  subject: string
  /** The login session to end. */
  sid: string
  /** The end-session URL as requested. */
  request_url: string
  /** True when a client asked with an id_token_hint (RP-initiated), false when the OP's own link did. */
  rp_initiated: boolean
  client_id: string | null
  /** Where the browser goes once logged out (with `state` applied); null: the built-in signed-out page. */
  post_logout_redirect_uri: string | null
  state: string | null
  /** Epoch ms. */
  requested_at: number
  expires_at: number
}

/** An accepted logout challenge, sealed into the logout verifier the browser returns with. */
export interface LogoutVerifierState {
  id: string
  challenge: LogoutChallengeState
}
