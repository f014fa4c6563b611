import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium, type BrowserContext } from 'playwright-core'
import { isolatedBinary } from './_binary.ts'
import { killDev, startDev, stopDev, verifyTokens } from '../_harness.ts'

/** Debian's Chromium (`apt-get install -y chromium`; .ci/run installs it). */
const CHROMIUM = '/usr/bin/chromium'
// No background traffic: this machine's closed network refuses it, and it has no business in a test.
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

const missing = !existsSync(CHROMIUM)
const skip = missing && !process.env.CI
if (skip) {
  console.warn(`test/e2e/browser.test.ts skipped: ${CHROMIUM} is missing (apt-get install -y chromium); under CI=true this fails instead`)
}

let dir = ''
let bin = ''
let profile = ''
let context: BrowserContext | undefined

beforeAll(async () => {
  if (skip) return
  ;({ dir, bin } = await isolatedBinary())
}, 120_000)

afterAll(async () => {
  await context?.close()
  killDev()
  for (const path of [dir, profile]) if (path) rmSync(path, { recursive: true, force: true })
})

describe('the development pages in headless Chromium', () => {
  it.skipIf(skip)('signs in, consents and lands on the demo callback with tokens that verify', async () => {
    if (missing) throw new Error(`${CHROMIUM} is missing; .ci/run installs Debian's chromium before the tests`)
    const dev = await startDev([bin, 'serve', 'all', '--dev'], { cwd: dir })
    profile = mkdtempSync(join(tmpdir(), 'gatehouse-chromium-'))
    context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: FLAGS })
    const page = await context.newPage()
    const problems: string[] = []
    page.on('pageerror', (err) => problems.push(err.message))
    page.on('console', (m) => {
      if (m.type() === 'error' && /Content Security Policy|Refused/.test(m.text())) problems.push(m.text())
    })

    await page.goto(dev.authorizeUrl)
    await page.waitForURL(/\/oauth2\/fallbacks\/login\?/)
    // The inline style sheet is allowed by its CSP hash, so the page is styled.
    expect(await page.evaluate('getComputedStyle(document.querySelector("main")).borderTopLeftRadius')).toBe('12px')
    await page.fill('#username', 'ivan')
    await page.click('button[value="accept"]')

    await page.waitForURL(/\/oauth2\/fallbacks\/consent\?/)
    expect(await page.locator('main').textContent()).toContain('Gatehouse demo')
    const scopes = page.locator('input[type="checkbox"][name^="grant_scope."]')
    const boxes = await scopes.all()
    const shown = await Promise.all(boxes.map(async (box) => [await box.getAttribute('value'), await box.isChecked()]))
    expect(shown).toEqual([
      ['openid', true],
      ['offline_access', true],
      ['profile', true],
    ])
    await page.click('button[value="allow"]')

    await page.waitForURL(/\/oauth2\/fallbacks\/callback\?/)
    expect(await page.locator('h1').textContent()).toBe('Signed in as ivan')
    const text = async (id: string) => (await page.locator(`#${id}`).textContent()) ?? ''
    await verifyTokens(dev, { access_token: await text('access_token'), id_token: await text('id_token') }, { sub: 'ivan' })
    expect(await text('refresh_token')).toStartWith('ory_rt_')
    expect(problems).toEqual([])
    expect(await stopDev(dev)).toBe(0)
  }, 120_000)
})
