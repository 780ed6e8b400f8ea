#!/usr/bin/env node
// A real Bluesky PDS *with an AppView* for Somevahti's connector tests, on loopback only.
//
// Parts of @atproto/dev-env: an in-memory PLC directory (TestPlc), the AppView (TestBsky: API,
// data plane and a mock bsync, indexing the PDS firehose into PostgreSQL) and a PDS (TestPds)
// that proxies app.bsky.* to that AppView. TestNetwork is not used: it also wants Redis and
// Ozone. Every server is bound to 127.0.0.1; nothing talks to the Bluesky network.
//
// When everything listens, one JSON line goes to stdout:
//   {"ready":true,"pds":"http://127.0.0.1:<port>","appview":"http://127.0.0.1:<port>",
//    "plc":"http://127.0.0.1:<port>","schema":"<postgres schema>","dataDir":"..."}
//
// Environment:
//   APPVIEW_POSTGRES_URL      PostgreSQL database for the AppView's index (required), e.g.
//                             postgresql://postgres@127.0.0.1:5432/somevahti_appview.
//                             The database is created when missing (through the "postgres"
//                             database of the same server).
//   APPVIEW_POSTGRES_SCHEMA   schema for this run, letters and _ only (default: a new random
//                             one). It is created on start and dropped on exit.
//   PDS_PORT, PLC_PORT, APPVIEW_PORT   ports (default: free ones chosen here)
//   PDS_DATA_DIRECTORY        PDS files (default: a new temp dir); always removed on exit
//   EXIT_WHEN_STDIN_CLOSES=1  stop when the parent closes our stdin
'use strict'

const crypto = require('node:crypto')
const dns = require('node:dns')
const fs = require('node:fs')
const http = require('node:http')
const net = require('node:net')
const os = require('node:os')
const path = require('node:path')

const HOST = '127.0.0.1'

// dev-env's services call listen(port) (every interface) and talk to each other through
// "localhost": pin every server to loopback, and resolve localhost to IPv4 first.
const listen = http.Server.prototype.listen
http.Server.prototype.listen = function (...args) {
  if (typeof args[0] === 'number' && (args.length === 1 || typeof args[1] === 'function')) {
    args.splice(1, 0, HOST)
  }
  return listen.apply(this, args)
}
dns.setDefaultResultOrder('ipv4first')
process.env.LOG_ENABLED = process.env.LOG_ENABLED || 'false'

const { Client: PgClient } = require('pg')
const { TestPlc, TestBsky, TestPds, mockNetworkUtilities } = require('@atproto/dev-env')

function freePort () {
  return new Promise((resolve, reject) => {
    const server = net.createServer()
    server.unref()
    server.on('error', reject)
    server.listen(0, HOST, () => {
      const { port } = server.address()
      server.close(() => resolve(port))
    })
  })
}

async function portFromEnv (name) {
  if (!process.env[name]) return freePort()
  const port = Number(process.env[name])
  if (!Number.isInteger(port) || port <= 0 || port > 65535) {
    throw new Error(`${name} must be a TCP port number, got ${JSON.stringify(process.env[name])}`)
  }
  return port
}

function randomSchema () {
  const letters = 'abcdefghijklmnopqrstuvwxyz'
  return 'somevahti_appview_' + Array.from(crypto.randomBytes(12), (b) => letters[b % 26]).join('')
}

// Run `sql` in another database of the same server (CREATE DATABASE cannot run in the target).
async function onServer (url, database, sql) {
  const other = new URL(url)
  other.pathname = '/' + database
  const client = new PgClient({ connectionString: other.toString() })
  await client.connect()
  try {
    return await client.query(sql)
  } finally {
    await client.end()
  }
}

async function ensureDatabase (url) {
  const name = decodeURIComponent(new URL(url).pathname.slice(1))
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
    throw new Error(`APPVIEW_POSTGRES_URL must name a database (letters, digits, _), got ${JSON.stringify(name)}`)
  }
  const found = await onServer(url, 'postgres', { text: 'SELECT 1 FROM pg_database WHERE datname = $1', values: [name] })
  if (found.rowCount) return
  try {
    await onServer(url, 'postgres', `CREATE DATABASE "${name}"`)
  } catch (err) {
    // Another test session may have created it at the same moment.
    if (err.code !== '42P04' && err.code !== '23505') throw err
  }
}

