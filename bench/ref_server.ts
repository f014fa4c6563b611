// Reference: the bare Bun.serve ceiling on this machine. POST reads the form body and answers a small JSON
// document, as a token endpoint does, with none of the work. Prints `ready <port>` once listening.
const server = Bun.serve({
  hostname: '127.0.0.1',
  port: Number(process.env.PORT ?? 0),
  development: false,
  async fetch(request) {
    if (request.method === 'POST') await request.text()
    return new Response('{"access_token":"x","token_type":"bearer","expires_in":3600}', {
      headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
    })
  },
})
console.log(`ready ${server.port}`)
