// Starts a real Bluesky PDS for the tests that use package pdstest. Every setting comes from the
// PDS_* environment the test passes; the PLC directory is the test's own stand-in.
'use strict'

const { PDS, envToCfg, envToSecrets, readEnv } = require('@atproto/pds')

async function main() {
  const env = readEnv()
  const pds = await PDS.create(envToCfg(env), envToSecrets(env))
  // Listen on loopback only: PDS.start() calls app.listen(port), which takes every interface.
  const listen = pds.app.listen.bind(pds.app)
  pds.app.listen = (port, ...rest) => listen(port, '127.0.0.1', ...rest)
  await pds.start()
  // For a person reading the output; the test polls /xrpc/_health.
  console.log(`pds listening on ${env.port}`)
  let stopping = false
  const stop = async () => {
    if (stopping) return
    stopping = true
    await pds.destroy().catch(() => {})
    process.exit(0)
  }
  process.on('SIGTERM', stop)
  process.on('SIGINT', stop)
  // The test holds stdin open: when it ends, even without a signal, the PDS goes too.
  process.stdin.on('end', stop)
  process.stdin.resume()
}

main().catch((err) => {
  console.error(err)
  process.exit(1)
})
