{{- define "tally.fullname" -}}
{{- printf "%s-tally" .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "tally.labels" -}}
app.kubernetes.io/name: tally
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{- define "tally.secretName" -}}
{{- default (printf "%s-secrets" (include "tally.fullname" .)) .Values.secrets.existingSecret -}}
{{- end -}}

{{/* Earn's replicas: as many as partitions unless set, and never more (the extra ones would idle). */}}
{{- define "tally.earnReplicas" -}}
{{- $partitions := int .Values.topics.partitions -}}
{{- $asked := .Values.services.earn.replicas -}}
{{- if eq (toString $asked) "" -}}
{{- $partitions -}}
{{- else if gt (int $asked) $partitions -}}
{{- fail (printf "services.earn.replicas (%d) exceeds topics.partitions (%d): the extra consumers would get no partition" (int $asked) $partitions) -}}
{{- else -}}
{{- int $asked -}}
{{- end -}}
{{- end -}}

{{/* The environment every container shares: plain settings here, secrets from the Secret. */}}
{{- define "tally.env" -}}
- name: KAFKA_BROKERS
  value: {{ .Values.kafka.brokers | quote }}
- name: KAFKA_SSL
  value: {{ .Values.kafka.ssl | quote }}
{{- if .Values.kafka.sslCaFile }}
- name: KAFKA_SSL_CA_FILE
  value: {{ .Values.kafka.sslCaFile | quote }}
{{- end }}
- name: KAFKA_SASL_MECHANISM
  value: {{ .Values.kafka.saslMechanism | quote }}
{{- if ne .Values.kafka.saslMechanism "none" }}
- name: KAFKA_SASL_USERNAME
  value: {{ .Values.kafka.saslUsername | quote }}
- name: KAFKA_SASL_PASSWORD
  valueFrom: { secretKeyRef: { name: {{ include "tally.secretName" . }}, key: KAFKA_SASL_PASSWORD } }
{{- end }}
- name: TALLY_KAFKA_COMPRESSION
  value: {{ .Values.kafka.compression | quote }}
- name: TALLY_TOPIC_PARTITIONS
  value: {{ .Values.topics.partitions | quote }}
- name: TALLY_TOPIC_REPLICATION_FACTOR
  value: {{ .Values.topics.replicationFactor | quote }}
{{- if .Values.topics.retentionMs }}
- name: TALLY_TOPIC_RETENTION_MS
  value: {{ .Values.topics.retentionMs | quote }}
{{- end }}
- name: TALLY_TOPIC_NAMESPACE
  value: {{ .Values.topics.namespace | quote }}
- name: LOG_LEVEL
  value: {{ .Values.logLevel | quote }}
- name: TALLY_TRACING
  value: {{ .Values.tracing.mode | quote }}
{{- if .Values.tracing.otlpEndpoint }}
- name: OTEL_EXPORTER_OTLP_ENDPOINT
  value: {{ .Values.tracing.otlpEndpoint | quote }}
{{- end }}
{{- if .Values.program }}
- name: TALLY_PROGRAM
  value: /etc/tally/program.yaml
{{- end }}
- name: DATABASE_URL
  valueFrom: { secretKeyRef: { name: {{ include "tally.secretName" . }}, key: DATABASE_URL } }
- name: TALLY_API_TOKENS
  valueFrom: { secretKeyRef: { name: {{ include "tally.secretName" . }}, key: TALLY_API_TOKENS } }
{{- end -}}
