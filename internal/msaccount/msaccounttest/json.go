package msaccounttest

import (
	"bytes"
	"encoding/json"
	"net/http"
)

// object is a JSON object whose keys keep the order Microsoft sends them
// in, so payloads can be written out to read like the observed examples.
type object []member

type member struct {
	key   string
	value any
}

// MarshalJSON writes the members in order. Like Microsoft, it leaves '&',
// '<' and '>' unescaped (AuthURL carries literal "&wa=…").
func (o object) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, m := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		if err := encode(&b, m.key); err != nil {
			return nil, err
		}
		b.WriteByte(':')
		if err := encode(&b, m.value); err != nil {
			return nil, err
		}
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// encode appends v as compact JSON without HTML escaping.
func encode(b *bytes.Buffer, v any) error {
	enc := json.NewEncoder(b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	b.Truncate(b.Len() - 1) // Encode's trailing newline
	return nil
}

// writeJSON answers with status and v encoded the way login.microsoftonline.com does.
func writeJSON(w http.ResponseWriter, status int, v any) {
	var b bytes.Buffer
	if err := encode(&b, v); err != nil {
		http.Error(w, "msaccounttest: encoding response: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(b.Bytes())
}

// writeError500 answers like a front end whose back end failed.
func writeError500(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(http.StatusInternalServerError)
	_, _ = w.Write([]byte("<!DOCTYPE html><html><head><title>Service unavailable</title></head>" +
		"<body><h1>Sorry, but we're having trouble signing you in.</h1></body></html>"))
}

// malformed holds, per endpoint, the start of a valid answer cut off mid-value.
var malformed = map[string]string{
	EndpointRealm:          `{"NameSpaceType":"Man`,
	EndpointOpenID:         `{"token_endpoint":"https://login.microsoftonline.com/72f988bf-`,
	EndpointCredentialType: `{"Username":"alex@contoso.com","Display":"alex@con`,
}

// writeMalformed answers 200 with a truncated JSON body.
func writeMalformed(w http.ResponseWriter, endpoint string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write([]byte(malformed[endpoint]))
}
