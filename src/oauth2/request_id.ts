/**
 * A new request id (the grant a family of tokens belongs to): a UUIDv7, so that ids issued one after the
 * other sort together and the request_id indexes grow at their right edge instead of at a random page.
 */
export const newRequestId = (): string => Bun.randomUUIDv7()
