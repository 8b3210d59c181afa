// Left-aligned columns, two spaces apart, as kubectl's tabwriter lays them
// out. Lines end at their last character: no trailing blanks after a short
// or empty last cell.

export const formatColumns = (rows: ReadonlyArray<ReadonlyArray<string>>, indent = ""): ReadonlyArray<string> => {
  const widths: Array<number> = []
  for (const row of rows) row.forEach((cell, column) => (widths[column] = Math.max(widths[column] ?? 0, cell.length)))
  return rows.map((row) => (indent + row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join("  ")).trimEnd())
}
