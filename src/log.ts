export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'panic'
export type LogFormat = 'json' | 'text'

const RANK: Record<LogLevel, number> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60, panic: 60 }

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void
  info(msg: string, fields?: Record<string, unknown>): void
  warn(msg: string, fields?: Record<string, unknown>): void
  error(msg: string, fields?: Record<string, unknown>): void
  child(fields: Record<string, unknown>): Logger
}

export interface LoggerOptions {
  level?: LogLevel
  format?: LogFormat
  write?: (line: string) => void
  base?: Record<string, unknown>
}

/** Fields whose values are never written, whatever the caller passes. */
const REDACTED = /secret|password|token|code|challenge|verifier|assertion|authorization|cookie/i

function redact(fields: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(fields)) out[k] = REDACTED.test(k) && typeof v === 'string' ? '[redacted]' : v
  return out
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const min = RANK[options.level ?? 'info']
  const format = options.format ?? 'json'
  const write = options.write ?? ((line: string) => process.stderr.write(`${line}\n`))
  const base = options.base ?? {}
  const emit = (level: LogLevel, msg: string, fields?: Record<string, unknown>) => {
    if (RANK[level] < min) return
    const entry = { time: new Date().toISOString(), level, msg, ...base, ...(fields ? redact(fields) : {}) }
    if (format === 'json') return write(JSON.stringify(entry))
    const rest = Object.entries(entry)
      .filter(([k]) => k !== 'time' && k !== 'level' && k !== 'msg')
      .map(([k, v]) => `${k}=${typeof v === 'string' ? JSON.stringify(v) : JSON.stringify(v)}`)
      .join(' ')
    write(`time=${entry.time} level=${level} msg=${JSON.stringify(msg)}${rest ? ` ${rest}` : ''}`)
  }
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    child: (fields) => createLogger({ ...options, base: { ...base, ...fields } }),
  }
}

/** A logger that drops everything (tests). */
export const silentLogger: Logger = createLogger({ level: 'panic', write: () => {} })
