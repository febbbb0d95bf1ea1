module github.com/gosmarter/whichaccount

go 1.26.8

require (
	github.com/joho/godotenv v1.5.1
	golang.org/x/net v0.62.0
	golang.org/x/sync v0.25.0
	golang.org/x/time v0.16.0
)

require golang.org/x/text v0.43.0 // indirect
