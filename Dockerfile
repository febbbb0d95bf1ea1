# Multi-stage build: a static binary on a distroless base, run as non-root.
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/whichaccount ./cmd/whichaccount

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/whichaccount /whichaccount
USER nonroot:nonroot
EXPOSE 3978
# production refuses unsafe settings (Teams without authentication, among
# others); override only to try the image on a laptop.
ENV PORT=3978 LOG_FORMAT=json WHICHACCOUNT_ENV=production
# Without REDIS_URL the journal (feedback, unanswered questions) is kept
# here: mount a volume on it to keep it across containers.
ENV WHICHACCOUNT_DATA_DIR=/home/nonroot/data
ENTRYPOINT ["/whichaccount", "serve"]
