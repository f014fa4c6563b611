/** A JSON object: not null, not an array. */
export const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

/** An object literal (or `Object.create(null)`): no class instance, array or null. */
export const isPlainObject = (v: unknown): v is Record<string, unknown> => {
  if (!isRecord(v)) return false
  const proto = Object.getPrototypeOf(v)
  return proto === Object.prototype || proto === null
}

/**
 * Finds the first object member name that appears twice in the same JSON object, scanning the text once.
 * JSON.parse keeps the last duplicate silently; the admin and protocol APIs refuse such bodies instead.
 */
export function duplicateMemberName(text: string): string | null {
  const stack: (Set<string> | null)[] = []
  let expectKey = false
  for (let i = 0; i < text.length; i++) {
    const c = text[i]
    if (c === '"') {
      let j = i + 1
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1
      const top = stack[stack.length - 1]
      if (expectKey && top) {
        const name = JSON.parse(text.slice(i, j + 1)) as string
        if (top.has(name)) return name
        top.add(name)
        expectKey = false
      }
      i = j
    } else if (c === '{') {
      stack.push(new Set())
      expectKey = true
    } else if (c === '[') {
      stack.push(null)
      expectKey = false
    } else if (c === '}' || c === ']') {
      stack.pop()
      expectKey = false
    } else if (c === ',') {
      expectKey = stack[stack.length - 1] instanceof Set
    }
  }
  return null
}
