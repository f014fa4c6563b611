import { InvalidClient, InvalidRequest } from '../../protocol/errors.ts'
import type { Check } from './authorization_request.ts'

/** The client must exist; until it does, errors go to the error page, never to a redirect URI. */
export const checkClientId: Check = async (r) => {
  const id = r.params.get('client_id')
  // RFC 6749 §4.1.1: client_id is REQUIRED.
  if (!id) throw InvalidRequest.with({ hint: 'The request is missing the "client_id" parameter.' })
  const record = await r.ctx.clients.get(id)
  if (!record) throw InvalidClient.with({ hint: 'The requested OAuth 2.0 Client does not exist.' })
  r.client = record.client
}
