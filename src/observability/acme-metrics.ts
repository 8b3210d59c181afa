// ACME requests by operation and HTTP status, as counted by AcmeAccounts.
import type { AcmeRequestCount } from "../acme/accounts.ts"
import type { MetricFamily } from "../metrics/exposition.ts"

const byOperationThenStatus = (left: AcmeRequestCount, right: AcmeRequestCount) =>
  left.operation.localeCompare(right.operation) || left.status.localeCompare(right.status)

export const acmeFamilies = (counts: ReadonlyArray<AcmeRequestCount>): ReadonlyArray<MetricFamily> => [
  {
    type: "counter",
    name: "certops_acme_client_requests_total",
    help: 'ACME requests made, by operation and HTTP status ("error" when no answer came back).',
    samples: [...counts].sort(byOperationThenStatus).map(({ operation, status, count }) => ({ labels: { operation, status }, value: count })),
  },
]
