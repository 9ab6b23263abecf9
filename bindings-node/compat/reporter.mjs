// A node:test reporter writing one JSON line per finished test (suites left out): its file, the
// names from the outermost suite down, whether it passed and, when not, the first line of why.
// node:test emits `test:start`, `test:pass` and `test:fail` in definition order, so a stack of
// started names by nesting level gives each test its full path.
export default async function* jsonLines(source) {
  const names = []
  for await (const { type, data } of source) {
    if (type === 'test:start') {
      names.length = data.nesting
      names.push(data.name)
      continue
    }
    if (type !== 'test:pass' && type !== 'test:fail') continue
    if (data.details && data.details.type === 'suite') continue
    const error = type === 'test:fail' ? data.details && data.details.error : undefined
    const cause = error && (error.cause || error)
    const path = [...names.slice(0, data.nesting), data.name]
    yield `${JSON.stringify({
      path: path.join(' › '),
      pass: type === 'test:pass',
      error: cause ? String(cause.message || cause).split('\n')[0].slice(0, 240) : undefined,
    })}\n`
  }
}
