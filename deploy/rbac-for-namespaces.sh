#!/bin/sh
# Prints deploy/rbac.yaml with the workload permissions bound only in the given namespaces (one
# RoleBinding each, instead of the cluster-wide binding). The node permissions stay cluster-wide.
#
#   deploy/rbac-for-namespaces.sh jobs streams | kubectl apply -f -
#
# With --live-objects it prints deploy/rbac-live-objects.yaml bound the same way instead, for a
# cluster whose ScaledObjects are read from the cluster with the construct's `namespaces`: the same
# ClusterRole bound per namespace, plus list on ClusterTriggerAuthentications (cluster-scoped, so
# cluster-wide). If deploy/rbac-live-objects.yaml was applied before, delete its cluster-wide
# binding: kubectl delete clusterrolebinding eks-lambda-scaler-live-objects
#
#   deploy/rbac-for-namespaces.sh --live-objects shop billing | kubectl apply -f -
set -eu
source_file=rbac.yaml
role=eks-lambda-scaler-workloads
if [ "${1:-}" = "--live-objects" ]; then
  source_file=rbac-live-objects.yaml
  role=eks-lambda-scaler-live-objects
  shift
fi
if [ "$#" -eq 0 ]; then
  echo "usage: $0 [--live-objects] NAMESPACE [NAMESPACE...]   (the namespaces of your ScaledObjects)" >&2
  exit 2
fi
here=$(dirname "$0")
# The source file without its cluster-wide binding of $role: records are the documents between `---` lines.
awk -v role="$role" 'BEGIN { RS = "---\n"; ORS = "" }
  NR == 1 { print; next }
  index($0, "kind: ClusterRoleBinding\nmetadata:\n  name: " role "\n") == 0 { print "---\n" $0 }
' "$here/$source_file"
if [ "$role" = eks-lambda-scaler-live-objects ]; then
  cat <<YAML
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: eks-lambda-scaler-cluster-trigger-authentications
  labels:
    app.kubernetes.io/name: eks-lambda-scaler
rules:
  - apiGroups: ["keda.sh"]
    resources: ["clustertriggerauthentications"]
    verbs: ["get", "list", "watch"]
YAML
  set -- --cluster-wide eks-lambda-scaler-cluster-trigger-authentications "$@"
fi
binding() {
  # binding <ClusterRoleBinding|RoleBinding> <role> [namespace]
  cat <<YAML
---
apiVersion: rbac.authorization.k8s.io/v1
kind: $1
metadata:
  name: $2
${3:+  namespace: $3
}  labels:
    app.kubernetes.io/name: eks-lambda-scaler
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: $2
subjects:
  - apiGroup: rbac.authorization.k8s.io
    kind: Group
    name: eks-lambda-scaler
YAML
}
if [ "$1" = "--cluster-wide" ]; then
  binding ClusterRoleBinding "$2"
  shift 2
fi
for namespace in "$@"; do
  binding RoleBinding "$role" "$namespace"
done
