{{/* Names and labels. Every object is <release>-<service>[-worker]. */}}
{{- define "bakat.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}{{ .Release.Name | trunc 50 | trimSuffix "-" }}{{- else -}}{{ printf "%s-%s" .Release.Name .Chart.Name | trunc 50 | trimSuffix "-" }}{{- end -}}
{{- end -}}

{{- define "bakat.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/part-of: bakat
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{/* Selector of one component: dict "root" $ "service" "roster" "role" "web" */}}
{{- define "bakat.selector" -}}
app.kubernetes.io/name: {{ .service }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .role }}
{{- end -}}

{{- define "bakat.image" -}}
{{- $tag := .root.Values.image.tag | default .root.Chart.AppVersion -}}
{{ printf "%s/bakat-%s:%s" .root.Values.image.registry .service $tag }}
{{- end -}}

{{/* The service's own settings: dict "root" $ "service" "roster" "role" "web"|"worker" */}}
{{- define "bakat.env" -}}
{{- $root := .root -}}
- name: BAKAT_SERVICE_NAME
  value: {{ .service | quote }}
{{- if ne .service "gateway" }}
- name: BAKAT_RUN_RELAY
  value: {{ eq .role "worker" | quote }}
- name: BAKAT_RUN_CONSUMERS
  value: {{ eq .role "worker" | quote }}
{{- $db := index $root.Values.postgres.databases .service }}
- name: BAKAT_DATABASE_URL
  valueFrom:
    secretKeyRef:
      name: {{ $db.secretName }}
      key: {{ $db.secretKey }}
{{- else }}
{{- range $name := list "roster" "assessment" "placement" "scheduling" }}
- name: BAKAT_{{ upper $name }}_URL
  value: {{ printf "http://%s-%s:8000" (include "bakat.fullname" $root) $name | quote }}
{{- end }}
{{- end }}
{{- end -}}

{{- define "bakat.podSpecCommon" -}}
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
securityContext:
  {{- toYaml .Values.podSecurityContext | nindent 2 }}
{{- with .Values.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}
