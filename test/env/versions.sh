# Pinned versions of the test environment's built components.
# The binaries are cached outside the repository, keyed by these versions.
KUBERNETES_VERSION=v1.36.3
ETCD_VERSION=v3.6.16
CERT_MANAGER_VERSION=v1.21.1
# The Gateway API release cert-manager v1.21.1 is built against; its standard CRDs.
GATEWAY_API_VERSION=v1.6.0
CERTOPS_CACHE=${CERTOPS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/certops}
