package web

// The JSON schema fragments routes describe their bodies with, for the OpenAPI document.

// Object is an object schema with its properties and the names that must be present.
func Object(props map[string]any, required ...string) map[string]any {
	s := map[string]any{"type": "object", "properties": props}
	if len(required) > 0 {
		s["required"] = required
	}
	return s
}

// Array is a list of items.
func Array(item map[string]any) map[string]any {
	return map[string]any{"type": "array", "items": item}
}

// ListOf is a page of a list: {"items": […], "next_cursor": "…"}.
func ListOf(item map[string]any) map[string]any {
	return Object(map[string]any{"items": Array(item), "next_cursor": map[string]any{"type": "string"}}, "items")
}
