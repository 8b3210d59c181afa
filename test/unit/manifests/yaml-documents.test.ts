// YAML streams: documents with their lines, syntax errors located and
// never quoting the source.
import { describe, expect, it } from "vitest"
import { parseYamlFile } from "../../../src/manifests/yaml-documents.ts"
import { file } from "../intents/support.ts"

const stream = `# a comment
apiVersion: cert-manager.io/v1
kind: Certificate
metadata:
  name: web
  labels:
    app.kubernetes.io/name: web
spec:
  dnsNames:
    - a.example.com
    - b.example.com
---
---
# only a comment
---
kind: Issuer
`

describe("parseYamlFile", () => {
  const parsed = parseYamlFile(file("web.yaml", stream))

  it("keeps non-empty documents with their stream index and first line", () => {
    expect(parsed.rejected).toEqual([])
    expect(parsed.documents.map(({ index, line }) => ({ index, line }))).toEqual([
      { index: 0, line: 2 },
      { index: 3, line: 16 },
    ])
    expect(parsed.documents[1]?.value).toEqual({ kind: "Issuer" })
  })

  it.each([
    ["", 2],
    ["kind", 3],
    ["spec", 8],
    ["spec.dnsNames", 9],
    ["spec.dnsNames[1]", 11],
    ['metadata.labels["app.kubernetes.io/name"]', 7],
    // Missing fields are placed at their nearest enclosing field.
    ["spec.issuerRef.name", 8],
    ["spec.dnsNames[7]", 9],
    ["status.conditions[0]", 2],
  ])("finds %s on line %i", (path, line) => {
    expect(parsed.documents[0]?.lineOf(path)).toBe(line)
  })

  it("follows aliases to the node they name", () => {
    const [document] = parseYamlFile(file("a.yaml", "base: &b\n  x: 1\n  y: 2\ncopy: *b\n")).documents
    expect(document?.lineOf("copy.y")).toBe(3)
  })

  it("rejects a document with a syntax error at its line, keeping the others", () => {
    const result = parseYamlFile(file("bad.yaml", "kind: Issuer\n---\nmetadata:\n  name: a: b\n---\nkind: Certificate\n"))
    expect(result.documents.map((document) => document.value)).toEqual([{ kind: "Issuer" }, { kind: "Certificate" }])
    expect(result.rejected).toEqual([
      { file: "bad.yaml", documentIndex: 1, line: 4, rule: "yaml-syntax", message: "Nested mappings are not allowed in compact mappings" },
    ])
  })

  it("reports duplicate keys instead of keeping the last one", () => {
    expect(parseYamlFile(file("dup.yaml", "a: 1\nb: 2\na: 3\n")).rejected).toMatchObject([{ line: 3, rule: "yaml-syntax", message: "Map keys must be unique" }])
  })

  it("never quotes the offending source line", () => {
    const secretLine = "  tls.key: c3VwZXItc2VjcmV0: x"
    const { rejected } = parseYamlFile(file("secret.yaml", `kind: Secret\ndata:\n${secretLine}\n`))
    expect(rejected).toHaveLength(1)
    expect(rejected[0]?.message).not.toContain("c3VwZXItc2VjcmV0")
  })

  it("refuses a file that is not UTF-8", () => {
    const bytes = new Uint8Array([0x6b, 0x3a, 0x20, 0xff, 0xfe, 0x0a])
    expect(parseYamlFile({ path: "bin.yaml", bytes }).rejected).toEqual([{ file: "bin.yaml", rule: "yaml-syntax", message: "is not UTF-8 text" }])
  })

  it("refuses an alias bomb instead of expanding it", () => {
    const bomb = ["a: &a [x, x, x, x, x, x, x, x, x, x]", ...Array.from({ length: 8 }, (_, i) => {
      const previous = i === 0 ? "a" : `l${i - 1}`
      return `l${i}: &l${i} [${Array(10).fill(`*${previous}`).join(", ")}]`
    })].join("\n")
    const result = parseYamlFile(file("bomb.yaml", bomb))
    expect(result.documents).toEqual([])
    expect(result.rejected).toMatchObject([{ rule: "yaml-syntax", line: 1 }])
  })
})
