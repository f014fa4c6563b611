const WHITESPACE = new Set([' ', '\t', '\n', '\r'])

/**
 * The first member name that occurs twice in one object of a JSON text, or null. JSON.parse silently
 * keeps the last of duplicated members (RFC 8259 §4 leaves them undefined), so admin bodies are checked
 * with this before use. Expects text that JSON.parse already accepted.
 */
export function findDuplicateKey(text: string): string | null {
  const stack: (Set<string> | null)[] = []
  let i = 0
  while (i < text.length) {
    const c = text[i]!
    if (c === '"') {
      let j = i + 1
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1
      const raw = text.slice(i, j + 1)
      i = j + 1
      let k = i
      while (k < text.length && WHITESPACE.has(text[k]!)) k++
      const members = stack[stack.length - 1]
      if (members && text[k] === ':') {
        const key = JSON.parse(raw) as string
        if (members.has(key)) return key
        members.add(key)
      }
      continue
    }
    if (c === '{') stack.push(new Set())
    else if (c === '[') stack.push(null)
    else if (c === '}' || c === ']') stack.pop()
    i++
  }
  return null
}
