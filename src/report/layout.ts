// Where reports live on the status branch, relative to the status directory:
//   STATUS.md                      the summary a person reads on the Git host
//   <namespace>/<name>.yaml        one file per Certificate
//   _rejected/<intent path>.yaml   one file per rejected intent file
// A namespace is a DNS label and cannot start with "_", so `_rejected` never
// collides with one.
export const summaryFile = "STATUS.md"
export const rejectedDirectory = "_rejected"

export const certificateFile = (namespace: string, name: string): string => `${namespace}/${name}.yaml`

export const rejectionFile = (intentPath: string): string => `${rejectedDirectory}/${intentPath}.yaml`

export type StatusFile =
  | { readonly _tag: "Summary" }
  | { readonly _tag: "Certificate"; readonly namespace: string; readonly name: string }
  | { readonly _tag: "Rejection"; readonly intentPath: string }
  | { readonly _tag: "Other" }

/** What a file under the status directory is, by its path. */
export const classifyStatusFile = (path: string): StatusFile => {
  if (path === summaryFile) return { _tag: "Summary" }
  if (path.startsWith(`${rejectedDirectory}/`) && path.endsWith(".yaml")) {
    return { _tag: "Rejection", intentPath: path.slice(rejectedDirectory.length + 1, -".yaml".length) }
  }
  const match = /^([^/]+)\/([^/]+)\.yaml$/.exec(path)
  return match?.[1] !== undefined && match[2] !== undefined ? { _tag: "Certificate", namespace: match[1], name: match[2] } : { _tag: "Other" }
}

/** Joins the status directory ("" for the branch root) and a path below it. */
export const underDirectory = (directory: string, path: string): string => (directory === "" ? path : `${directory}/${path}`)
