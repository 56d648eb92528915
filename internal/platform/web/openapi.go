package web

import (
	"net/http"
	"regexp"
	"strings"

	"warta.dev/warta/internal/access"
)

var pathParam = regexp.MustCompile(`\{([a-z_]+)\}`)

// OpenAPI builds an OpenAPI 3.1 document of every API route in the table.
func (s *Server) OpenAPI(version, baseURL string) map[string]any {
	errorSchema := map[string]any{"type": "object", "properties": map[string]any{"error": map[string]any{
		"type": "object", "required": []string{"code", "message"},
		"properties": map[string]any{"code": map[string]any{"type": "string"}, "message": map[string]any{"type": "string"},
			"fields": map[string]any{"type": "object", "additionalProperties": map[string]any{"type": "string"}}}}}}
	paths := map[string]any{}
	for _, rt := range s.routes {
		if !rt.API() {
			continue
		}
		item, _ := paths[rt.Path].(map[string]any)
		if item == nil {
			item = map[string]any{}
			paths[rt.Path] = item
		}
		op := map[string]any{
			"summary":     rt.Summary,
			"operationId": strings.ToLower(rt.Method) + strings.ReplaceAll(pathParam.ReplaceAllString(rt.Path, "by_$1"), "/", "_"),
			"responses": map[string]any{
				"default": map[string]any{"description": "error", "content": map[string]any{"application/json": map[string]any{"schema": map[string]any{"$ref": "#/components/schemas/Error"}}}},
			},
			"x-permission": string(rt.Perm),
		}
		ok := map[string]any{"description": "success"}
		if rt.Response != nil {
			ok["content"] = map[string]any{"application/json": map[string]any{"schema": rt.Response}}
		}
		status := "200"
		switch rt.Method {
		case http.MethodPost:
			status = "201"
		case http.MethodDelete:
			status = "204"
		}
		op["responses"].(map[string]any)[status] = ok
		if rt.Request != nil {
			op["requestBody"] = map[string]any{"required": true, "content": map[string]any{"application/json": map[string]any{"schema": rt.Request}}}
		}
		var params []any
		for _, m := range pathParam.FindAllStringSubmatch(rt.Path, -1) {
			params = append(params, map[string]any{"name": m[1], "in": "path", "required": true, "schema": map[string]any{"type": "integer"}})
		}
		if props, _ := rt.Response["properties"].(map[string]any); rt.Method == http.MethodGet && props["items"] != nil {
			params = append(params,
				map[string]any{"name": "cursor", "in": "query", "schema": map[string]any{"type": "string"}},
				map[string]any{"name": "limit", "in": "query", "schema": map[string]any{"type": "integer", "minimum": 1, "maximum": 100}})
		}
		if params != nil {
			op["parameters"] = params
		}
		if rt.Perm == access.Public {
			op["security"] = []any{}
		}
		item[strings.ToLower(rt.Method)] = op
	}
	return map[string]any{
		"openapi": "3.1.0",
		"info":    map[string]any{"title": "Warta API", "version": version},
		"servers": []any{map[string]any{"url": baseURL}},
		"paths":   paths,
		"components": map[string]any{
			"schemas":         map[string]any{"Error": errorSchema},
			"securitySchemes": map[string]any{"bearer": map[string]any{"type": "http", "scheme": "bearer"}},
		},
		"security": []any{map[string]any{"bearer": []any{}}},
	}
}
