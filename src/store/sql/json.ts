export const toJson = (v: unknown) => JSON.stringify(v)
export const fromJson = <T>(v: unknown): T => (typeof v === 'string' ? JSON.parse(v) : v) as T
export const bool = (v: unknown) => v === true || v === 1 || v === '1' || v === 't'
