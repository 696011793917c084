#!/bin/sh
# Prints deploy/rbac.yaml with the workload permissions bound only in the given namespaces (one
# RoleBinding each, instead of the cluster-wide binding). The node permissions stay cluster-wide.
#
#   deploy/rbac-for-namespaces.sh jobs streams | kubectl apply -f -
set -eu
if [ "$#" -eq 0 ]; then
  echo "usage: $0 NAMESPACE [NAMESPACE...]   (the namespaces of your ScaledObjects)" >&2
  exit 2
fi
here=$(dirname "$0")
# rbac.yaml without its cluster-wide workloads binding: records are the documents between `---` lines.
awk 'BEGIN { RS = "---\n"; ORS = "" }
  NR == 1 { print; next }
  !/kind: ClusterRoleBinding\nmetadata:\n  name: eks-lambda-scaler-workloads\n/ { print "---\n" $0 }
' "$here/rbac.yaml"
for namespace in "$@"; do
  cat <<YAML
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: eks-lambda-scaler-workloads
  namespace: ${namespace}
  labels:
    app.kubernetes.io/name: eks-lambda-scaler
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: eks-lambda-scaler-workloads
subjects:
  - apiGroup: rbac.authorization.k8s.io
    kind: Group
    name: eks-lambda-scaler
YAML
done
