// The Containerfile, read the way a builder reads it (continuations joined,
// comments dropped, global ARGs substituted into FROM): it cannot be built
// here, so these checks are what stands between a careless edit and an image
// that runs as root, ships npm, or starts the wrong thing.
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { parseAllDocuments } from "yaml"

const root = join(import.meta.dirname, "../../..")

interface Instruction {
  readonly keyword: string
  readonly args: string
}

interface Stage {
  readonly image: string
  readonly name: string | undefined
  readonly instructions: ReadonlyArray<Instruction>
}

/** Instructions in order: `\` continuations joined, comment lines (also inside continuations) dropped. */
const instructionsOf = (text: string): ReadonlyArray<Instruction> => {
  const logical: Array<string> = []
  let current = ""
  for (const line of text.split("\n")) {
    if (/^\s*#/.test(line)) continue
    if (current === "" && line.trim() === "") continue
    if (line.endsWith("\\")) current += `${line.slice(0, -1)} `
    else {
      logical.push(current + line)
      current = ""
    }
  }
  return logical.map((line) => {
    const match = /^\s*(\S+)\s*(.*)$/.exec(line)!
    return { keyword: match[1]!.toUpperCase(), args: match[2]!.trim() }
  })
}

const parseContainerfile = (text: string): { readonly globals: ReadonlyMap<string, string>; readonly stages: ReadonlyArray<Stage> } => {
  const globals = new Map<string, string>()
  const stages: Array<{ image: string; name: string | undefined; instructions: Array<Instruction> }> = []
  for (const instruction of instructionsOf(text)) {
    if (instruction.keyword === "FROM") {
      const [image = "", as, name] = instruction.args.split(/\s+/)
      const resolved = image.replace(/\$\{(\w+)\}|\$(\w+)/g, (_, braced: string | undefined, bare: string | undefined) => globals.get(braced ?? bare ?? "") ?? "")
      stages.push({ image: resolved, name: as?.toUpperCase() === "AS" ? name : undefined, instructions: [] })
    } else if (stages.length === 0) {
      if (instruction.keyword === "ARG") {
        const [key = "", value = ""] = instruction.args.split("=", 2)
        globals.set(key, value)
      }
    } else stages.at(-1)!.instructions.push(instruction)
  }
  return { globals, stages }
}

const containerfile = parseContainerfile(readFileSync(join(root, "Containerfile"), "utf8"))
const final = containerfile.stages.at(-1)!
const inFinal = (keyword: string) => final.instructions.filter((instruction) => instruction.keyword === keyword)

/** The programs a RUN starts: the first word of each simple command (env assignments skipped). */
const programsRun = (run: string): ReadonlyArray<string> => {
  if (run.startsWith("[")) return [(JSON.parse(run) as ReadonlyArray<string>)[0]!.split("/").at(-1)!]
  return run
    .split(/&&|\|\||;|\||\n/)
    .map((command) => command.trim().split(/\s+/).filter((word) => !/^\w+=/.test(word))[0] ?? "")
    .filter((program) => program !== "")
    .map((program) => program.split("/").at(-1)!)
}

const isNode24 = (image: string) => /(^|\/)node:24([.-]|$)/.test(image) || /distroless\/nodejs24/.test(image)

/** `COPY [--flags] <sources…> <destination>` → its flags, sources and destination. */
const copyParts = (args: string) => {
  const words = args.startsWith("[") ? (JSON.parse(args) as Array<string>) : args.split(/\s+/)
  const flags = words.filter((word) => word.startsWith("--"))
  const paths = words.filter((word) => !word.startsWith("--"))
  return { flags, sources: paths.slice(0, -1), destination: paths.at(-1)! }
}

describe("the Containerfile", () => {
  it("is multi-stage, and its final stage runs as a fixed, numeric, non-root user", () => {
    expect(containerfile.stages.length).toBeGreaterThanOrEqual(2)
    const users = inFinal("USER")
    expect(users.length).toBeGreaterThan(0)
    const [user = "", group] = users.at(-1)!.args.split(":")
    // Numeric, so that the kubelet can verify runAsNonRoot without /etc/passwd.
    expect(user).toMatch(/^[0-9]+$/)
    expect(Number(user)).not.toBe(0)
    if (group !== undefined) expect(Number(group)).not.toBe(0)
  })

  it("runs the same user the Deployment asks for", () => {
    const [deployment] = parseAllDocuments(readFileSync(join(root, "deploy/deployment.yaml"), "utf8")).map((document) => document.toJS())
    const uid = Number(inFinal("USER").at(-1)!.args.split(":")[0])
    expect(deployment.spec.template.spec.securityContext.runAsUser).toBe(uid)
  })

  it("installs production dependencies with npm ci --omit=dev in a build stage", () => {
    const builds = containerfile.stages.slice(0, -1).flatMap((stage) => stage.instructions.filter((instruction) => instruction.keyword === "RUN"))
    expect(builds.some(({ args }) => /\bnpm ci\b/.test(args) && /--omit=dev\b/.test(args))).toBe(true)
  })

  it("runs no package manager in the final stage, and brings none in from a Node image", () => {
    const programs = inFinal("RUN").flatMap(({ args }) => programsRun(args))
    for (const manager of ["npm", "npx", "yarn", "yarnpkg", "pnpm", "corepack"]) expect(programs).not.toContain(manager)
    for (const copy of inFinal("COPY")) {
      expect(copy.args).not.toMatch(/\b(npm|npx|corepack|yarn)\b/)
      expect(copy.args).not.toMatch(/\/usr\/local\/(lib\/node_modules|bin)\/?\s/)
    }
  })

  it("runs Node 24: from a Node 24 image, or with the node binary of a Node 24 stage", () => {
    if (isNode24(final.image)) return
    const nodeCopies = inFinal("COPY").map(({ args }) => copyParts(args)).filter(({ destination }) => /\/node$/.test(destination))
    expect(nodeCopies).toHaveLength(1)
    const from = nodeCopies[0]!.flags.find((flag) => flag.startsWith("--from="))?.slice("--from=".length)
    const source = containerfile.stages.find((stage) => stage.name === from)
    expect(isNode24(source?.image ?? ""), `the stage node is copied from (${from}: ${source?.image})`).toBe(true)
  })

  it("starts certops the documented way, from /app", () => {
    expect(inFinal("WORKDIR").at(-1)?.args).toBe("/app")
    // The script itself, so that its first line's V8 flags apply as they do for `npm start`.
    expect(JSON.parse(inFinal("ENTRYPOINT").at(-1)!.args)).toEqual(["/app/bin/certops.js"])
    expect(JSON.parse(inFinal("CMD").at(-1)!.args)).toEqual(["run"])
  })

  it("copies everything certops reads at run time, and only from the build context or the deps stage", () => {
    const copies = inFinal("COPY").map(({ args }) => copyParts(args))
    const destinations = copies.map(({ destination }) => destination.replace(/^\.\//, "").replace(/\/$/, ""))
    // src reads ../../policies and ../../examples/repository relative to itself.
    for (const needed of ["node_modules", "bin", "src", "policies", "examples/repository"]) expect(destinations).toContain(needed)
    expect(copies.some(({ sources }) => sources.includes("package.json"))).toBe(true)
  })

  it("sends every file it copies from the context through .dockerignore", () => {
    const patterns = readFileSync(join(root, ".dockerignore"), "utf8")
      .split("\n")
      .map((line) => line.trim())
      .filter((line) => line !== "" && !line.startsWith("#"))
    const included = patterns.filter((pattern) => pattern.startsWith("!")).map((pattern) => pattern.slice(1).replace(/\/$/, ""))
    const fromContext = containerfile.stages
      .flatMap((stage) => stage.instructions.filter((instruction) => instruction.keyword === "COPY"))
      .map(({ args }) => copyParts(args))
      .filter(({ flags }) => !flags.some((flag) => flag.startsWith("--from=")))
      .flatMap(({ sources }) => sources)
    expect(fromContext.length).toBeGreaterThan(0)
    for (const source of fromContext) {
      expect(included.some((path) => source === path || source.startsWith(`${path}/`)), `${source} re-included in .dockerignore`).toBe(true)
    }
  })

  it("works with a read-only root filesystem: state in a volume, HOME on a writable mount", () => {
    const env = inFinal("ENV").map(({ args }) => args).join(" ")
    expect(env).toMatch(/\bCERTOPS_STATE_DIR=\/var\/lib\/certops\b/)
    expect(env).toMatch(/\bHOME=\/tmp\b/)
    expect(inFinal("VOLUME").map(({ args }) => args).join(" ")).toContain("/var/lib/certops")
  })

  it("carries the OCI labels registries and scanners read", () => {
    const labels = inFinal("LABEL").map(({ args }) => args).join(" ")
    for (const label of ["title", "description", "version", "licenses", "source"]) expect(labels).toContain(`org.opencontainers.image.${label}=`)
  })
})
