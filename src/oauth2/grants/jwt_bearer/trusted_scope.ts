import { InvalidScope } from '../../../protocol/errors.ts'
import type { CoreContext } from '../../../protocol/context.ts'
import type { TrustRow } from '../../../store/types.ts'
import { scopeStrategy } from '../../scope.ts'

/** The scopes an assertion may be exchanged for: those its trust relationships allow (per `strategies.scope`), as Hydra. */
export function checkTrustedScopes(ctx: Pick<CoreContext, 'config'>, trusts: readonly TrustRow[], requested: readonly string[]): void {
  const allows = scopeStrategy(ctx)
  const allowed = trusts.flatMap((t) => t.scope)
  const refused = requested.find((scope) => !allows(allowed, scope))
  if (refused !== undefined) {
    const { issuer, subject } = trusts[0]!
    const whom = subject ? `the subject "${subject}"` : 'any subject'
    throw InvalidScope.with({ hint: `The trust relationship of the issuer "${issuer}" for ${whom} does not allow the scope "${refused}".` })
  }
}
