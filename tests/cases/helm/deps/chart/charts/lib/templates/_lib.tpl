{{- define "lib.label" -}}from-lib-{{ .Release.Name }}{{- end -}}
