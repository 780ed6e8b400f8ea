#!/usr/bin/env node
// A real Bluesky PDS for Somevahti's connector tests, on loopback only.
//
// An in-memory PLC directory (@did-plc/server) and a SQLite-backed PDS (@atproto/pds), both
// bound to 127.0.0.1. Nothing here talks to the Bluesky network: no AppView, no crawlers, no
// report service are configured. When both servers listen, one JSON line goes to stdout:
//   {"ready":true,"pds":"http://127.0.0.1:<port>","plc":"http://127.0.0.1:<port>","dataDir":"..."}
//
// Environment (all optional):
//   PDS_PORT, PLC_PORT        ports to listen on (default 2583 and 2582; tests pass free ones)
//   PDS_DATA_DIRECTORY        where the SQLite files and blobs go (default: a new temp dir,
//                             removed again on exit). The PLC forgets everything on exit, so
//                             always start with a fresh directory.
//   EXIT_WHEN_STDIN_CLOSES=1  stop when the parent closes our stdin (tests use it so that a
//                             killed test run never leaves a server behind)
//   any other PDS_* variable  passed on to @atproto/pds unchanged
'use strict'

const crypto = require('node:crypto')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { PlcServer, Database } = require('@did-plc/server')
const { PDS, readEnv, envToCfg, envToSecrets } = require('@atproto/pds')

const HOST = '127.0.0.1'

// Neither server takes a bind address: both call app.listen(port), which means every interface.
function bindToLoopback (app) {
  const listen = app.listen.bind(app)
  app.listen = (port, ...rest) => listen(port, HOST, ...rest)
}

function portFromEnv (name, fallback) {
  const port = Number(process.env[name] || fallback)
  if (!Number.isInteger(port) || port <= 0 || port > 65535) {
    throw new Error(`${name} must be a TCP port number, got ${JSON.stringify(process.env[name])}`)
  }
  return port
}

async function main () {
  const plcPort = portFromEnv('PLC_PORT', 2582)
  const pdsPort = portFromEnv('PDS_PORT', 2583)
  const ownDataDir = !process.env.PDS_DATA_DIRECTORY
  const dataDir = process.env.PDS_DATA_DIRECTORY || fs.mkdtempSync(path.join(os.tmpdir(), 'somevahti-pds-'))
  const blobDir = path.join(dataDir, 'blobs')
  fs.mkdirSync(blobDir, { recursive: true })

  const plc = PlcServer.create({ db: Database.mock(), port: plcPort })
  bindToLoopback(plc.app)
  await plc.start()

  const settings = {
    PDS_HOSTNAME: 'localhost',
    PDS_PORT: String(pdsPort),
    PDS_DATA_DIRECTORY: dataDir,
    PDS_BLOBSTORE_DISK_LOCATION: blobDir,
    PDS_DID_PLC_URL: `http://${HOST}:${plcPort}`,
    PDS_SERVICE_HANDLE_DOMAINS: '.test',
    PDS_INVITE_REQUIRED: 'false',
    PDS_DEV_MODE: 'true',
    // Fresh secrets every run: the data directory is thrown away anyway.
    PDS_JWT_SECRET: crypto.randomBytes(24).toString('hex'),
    PDS_ADMIN_PASSWORD: crypto.randomBytes(12).toString('hex'),
    PDS_PLC_ROTATION_KEY_K256_PRIVATE_KEY_HEX: crypto.randomBytes(32).toString('hex'),
  }
  for (const [name, value] of Object.entries(settings)) {
    if (!process.env[name]) process.env[name] = value
  }
  process.env.LOG_ENABLED = process.env.LOG_ENABLED || 'false'

  const env = readEnv()
  const pds = await PDS.create(envToCfg(env), envToSecrets(env))
  bindToLoopback(pds.app)
  await pds.start()

  let stopping = false
  const stop = async (code) => {
    if (stopping) return
    stopping = true
    try {
      await pds.destroy()
      await plc.destroy()
    } finally {
      if (ownDataDir) fs.rmSync(dataDir, { recursive: true, force: true })
      process.exit(code)
    }
  }
  process.on('SIGTERM', () => stop(0))
  process.on('SIGINT', () => stop(0))
  if (process.env.EXIT_WHEN_STDIN_CLOSES === '1') {
    process.stdin.on('end', () => stop(0))
    process.stdin.on('error', () => stop(0))
    process.stdin.resume()
  }

  process.stdout.write(JSON.stringify({
    ready: true,
    pds: `http://${HOST}:${pdsPort}`,
    plc: `http://${HOST}:${plcPort}`,
    dataDir,
  }) + '\n')
}

main().catch((err) => {
  console.error(err && err.stack ? err.stack : err)
  process.exit(1)
})
