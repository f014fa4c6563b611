import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { cleanupAfterAll, PROD_ENV, serve, type Served } from './_cli.ts'
import { runCli } from '../_harness.ts'

cleanupAfterAll()

let server: Served
let admin: string
let publicUrl: string

beforeAll(async () => {
  server = serve(['all'], { DSN: 'memory', OAUTH2_HASHERS_PBKDF2_ITERATIONS: '1000', ...PROD_ENV })
  admin = `http://127.0.0.1:${await server.port('admin')}`
  publicUrl = `http://127.0.0.1:${await server.port('public')}`
})

afterAll(async () => {
  server.proc.kill('SIGTERM')
  await server.exited
})

const cli = (args: string[], env: Record<string, string> = {}) => runCli([...args, '--endpoint', admin], env)

describe('jwk commands', () => {
  it('creates, shows and deletes a key set', async () => {
    const created = await cli(['create', 'jwk', 'cli-set', 'key-1', '--alg', 'ES256', '--format', 'json'])
    expect(created.code).toBe(0)
    const [key] = JSON.parse(created.stdout).keys
    expect(key).toMatchObject({ kid: 'key-1', alg: 'ES256', use: 'sig', kty: 'EC' })
    expect(key.d).toBeString()

    await cli(['create', 'jwk', 'cli-set', '--alg', 'ES256', '--use', 'enc'])
    const table = await cli(['get', 'jwk', 'cli-set'])
    expect(table.code).toBe(0)
    expect(table.stdout).toMatch(/^SET ID\s+KEY ID\s+ALGORITHM\s+USE\n/)
    expect(table.stdout).toMatch(/cli-set\s+key-1\s+ES256\s+sig/)
    expect(table.stdout).toMatch(/cli-set\s+[0-9a-f-]{36}\s+ES256\s+enc/)

    const publicOnly = await cli(['get', 'jwk', 'cli-set', '--public', '--format', 'json'])
    const keys = JSON.parse(publicOnly.stdout).keys as Record<string, unknown>[]
    expect(keys).toHaveLength(2)
    for (const k of keys) expect(k.d).toBeUndefined()

    const deleted = await cli(['delete', 'jwk', 'cli-set'])
    expect(deleted.code).toBe(0)
    expect(deleted.stdout).toBe('cli-set\n')
  })

  it('prints the server’s error description and exits 1', async () => {
    const missing = await cli(['get', 'jwk', 'no-such-set'])
    expect(missing.code).toBe(1)
    expect(missing.stderr).toContain('The JSON Web Key Set "no-such-set" does not exist.')
    const badAlg = await cli(['create', 'jwk', 'cli-set-2', '--alg', 'HS999'])
    expect(badAlg.code).toBe(1)
    expect(badAlg.stderr).toContain('"alg" must be one of')
  })

  it('finds the endpoint in ORY_SDK_URL', async () => {
    const r = await runCli(['create', 'jwk', 'env-set', '--alg', 'ES256'], { ORY_SDK_URL: admin })
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/env-set\s+\S+\s+ES256\s+sig/)
  })

  it('reports an unreachable endpoint in one line', async () => {
    const r = await runCli(['get', 'jwk', 'x', '--endpoint', 'http://127.0.0.1:1'])
    expect(r.code).toBe(1)
    expect(r.stderr).toStartWith('gatehouse: cannot reach http://127.0.0.1:1')
    expect(r.stderr.trim().split('\n')).toHaveLength(1)
  })
})

type Json = Record<string, unknown>
const json = (stdout: string) => JSON.parse(stdout) as Json

