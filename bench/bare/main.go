// Command bare is the practical ceiling for the Slack load run: a net/http
// server that only verifies the Slack signature of each request and answers
// a fixed text, as a slash command acknowledgement would.
//
// It also stands in for Slack's side of a late answer: POSTs to
// /response (a slash command's response_url) and to /api/ (the Web API)
// are read and answered {"ok":true}, as Slack answers them, so that the
// server under load delivers an answer it could not put in the
// acknowledgement once, as it would in production.
package main

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"io"
	"log"
	"net/http"
	"strconv"
	"time"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:3999", "listen address")
	secret := flag.String("secret", "", "Slack signing secret")
	flag.Parse()
	http.HandleFunc("POST /slack/events", func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
		if err != nil {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		ts := r.Header.Get("X-Slack-Request-Timestamp")
		sec, err := strconv.ParseInt(ts, 10, 64)
		if err != nil || time.Since(time.Unix(sec, 0)).Abs() > 5*time.Minute {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		mac := hmac.New(sha256.New, []byte(*secret))
		mac.Write([]byte("v0:" + ts + ":"))
		mac.Write(body)
		want := "v0=" + hex.EncodeToString(mac.Sum(nil))
		if !hmac.Equal([]byte(want), []byte(r.Header.Get("X-Slack-Signature"))) {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"response_type":"ephemeral","text":"ok"}`)
	})
	sink := func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, http.MaxBytesReader(w, r.Body, 1<<20))
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"ok":true}`)
	}
	http.HandleFunc("POST /response", sink)
	http.HandleFunc("POST /api/", sink)
	log.Fatal(http.ListenAndServe(*addr, nil))
}
