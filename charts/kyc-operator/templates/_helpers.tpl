{{/* The release's full name: the release name, or release-chart when the release name lacks the chart's. */}}
{{- define "kyc-operator.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "kyc-operator.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "kyc-operator.labels" -}}
{{ include "kyc-operator.selectorLabels" . }}
app.kubernetes.io/part-of: kyc-platform
app.kubernetes.io/version: {{ .Values.image.tag | default .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
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
