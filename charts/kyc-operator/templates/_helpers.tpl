{{/*
The name in object names: the chart's, or nameOverride. The pods' app.kubernetes.io/name label stays
kyc-operator whatever the override: the platforms' NetworkPolicies admit the operator by that label
(docs/security.md), so renaming it would cut the operator off from the pods it smoke-checks and scrapes.
*/}}
{{- define "kyc-operator.name" -}}
{{- .Values.nameOverride | default .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* The release's full name: fullnameOverride, the release name, or release-name when the release name lacks the name. */}}
{{- define "kyc-operator.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := include "kyc-operator.name" . -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "kyc-operator.selectorLabels" -}}
app.kubernetes.io/name: kyc-operator
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "kyc-operator.labels" -}}
{{ include "kyc-operator.selectorLabels" . }}
app.kubernetes.io/part-of: kyc-platform
app.kubernetes.io/version: {{ include "kyc-operator.version" . | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end -}}

{{/* The operator's version: the image tag, or the chart's appVersion. */}}
{{- define "kyc-operator.version" -}}
{{- .Values.image.tag | default .Chart.AppVersion -}}
{{- end -}}

{{/* registry/repository:tag, or registry/repository@digest when a digest is set (it wins over the tag). */}}
{{- define "kyc-operator.image" -}}
{{- $image := .Values.image -}}
{{- $repository := $image.repository -}}
{{- if $image.registry -}}
{{- $repository = printf "%s/%s" $image.registry $image.repository -}}
{{- end -}}
{{- if $image.digest -}}
{{- printf "%s@%s" $repository $image.digest -}}
{{- else -}}
{{- printf "%s:%s" $repository (include "kyc-operator.version" .) -}}
{{- end -}}
{{- end -}}

{{- define "kyc-operator.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- .Values.serviceAccount.name | default (include "kyc-operator.fullname" .) -}}
{{- else -}}
{{- .Values.serviceAccount.name | default "default" -}}
{{- end -}}
{{- end -}}

{{/*
The rules of one kind of object (ClusterRole or Role) in a file of files/, links to operator/deploy:
files/rbac.yaml (operator/deploy/rbac.yaml) and files/external-metrics.yaml. The chart grants exactly
what the kustomize install grants, and a rule added there reaches the chart without a copy to keep in
step. Usage: include "kyc-operator.rules" (list . "files/rbac.yaml" "ClusterRole")
*/}}
{{- define "kyc-operator.rules" -}}
{{- $root := index . 0 -}}
{{- $file := index . 1 -}}
{{- $kind := index . 2 -}}
{{- $rules := list -}}
{{- range $doc := regexSplit "(?m)^---\\s*$" ($root.Files.Get $file) -1 -}}
{{- $object := fromYaml $doc -}}
{{- if eq (get $object "kind" | default "") $kind -}}
{{- $rules = concat $rules (get $object "rules" | default list) -}}
{{- end -}}
{{- end -}}
{{- if not $rules -}}
{{- fail (printf "%s has no %s rules" $file $kind) -}}
{{- end -}}
{{- toYaml $rules -}}
{{- end -}}

{{- define "kyc-operator.externalMetricsService" -}}
{{- printf "%s-external-metrics" (include "kyc-operator.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "kyc-operator.metricsService" -}}
{{- printf "%s-metrics" (include "kyc-operator.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}