async function dropSchema (url, schema) {
  const client = new PgClient({ connectionString: url })
  await client.connect()
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
  } finally {
    await client.end()
  }
}

async function main () {
  const pgUrl = process.env.APPVIEW_POSTGRES_URL
  if (!pgUrl) throw new Error('APPVIEW_POSTGRES_URL is not set: the AppView keeps its index in PostgreSQL')
  const schema = process.env.APPVIEW_POSTGRES_SCHEMA || randomSchema()
  if (!/^[A-Za-z_]+$/.test(schema)) {
    throw new Error(`APPVIEW_POSTGRES_SCHEMA may hold only letters and _ (no digits), got ${JSON.stringify(schema)}`)
  }
  const dataDir = process.env.PDS_DATA_DIRECTORY || fs.mkdtempSync(path.join(os.tmpdir(), 'somevahti-appview-'))
  fs.mkdirSync(dataDir, { recursive: true })
  // TestPds makes scratch directories under os.tmpdir(): keep them inside dataDir.
  process.env.TMPDIR = dataDir

  const [plcPort, pdsPort, appviewPort] = await Promise.all(
    ['PLC_PORT', 'PDS_PORT', 'APPVIEW_PORT'].map(portFromEnv))
  await ensureDatabase(pgUrl)

  const started = []   // what to close on exit, newest first
  let stopping = false
  const stop = async (code) => {
    if (stopping) return
    stopping = true
    for (const service of started.reverse()) {
      try { await service.close() } catch (err) { console.error(err && err.stack ? err.stack : err) }
    }
    try { await dropSchema(pgUrl, schema) } catch (err) { console.error(`could not drop schema ${schema}: ${err}`) }
    fs.rmSync(dataDir, { recursive: true, force: true })
    process.exit(code)
  }
  process.on('SIGTERM', () => stop(0))
  process.on('SIGINT', () => stop(0))
  if (process.env.EXIT_WHEN_STDIN_CLOSES === '1') {
    process.stdin.on('end', () => stop(0))
    process.stdin.on('error', () => stop(0))
    process.stdin.resume()
  }

  try {
    const plc = await TestPlc.create({ port: plcPort })
    started.push(plc)
    const bsky = await TestBsky.create({
      port: appviewPort,
      plcUrl: plc.url,
      pdsPort,
      repoProvider: `ws://localhost:${pdsPort}`,
      dbPostgresUrl: pgUrl,
      dbPostgresSchema: schema,
    })
    started.push(bsky)
    const blobs = path.join(dataDir, 'blobs')
    fs.mkdirSync(blobs, { recursive: true })
    fs.mkdirSync(path.join(dataDir, 'pds'), { recursive: true })
    const pds = await TestPds.create({
      port: pdsPort,
      didPlcUrl: plc.url,
      bskyAppViewUrl: bsky.url,
      bskyAppViewDid: bsky.ctx.cfg.serverDid,
      dataDirectory: path.join(dataDir, 'pds'),
      blobstoreDiskLocation: blobs,
      inviteRequired: false,
      // Fresh secrets every run instead of dev-env's fixed ones.
      jwtSecret: crypto.randomBytes(24).toString('hex'),
      adminPassword: crypto.randomBytes(12).toString('hex'),
    })
    started.push(pds)
    // .test handles resolve through the PDS, and the PDS's public URL maps to its local one.
    mockNetworkUtilities(pds, bsky)
  } catch (err) {
    console.error(err && err.stack ? err.stack : err)
    await stop(1)
    return
  }

  process.stdout.write(JSON.stringify({
    ready: true,
    pds: `http://${HOST}:${pdsPort}`,
    appview: `http://${HOST}:${appviewPort}`,
    plc: `http://${HOST}:${plcPort}`,
    schema,
    dataDir,
  }) + '\n')
}

main().catch((err) => {
  console.error(err && err.stack ? err.stack : err)
  process.exit(1)
})
