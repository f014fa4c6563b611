import type { Config } from './schema.ts'

const isHttps = (url: string) => url.startsWith('https://')

function parsable(url: string) {
  try {
    new URL(url)
    return true
  } catch {
    return false
  }
}

/** Outside development the system secret is required; each entry has at least 16 characters. */
export function checkSecrets(c: Config): string[] {
  const problems: string[] = []
  if (!c.dev && c.secrets.system.length === 0) problems.push('secrets.system: required outside --dev (SECRETS_SYSTEM)')
  c.secrets.system.forEach((s, i) => {
    if (s.length < 16) problems.push(`secrets.system.${i}: must be at least 16 characters long`)
  })
  c.secrets.cookie.forEach((s, i) => {
    if (s.length < 16) problems.push(`secrets.cookie.${i}: must be at least 16 characters long`)
  })
  return problems
}

/** The issuer is required and https outside development (OIDC Discovery §3, RFC 8414 §2). */
export function checkIssuer(c: Config): string[] {
  const issuer = c.urls.self.issuer
  if (!issuer) return c.dev ? [] : ['urls.self.issuer: required outside --dev (URLS_SELF_ISSUER)']
  if (!parsable(issuer)) return [`urls.self.issuer: not a valid URL: ${issuer}`]
  const u = new URL(issuer)
  const problems: string[] = []
  if (u.search || u.hash) problems.push('urls.self.issuer: must not contain a query or fragment')
  if (!c.dev && !isHttps(issuer)) problems.push('urls.self.issuer: must use https outside --dev')
  return problems
}

export function checkUrls(c: Config): string[] {
  const problems: string[] = []
  for (const key of ['public', 'admin'] as const) {
    const v = c.urls.self[key]
    if (v && !parsable(v)) problems.push(`urls.self.${key}: not a valid URL: ${v}`)
  }
  return problems
}

export function checkPorts(c: Config): string[] {
  const { public: pub, admin } = c.serve
  if (pub.port !== 0 && pub.port === admin.port && pub.host === admin.host) {
    return ['serve.admin.port: must differ from serve.public.port']
  }
  return []
}

export function checkGracePeriod(c: Config): string[] {
  const g = c.oauth2.grant.refresh_token
  if (typeof g.rotation_grace_period !== 'number') return []
  if (g.rotation_grace_period > 5 * 60_000 && g.rotation_grace_reuse_count === 0) {
    return ['oauth2.grant.refresh_token.rotation_grace_period: at most 5m unless rotation_grace_reuse_count is set']
  }
  if (g.rotation_grace_period > 180 * 24 * 3_600_000) {
    return ['oauth2.grant.refresh_token.rotation_grace_period: at most 4320h (180 days)']
  }
  return []
}

export function checkStoreScheme(c: Config): string[] {
  const dsn = c.dsn
  if (dsn === 'memory' || /^(sqlite|postgres|postgresql|cockroach):\/\//.test(dsn)) return []
  const scheme = dsn.includes('://') ? dsn.slice(0, dsn.indexOf('://')) : dsn
  return [`dsn: unsupported scheme "${scheme}" (use memory, sqlite://, postgres://, postgresql:// or cockroach://)`]
}

/** Worker threads open the store each on their own, so it must be a database they all see, not one in memory. */
export function checkWorkers(c: Config): string[] {
  if (c.serve.workers === 1) return []
  if (c.dsn === 'memory' || /^sqlite:\/\/(:memory:)?(\?|$)/.test(c.dsn)) {
    return ['serve.workers: more than one worker needs a database file (sqlite://<path>) or PostgreSQL, not an in-memory store']
  }
  return []
}

/** Device codes must live a while, devices poll at least a second apart, and user codes must stay distinct once folded. */
export function checkDeviceAuthorization(c: Config): string[] {
  const problems: string[] = []
  if (c.ttl.device_user_code <= 0) problems.push('ttl.device_user_code: must be positive')
  if (c.oauth2.device_authorization.token_polling_interval < 1000) {
    problems.push('oauth2.device_authorization.token_polling_interval: must be at least 1s')
  }
  const set = c.oauth2.device_authorization.user_code.character_set
  // User codes compare without regard to case, dashes and spaces (RFC 8628 §6.1), so those must not tell codes apart.
  if (set !== undefined && (/[\s-]/.test(set) || new Set(set.toUpperCase()).size < 8)) {
    problems.push('oauth2.device_authorization.user_code.character_set: needs at least 8 characters that differ without regard to case, and no dash or space')
  }
  return problems
}

const CHECKS = [checkSecrets, checkIssuer, checkUrls, checkPorts, checkGracePeriod, checkStoreScheme, checkWorkers, checkDeviceAuthorization]

/** Rules that span several keys; every problem is reported, not just the first. */
export const crossFieldProblems = (c: Config) =>
  CHECKS.flatMap((check) => {
    try {
      return check(c)
    } catch {
      return [] // the value this rule reads is itself invalid and already reported by the schema
    }
  })
