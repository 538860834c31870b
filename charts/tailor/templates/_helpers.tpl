{{/* The release's full name, used for every object the chart creates. */}}
{{- define "tailor.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{/* Labels that select the operator's pods. */}}
{{- define "tailor.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: operator
{{- end -}}

{{/* Labels on every object the chart creates. */}}
{{- define "tailor.labels" -}}
{{ include "tailor.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/part-of: tailor
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end -}}

{{- define "tailor.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "tailor.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- required "serviceAccount.name must name an existing ServiceAccount when serviceAccount.create is false" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* The namespaces whose fleets the operator reconciles (watch.namespaces, else the release's). */}}
{{- define "tailor.watchNamespaces" -}}
{{- if .Values.watch.namespaces -}}{{ join "," .Values.watch.namespaces }}{{- else -}}{{ .Release.Namespace }}{{- end -}}
{{- end -}}

{{/*
Leader election whenever more than one operator pod runs. One pod is replaced with the Recreate
strategy instead, so an upgrade never has an old and a new pod reconciling side by side.
*/}}
{{- define "tailor.leaderElection" -}}
{{- if gt (int .Values.replicaCount) 1 -}}true{{- else -}}false{{- end -}}
{{- end -}}


{{/*
The admission webhook's CA and serving certificate (base64 PEM, as JSON: ca, crt, key), made by
Helm once per render and shared by the templates that need it (the Secret, the webhook
configuration's caBundle, the Deployment's checksum): every install, upgrade or `helm template`
makes a new pair, and the operator pods restart to load it. cert-manager
(webhook.certManager.enabled) keeps one certificate instead.
*/}}
{{- define "tailor.webhookCert" -}}
{{- if not (hasKey .Values "_webhookCert") -}}
{{- $name := printf "%s-webhook" (include "tailor.fullname" .) -}}
{{- $host := printf "%s.%s.svc" $name .Release.Namespace -}}
{{- $ca := genCA (printf "%s-ca" $name) 3650 -}}
{{- $cert := genSignedCert $host nil (list $host (printf "%s.%s" $name .Release.Namespace) $name) 3650 $ca -}}
{{- $_ := set .Values "_webhookCert" (dict "ca" ($ca.Cert | b64enc) "crt" ($cert.Cert | b64enc) "key" ($cert.Key | b64enc)) -}}
{{- end -}}
{{- .Values._webhookCert | toJson -}}
{{- end -}}
