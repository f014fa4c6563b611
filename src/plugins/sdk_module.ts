import * as sdk from './api.ts'

let provided = false

/**
 * Makes `import … from 'gatehouse/plugin'` resolve to this build's SDK for plugin files loaded at runtime
 * (the compiled binary has no node_modules). The plugin then shares the core's classes, so an OAuthError it
 * throws is recognised as one.
 */
export function provideSdkModule(): void {
  if (provided) return
  provided = true
  Bun.plugin({
    name: 'gatehouse-plugin-sdk',
    setup(build) {
      build.module('gatehouse/plugin', () => ({ exports: { ...sdk }, loader: 'object' }))
    },
  })
}
