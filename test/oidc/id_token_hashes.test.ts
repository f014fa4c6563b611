import { describe, expect, it } from 'bun:test'
import { halfHash } from '../../src/oidc/hash_claim.ts'
import { pairwiseSubject, sectorIdentifier } from '../../src/oidc/pairwise.ts'

describe('ID token hash claims', () => {
  it('computes at_hash and c_hash as in the OpenID Connect Core examples', () => {
    expect(halfHash('jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y', 'RS256')).toBe('77QmUPtjPfzWtF2AnpK9RQ')
    expect(halfHash('Qcb0Orv1zh30vL1MPRsbm-diHiMwcLyZvn1arpZv-Jxf_11jnpEX3Tgfvk', 'RS256')).toBe('LDktKdoQak3Pk0cnXxCltA')
  })

  it('uses the hash of the signing algorithm', () => {
    expect(halfHash('token', 'ES512')).toHaveLength(43)
    expect(halfHash('token', 'ES256')).toHaveLength(22)
  })
})

describe('pairwise subjects', () => {
  it('derives the sector from sector_identifier_uri, else a single redirect host', () => {
    expect(sectorIdentifier({ sector_identifier_uri: 'https://sector.example/ids.json', redirect_uris: [] })).toBe('sector.example')
    expect(sectorIdentifier({ redirect_uris: ['https://a.example/cb', 'https://a.example/cb2'] })).toBe('a.example')
    expect(sectorIdentifier({ redirect_uris: ['https://a.example/cb', 'https://b.example/cb'] })).toBeNull()
  })

  it('gives different subjects per sector and stable ones per sector', () => {
    const a = pairwiseSubject('a.example', 'user-1', 'salt')
    expect(a).toMatch(/^[0-9a-f]{64}$/)
    expect(pairwiseSubject('a.example', 'user-1', 'salt')).toBe(a)
    expect(pairwiseSubject('b.example', 'user-1', 'salt')).not.toBe(a)
  })
})
