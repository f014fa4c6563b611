/** Stable codes of plugin loading failures (jose-style), for operators and tests. */
export type PluginErrorCode = 'ERR_PLUGIN_INVALID' | 'ERR_PLUGIN_OPTIONS' | 'ERR_PLUGIN_SETUP'

/** Stops startup: every problem names the config path (`plugins.N`) and, when known, the plugin. */
export class PluginError extends Error {
  readonly code: PluginErrorCode
  readonly problems: string[]
  constructor(code: PluginErrorCode, problems: string[]) {
    super(`cannot load plugins:\n${problems.map((p) => `  - ${p}`).join('\n')}`)
    this.name = 'PluginError'
    this.code = code
    this.problems = problems
  }
}
