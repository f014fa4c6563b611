import { recordFromRow } from '../../clients/record.ts'
import { createClient, deleteClient, replaceClient, type ClientsContext, type ClientWithSecret } from '../../clients/service.ts'
import type { CoreContext } from '../../protocol/context.ts'
import { InvalidClientMetadata, InvalidToken, NotFound, OAuthError } from '../../protocol/errors.ts'
import type { ClientRow } from '../../store/types.ts'
import { challenge } from '../userinfo.ts'
import { isGiven, registrantMetadata } from './client_metadata.ts'
import { mintRegistrationAccessToken, registrationTokenMatches } from './registration_access_token.ts'

/** What dynamic client registration needs: the client service, and where the public API is served. */
export type RegistrationContext = ClientsContext & Pick<CoreContext, 'publicUrl'>

/** RFC 7591 §3.2.1 client information response, with RFC 7592 §3's registration_client_uri. */
export type RegisteredClient = Omit<ClientWithSecret, 'metadata'> & {
  registration_access_token?: string
  registration_client_uri: string
}

/** Off (the default), every registration endpoint answers 404 as Hydra's do. */
export function requireRegistration(ctx: Pick<CoreContext, 'config'>): void {
  if (!ctx.config.oidc.dynamic_client_registration.enabled) {
    throw NotFound.with({ hint: 'Dynamic client registration is not enabled.' })
  }
}

// RFC 7592 §2: a bad registration access token is answered as RFC 6750 §3.1 says; one answer, whatever was wrong.
const refused = () =>
  challenge(InvalidToken.with({ hint: 'The requested OAuth 2.0 client does not exist or you provided incorrect credentials.' }))

const chosenSecret = () => InvalidClientMetadata.with({ hint: 'It is not allowed to choose your own OAuth2 Client secret.' })

/** The row of client `id`, if `token` is its current registration access token. */
async function authorize(ctx: RegistrationContext, id: string, token: string): Promise<ClientRow> {
  const row = await ctx.store.clients.get(id)
  if (!row || !registrationTokenMatches(ctx, token, row.registration_access_token_signature)) throw refused()
  return row
}

/** A client as a registrant sees it: without the operator's metadata, with where to manage it. */
function registered(ctx: RegistrationContext, client: ClientWithSecret, token?: string): RegisteredClient {
  const { metadata: _, ...shown } = client
  return {
    ...shown,
    ...(token !== undefined && { registration_access_token: token }),
    registration_client_uri: `${ctx.publicUrl}/oauth2/register/${encodeURIComponent(client.client_id)}`,
  }
}

/** The client is gone or its token was rotated since it was checked: the request's token no longer counts. */
function refuseIfGone(err: unknown): never {
  if (err instanceof OAuthError && err.error === 'not_found') throw refused()
  throw err
}

/**
 * POST /oauth2/register (RFC 7591 §3.1): a client from the registrant's metadata, made and checked by the client
 * service as on the admin API. The server assigns the id and any secret (RFC 7591 §3.2.1).
 */
export async function registerClient(ctx: RegistrationContext, body: Record<string, unknown>): Promise<RegisteredClient> {
  if (isGiven(body.client_secret)) throw chosenSecret()
  const { client_id: _, ...requested } = body
  const metadata = registrantMetadata(requested, null, ctx.config.oidc.dynamic_client_registration.default_scope)
  const { token, signature } = mintRegistrationAccessToken(ctx)
  return registered(ctx, await createClient(ctx, metadata, { signature }), token)
}

/** GET /oauth2/register/{id} (RFC 7592 §2.1): the client's current metadata; the token is never shown again. */
export async function readRegistration(ctx: RegistrationContext, id: string, token: string): Promise<RegisteredClient> {
  return registered(ctx, recordFromRow(await authorize(ctx, id, token)).client)
}

/**
 * PUT /oauth2/register/{id} (RFC 7592 §2.2): replaces the metadata and rotates the registration access token;
 * the presented one stops working, and of two concurrent updates with it only one succeeds. `readBody` reads
 * the request's JSON once the token is known to be good.
 */
export async function updateRegistration(
  ctx: RegistrationContext,
  id: string,
  token: string,
  readBody: () => Promise<Record<string, unknown>>,
): Promise<RegisteredClient> {
  const row = await authorize(ctx, id, token)
  const current = recordFromRow(row)
  const body = await readBody()
  // RFC 7592 §2.2: a client_secret in the request MUST match the current one; the client cannot choose its own.
  if (isGiven(body.client_secret)) {
    if (typeof body.client_secret !== 'string' || !(await ctx.clients.verifySecret(current, body.client_secret))) throw chosenSecret()
  }
  const { client_secret: _, ...requested } = body
  const metadata = registrantMetadata(requested, current.client, ctx.config.oidc.dynamic_client_registration.default_scope)
  const next = mintRegistrationAccessToken(ctx)
  const write = { signature: next.signature, replaces: row.registration_access_token_signature! }
  const client = await replaceClient(ctx, id, metadata, write).catch(refuseIfGone)
  return registered(ctx, client, next.token)
}

/** DELETE /oauth2/register/{id} (RFC 7592 §2.3): the client and its tokens, as the admin API deletes them. */
export async function deleteRegistration(ctx: RegistrationContext, id: string, token: string): Promise<void> {
  await authorize(ctx, id, token)
  await deleteClient(ctx, id).catch(refuseIfGone)
}
