package slack

import (
	"encoding/binary"
	"encoding/json"
	"net/http"
	"strconv"
	"sync"
	"unicode/utf8"
)

// A slash command's acknowledgement is encoded by hand: encoding/json's
// reflection over the blocks cost more than rendering them, a quarter of
// the server's own work per command under load. The output is byte for
// byte what a json.Encoder with SetEscapeHTML(false) writes (Slack reads
// "<" and "\u003c" alike), which TestAckJSONMatchesEncodingJSON checks on
// every reply shape, and TestAckJSONKnowsEveryField fails when a field is
// added to the block types without teaching it here.

// writeAck writes a slash command's acknowledgement: ack as JSON, or, when
// nil, an empty 200 (the answer follows through response_url).
func writeAck(w http.ResponseWriter, ack *ackMessage) {
	if ack == nil {
		w.WriteHeader(http.StatusOK)
		return
	}
	buf := ackBuffers.Get().(*[]byte)
	b := append(appendAck((*buf)[:0], ack), '\n')
	h := w.Header()
	h["Content-Type"] = jsonType                         // canonical key, shared value: nothing to allocate
	h["Content-Length"] = []string{strconv.Itoa(len(b))} // no chunked encoding for a body of a few KB
	w.Write(b)                                           // an error means the client went away
	if cap(b) <= 64<<10 {
		*buf = b
		ackBuffers.Put(buf)
	}
}

// jsonType is the acknowledgement's Content-Type header value; net/http
// only reads it.
var jsonType = []string{"application/json"}

var ackBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 4096); return &b }}

// appendAck appends the JSON of a to dst.
func appendAck(dst []byte, a *ackMessage) []byte {
	dst = append(dst, '{')
	if a.ResponseType != "" {
		dst = append(dst, `"response_type":`...)
		dst = appendJSONString(dst, a.ResponseType)
		dst = append(dst, ',')
	}
	dst = append(dst, `"text":`...)
	dst = appendJSONString(dst, a.Text)
	if len(a.Blocks) > 0 {
		dst = append(dst, `,"blocks":[`...)
		for i := range a.Blocks {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendBlock(dst, &a.Blocks[i])
		}
		dst = append(dst, ']')
	}
	return append(dst, '}')
}

func appendBlock(dst []byte, b *block) []byte {
	dst = append(dst, `{"type":`...)
	dst = appendJSONString(dst, b.Type)
	if b.BlockID != "" {
		dst = append(dst, `,"block_id":`...)
		dst = appendJSONString(dst, b.BlockID)
	}
	if b.Text != nil {
		dst = append(dst, `,"text":`...)
		dst = appendTextObj(dst, b.Text)
	}
	if len(b.Elements) > 0 {
		dst = append(dst, `,"elements":[`...)
		for i := range b.Elements {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendElt(dst, &b.Elements[i])
		}
		dst = append(dst, ']')
	}
	return append(dst, '}')
}

func appendTextObj(dst []byte, t *textObj) []byte {
	dst = append(dst, `{"type":`...)
	dst = appendJSONString(dst, t.Type)
	dst = append(dst, `,"text":`...)
	dst = appendJSONString(dst, t.Text)
	if t.Emoji != nil {
		dst = append(dst, `,"emoji":`...)
		dst = strconv.AppendBool(dst, *t.Emoji)
	}
	if t.Verbatim {
		dst = append(dst, `,"verbatim":true`...)
	}
	return append(dst, '}')
}

func appendElt(dst []byte, e *blockElt) []byte {
	dst = append(dst, `{"type":`...)
	dst = appendJSONString(dst, e.Type)
	dst = append(dst, `,"text":`...)
	switch t := e.Text.(type) {
	case string:
		dst = appendJSONString(dst, t)
	case *textObj:
		if t == nil {
			dst = append(dst, "null"...)
		} else {
			dst = appendTextObj(dst, t)
		}
	case nil:
		dst = append(dst, "null"...)
	default:
		// Not a shape the renderer makes today: encoding/json's answer.
		raw, err := json.Marshal(t)
		if err != nil {
			raw = []byte("null")
		}
		dst = append(dst, raw...)
	}
	if e.ActionID != "" {
		dst = append(dst, `,"action_id":`...)
		dst = appendJSONString(dst, e.ActionID)
	}
	if e.Value != "" {
		dst = append(dst, `,"value":`...)
		dst = appendJSONString(dst, e.Value)
	}
	if e.Verbatim {
		dst = append(dst, `,"verbatim":true`...)
	}
	return append(dst, '}')
}

const hexDigits = "0123456789abcdef"

// plainByte marks the ASCII bytes a JSON string holds as they are.
var plainByte = func() (t [utf8.RuneSelf]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// plainWord reports whether all eight bytes of x are plainByte: ASCII,
// not a control character, a quote or a backslash. Each test marks a byte
// by its high bit: below 0x20 by the borrow of subtracting 0x20, a quote
// or a backslash by the borrow of subtracting 1 from the byte xored with
// it; beyond ASCII by its own high bit.
func plainWord(x uint64) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	below := x - 0x20*ones
	quote := (x ^ '"'*ones) - ones
	slash := (x ^ '\\'*ones) - ones
	return (x|below&^x|quote&^(x^'"'*ones)|slash&^(x^'\\'*ones))&highs == 0
}

// appendJSONString appends s as a JSON string the way encoding/json does
// without HTML escaping: control characters escaped, invalid UTF-8 as
// U+FFFD, and U+2028 and U+2029 escaped for JavaScript.
func appendJSONString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	valid := utf8.ValidString(s)
	start := 0
	for i := 0; i < len(s); {
		if i+8 <= len(s) && plainWord(binary.LittleEndian.Uint64([]byte(s[i:i+8]))) {
			i += 8 // eight bytes that need no escape
			continue
		}
		c := s[i]
		if c < utf8.RuneSelf {
			if plainByte[c] {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		if valid && c != 0xe2 {
			i++ // a byte of a valid multi-byte character that needs no escape
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
