// Checks on an ACME issuer's DNS-01 solver configuration beyond its schema,
// the ones cert-manager's webhook makes and the ones that would otherwise
// surface only when a Challenge runs: a webhook's groupName and solverName
// are names the API server can route, its config is an object; an RFC 2136
// nameserver is host[:port]; the TSIG algorithm is one certops knows, a key
// name comes with the Secret (name and key) that holds the key and a key
// Secret with its key name; an http01 ingress names at most one of
// ingressClassName, class and name (`class` is a reserved word in CEL, so
// this one cannot be an admission rule).
import type { IssuerSpec } from "../api/issuer.ts"
import { objectNameProblem } from "./dns-names.ts"
import { parseNameserver } from "./nameserver.ts"
import { supportedTsigAlgorithms, tsigAlgorithmNamed } from "./tsig-algorithm.ts"

export interface SolverConfigProblem {
  /** Below the issuer's spec: ["acme", "solvers", 0, "dns01", "webhook", "groupName"]. */
  readonly path: ReadonlyArray<string | number>
  readonly message: string
}

const isObject = (value: unknown) => typeof value === "object" && value !== null && !Array.isArray(value)

export const solverConfigProblems = (spec: IssuerSpec): ReadonlyArray<SolverConfigProblem> =>
  (spec.acme?.solvers ?? []).flatMap((solver, index) => {
    const at = ["acme", "solvers", index, "dns01"] as const
    const problems: Array<SolverConfigProblem> = []
    const webhook = solver.dns01?.webhook
    if (webhook !== undefined) {
      const groupProblem = objectNameProblem(webhook.groupName)
      if (groupProblem !== undefined) problems.push({ path: [...at, "webhook", "groupName"], message: `${groupProblem}: an API group name, as in the solver's APIService` })
      const solverProblem = objectNameProblem(webhook.solverName)
      if (solverProblem !== undefined) problems.push({ path: [...at, "webhook", "solverName"], message: `${solverProblem}: the resource the solver serves` })
      if (webhook.config !== undefined && !isObject(webhook.config)) {
        problems.push({ path: [...at, "webhook", "config"], message: `must be an object (the solver's own settings), not ${Array.isArray(webhook.config) ? "a list" : JSON.stringify(webhook.config)}` })
      }
    }
    const rfc2136 = solver.dns01?.rfc2136
    if (rfc2136 !== undefined) {
      const nameserver = parseNameserver(rfc2136.nameserver)
      if (nameserver._tag === "Failure") problems.push({ path: [...at, "rfc2136", "nameserver"], message: nameserver.failure.detail })
      if (tsigAlgorithmNamed(rfc2136.tsigAlgorithm) === undefined) {
        problems.push({ path: [...at, "rfc2136", "tsigAlgorithm"], message: `"${rfc2136.tsigAlgorithm}" is not a TSIG algorithm certops knows (use one of ${supportedTsigAlgorithms.join(", ")})` })
      }
      const keyName = rfc2136.tsigKeyName ?? ""
      const secret = rfc2136.tsigSecretSecretRef
      if (keyName !== "" && secret === undefined) {
        problems.push({ path: [...at, "rfc2136", "tsigSecretSecretRef"], message: "required when tsigKeyName is set: the Secret that holds the TSIG key" })
      }
      if (keyName !== "" && secret !== undefined && (secret.key ?? "") === "") {
        problems.push({ path: [...at, "rfc2136", "tsigSecretSecretRef", "key"], message: "required when tsigKeyName is set: the key of the Secret that holds the TSIG key" })
      }
      if (keyName === "" && secret !== undefined && (secret.key ?? "") !== "") {
        problems.push({ path: [...at, "rfc2136", "tsigKeyName"], message: "required with tsigSecretSecretRef: the name of the TSIG key the Secret holds" })
      }
    }
    const ingress = solver.http01?.ingress
    const named = ingress === undefined ? [] : (["ingressClassName", "class", "name"] as const).filter((field) => ingress[field] !== undefined && ingress[field] !== "")
    if (named.length > 1) {
      problems.push({
        path: ["acme", "solvers", index, "http01", "ingress"],
        message: `set at most one of ingressClassName, class and name, not ${named.join(" and ")}`,
      })
    }
    return problems
  })
