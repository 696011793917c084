#!/bin/sh
# Prints deploy/rbac-live-objects.yaml bound only in the given namespaces: the same ClusterRole, with
# one RoleBinding per namespace instead of the cluster-wide binding, plus list on
# ClusterTriggerAuthentications (cluster-scoped, so cluster-wide). For a cluster whose construct
# `namespaces` lists these namespaces:
#
#   deploy/rbac-live-objects-for-namespaces.sh shop billing | kubectl apply -f -
#
# (If deploy/rbac-live-objects.yaml was applied before, delete its cluster-wide binding:
#  kubectl delete clusterrolebinding eks-lambda-scaler-live-objects)
set -eu
if [ "$#" -eq 0 ]; then
  echo "usage: $0 NAMESPACE [NAMESPACE...]   (the namespaces the cluster source reads)" >&2
  exit 2
fi
here=$(dirname "$0")
# The first document of rbac-live-objects.yaml: its header and the ClusterRole.
awk 'BEGIN { RS = "---\n"; ORS = "" } NR == 1 { print }' "$here/rbac-live-objects.yaml"
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
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: eks-lambda-scaler-cluster-trigger-authentications
  labels:
    app.kubernetes.io/name: eks-lambda-scaler
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: eks-lambda-scaler-cluster-trigger-authentications
subjects:
  - apiGroup: rbac.authorization.k8s.io
    kind: Group
    name: eks-lambda-scaler
YAML
for namespace in "$@"; do
  cat <<YAML
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: eks-lambda-scaler-live-objects
  namespace: ${namespace}
  labels:
    app.kubernetes.io/name: eks-lambda-scaler
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: eks-lambda-scaler-live-objects
subjects:
  - apiGroup: rbac.authorization.k8s.io
    kind: Group
    name: eks-lambda-scaler
YAML
done
