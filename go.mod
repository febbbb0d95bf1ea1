module github.com/gosmarter/whichaccount

go 1.26.8

require (
	github.com/joho/godotenv v1.5.1
	golang.org/x/net v0.62.0
	golang.org/x/sync v0.25.0
	golang.org/x/time v0.16.0
)

require (
	github.com/golang-jwt/jwt/v5 v5.3.1 // indirect
	github.com/gorilla/websocket v1.5.3 // indirect
	github.com/infracloudio/msbotbuilder-go v0.2.5 // indirect
	github.com/slack-go/slack v0.35.0 // indirect
	golang.org/x/text v0.43.0 // indirect
)
