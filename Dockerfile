FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -tags nodemo -o /out/mailbot ./cmd/mailbot

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/mailbot /usr/local/bin/mailbot
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/mailbot"]
