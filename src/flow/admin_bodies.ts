import { Type, type Static, type TSchema } from '@sinclair/typebox'
import { Value } from '@sinclair/typebox/value'
import { InvalidRequest } from '../protocol/errors.ts'
import type { Denial } from './state.ts'

// Go decodes JSON null into the zero value, so Hydra's bodies accept null wherever a field is optional.
const Opt = <T extends TSchema>(schema: T) => Type.Optional(Type.Union([schema, Type.Null()]))
const JsonObject = Type.Record(Type.String(), Type.Unknown())
const Seconds = Type.Integer({ minimum: 0, maximum: 10 * 365 * 24 * 3600 })

/** Body of `PUT …/login/accept` (Hydra's acceptOAuth2LoginRequest); unknown fields are refused as Hydra does. */
export const LoginAcceptBody = Type.Object(
  {
    subject: Type.String({ minLength: 1 }),
    remember: Opt(Type.Boolean()),
    remember_for: Opt(Seconds),
    acr: Opt(Type.String()),
    amr: Opt(Type.Array(Type.String())),
    context: Type.Optional(Type.Unknown()),
    extend_session_lifespan: Opt(Type.Boolean()),
    force_subject_identifier: Opt(Type.String()),
    identity_provider_session_id: Opt(Type.String()),
  },
  { additionalProperties: false },
)

/** Body of `PUT …/consent/accept` (Hydra's acceptOAuth2ConsentRequest). */
export const ConsentAcceptBody = Type.Object(
  {
    grant_scope: Opt(Type.Array(Type.String())),
    grant_access_token_audience: Opt(Type.Array(Type.String())),
    remember: Opt(Type.Boolean()),
    remember_for: Opt(Seconds),
    session: Opt(
      Type.Object(
        { access_token: Opt(JsonObject), id_token: Opt(JsonObject) },
        { additionalProperties: false },
      ),
    ),
    context: Type.Optional(Type.Unknown()),
  },
  { additionalProperties: false },
)

/** Body of `PUT …/device/accept` (Hydra's acceptDeviceUserCodeRequest): the user code the user typed. */
export const DeviceAcceptBody = Type.Object({ user_code: Type.String({ minLength: 1, maxLength: 256 }) }, { additionalProperties: false })

/** Body of `PUT …/reject` (Hydra's rejectOAuth2Request). */
export const RejectBody = Type.Object(
  {
    error: Opt(Type.String()),
    error_description: Opt(Type.String()),
    error_hint: Opt(Type.String()),
    error_debug: Opt(Type.String()),
    status_code: Opt(Type.Integer({ minimum: 100, maximum: 599 })),
  },
  { additionalProperties: false },
)

/** Checks a decoded JSON body against a schema; invalid_request naming the first offending field otherwise. */
export function parseBody<T extends TSchema>(schema: T, body: unknown): Static<T> {
  if (Value.Check(schema, body)) return body
  const first = Value.Errors(schema, body).First()
  const where = first?.path ? first.path.slice(1).replaceAll('/', '.') : 'body'
  throw InvalidRequest.with({ hint: `Unable to decode body because: ${where || 'body'}: ${first?.message ?? 'invalid'}.` })
}

// RFC 6749 §4.1.2.1: error and error_description are limited to %x20-21 / %x23-5B / %x5D-7E.
const ERROR_TEXT = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/

/** What the client receives for a rejected login or consent: the reject body, with Hydra's default error name. */
export function denialOf(body: Static<typeof RejectBody>, defaultError: string): Denial {
  const error = body.error || defaultError
  const description = [body.error_description, body.error_hint].filter(Boolean).join(' ')
  if (!ERROR_TEXT.test(error) || !ERROR_TEXT.test(description)) {
    throw InvalidRequest.with({ hint: 'error, error_description and error_hint must be printable ASCII without " or \\.' })
  }
  return { error, error_description: description }
}