describe('client commands', () => {
  it('creates a client from flags (repeatable and comma-separated) and shows its generated secret once', async () => {
    const r = await cli([
      'create', 'client',
      '--name', 'cli-demo',
      '--grant-type', 'client_credentials,refresh_token', '--grant-type', 'authorization_code',
      '--response-type', 'code',
      '--scope', 'read write', '--scope', 'offline',
      '--redirect-uri', 'https://app.example/cb',
      '--audience', 'https://api.example',
      '--token-endpoint-auth-method', 'client_secret_post',
      '--owner', 'team-a',
      '--skip-consent',
      '--access-token-strategy', 'jwt',
      '--post-logout-callback', 'https://app.example/bye',
      '--metadata', '{"tier":"gold"}',
      '--format', 'json',
    ])
    expect(r.code).toBe(0)
    const c = json(r.stdout)
    expect(c).toMatchObject({
      client_name: 'cli-demo',
      grant_types: ['client_credentials', 'refresh_token', 'authorization_code'],
      response_types: ['code'],
      scope: 'read write offline',
      redirect_uris: ['https://app.example/cb'],
      audience: ['https://api.example'],
      token_endpoint_auth_method: 'client_secret_post',
      owner: 'team-a',
      skip_consent: true,
      access_token_strategy: 'jwt',
      post_logout_redirect_uris: ['https://app.example/bye'],
      metadata: { tier: 'gold' },
    })
    expect(c.client_secret).toBeString()

    const shown = await cli(['get', 'client', String(c.client_id)])
    expect(shown.stdout).toMatch(new RegExp(`^CLIENT ID\\s+${c.client_id}\n`))
    expect(shown.stdout).toMatch(/GRANT TYPES\s+client_credentials, refresh_token, authorization_code\n/)
    expect(shown.stdout).not.toContain(String(c.client_secret))
  })

  it('lists clients page by page', async () => {
    for (const name of ['page-a', 'page-b']) await cli(['create', 'client', '--name', name, '--owner', 'pager'])
    const first = await cli(['list', 'clients', '--page-size', '1', '--format', 'json'])
    expect(first.code).toBe(0)
    const page = json(first.stdout) as { items: Json[]; next_page_token: string }
    expect(page.items).toHaveLength(1)
    expect(page.next_page_token).toBeString()
    const second = await cli(['list', 'clients', '--page-size', '1', '--page-token', page.next_page_token, '--format', 'json'])
    expect((json(second.stdout).items as Json[])[0]!.client_id).not.toBe(page.items[0]!.client_id)

    const table = await cli(['list', 'clients', '--page-size', '1'])
    expect(table.stdout).toMatch(/^CLIENT ID\s+CLIENT NAME\s+GRANT TYPES/)
    expect(table.stdout).toContain('NEXT PAGE TOKEN')
  })

  it('replaces a client with update and deletes it', async () => {
    const created = json((await cli(['create', 'client', '--name', 'before', '--scope', 'a b', '--format', 'json'])).stdout)
    const id = String(created.client_id)
    const updated = await cli(['update', 'client', id, '--name', 'after', '--grant-type', 'client_credentials', '--format', 'json'])
    expect(updated.code).toBe(0)
    expect(json(updated.stdout)).toMatchObject({ client_id: id, client_name: 'after', grant_types: ['client_credentials'], scope: '' })

    const deleted = await cli(['delete', 'client', id, 'no-such-client'])
    expect(deleted.code).toBe(1)
    expect(deleted.stdout).toBe(`${id}\n`)
    expect(deleted.stderr).toContain('no-such-client: the server answered 404')
    const gone = await cli(['get', 'client', id])
    expect(gone.code).toBe(1)
    expect(gone.stderr).toContain(`Client "${id}" does not exist.`)
  })

  it('rejects --metadata that is not a JSON object', async () => {
    const r = await cli(['create', 'client', '--metadata', '[1'])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('--metadata must be a JSON object')
  })
})

describe('token commands', () => {
  it('gets a token with client credentials, introspects it, revokes it', async () => {
    const c = json(
      (await cli(['create', 'client', '--grant-type', 'client_credentials', '--scope', 'read,write', '--audience', 'api', '--format', 'json'])).stdout,
    )
    const creds = ['--client-id', String(c.client_id), '--client-secret', String(c.client_secret)]
    const got = await runCli(['perform', 'client-credentials', ...creds, '--scope', 'read', '--audience', 'api', '-e', publicUrl, '--format', 'json'])
    expect(got.code).toBe(0)
    const token = json(got.stdout)
    expect(token).toMatchObject({ token_type: 'bearer', scope: 'read' })

    const table = await runCli(['perform', 'client-credentials', ...creds, '-e', publicUrl])
    expect(table.stdout).toMatch(/^ACCESS TOKEN\s+ory_at_\S+\n/)

    const active = await cli(['introspect', 'token', String(token.access_token), '--format', 'json'])
    expect(json(active.stdout)).toMatchObject({ active: true, client_id: c.client_id, scope: 'read', aud: ['api'] })
    const shown = await cli(['introspect', 'token', String(token.access_token)])
    expect(shown.stdout).toMatch(/^ACTIVE\s+true\n/)

    const revoked = await runCli(['revoke', 'token', String(token.access_token), ...creds, '-e', publicUrl])
    expect(revoked.code).toBe(0)
    const after = await cli(['introspect', 'token', String(token.access_token), '--format', 'json'])
    expect(json(after.stdout)).toEqual({ active: false })
  })

  it('prints the token endpoint’s error and exits 1 on bad credentials', async () => {
    const r = await runCli(['perform', 'client-credentials', '--client-id', 'nobody', '--client-secret', 'x', '-e', publicUrl])
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('the server answered 401: Client authentication failed')
  })

  it('requires client credentials', async () => {
    const r = await runCli(['revoke', 'token', 'abc', '-e', publicUrl])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('--client-id and --client-secret are required')
  })
})
