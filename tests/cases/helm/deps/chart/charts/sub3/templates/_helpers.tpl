{{- define "common.name" -}}child-{{ .Chart.Name }}{{- end -}}
